/*
 * Load protocols: what `hpcbench load PROTOCOL` speaks over the shared event loop.
 *
 * A protocol is a `const struct load_proto`, a table of functions looked up by name
 * (load_proto_find). The core (worker.c) owns sockets, buffers, the schedule, clocks,
 * histograms and error counting; a protocol only turns a request into bytes (encode)
 * and bytes into the end of a reply (parse), plus optional hooks around a run.
 *
 * Life of a run, and who calls what:
 *
 *   cfg = create()                         once, before option parsing
 *   option(cfg, opts, val, arg)            for each protocol option on the command line
 *   configure(cfg, target, opts, tgt)      after all options: check them, parse TARGET,
 *                                          fill tgt (host, port, kinds, caps)
 *   prepare(cfg, opts)                     before the clock starts (LLM model pull)
 *   per thread: ts = thread_init(cfg, i)
 *     per connection (re)connect: conn_reset(c), on_connect(c, out)
 *     per request: encode(c, req, out) ... parse(c, req, data, len, &used, now)
 *                  ... complete(c, req, now)
 *   merge: thread_merge(cfg, ts0, tsi) for i >= 1, then thread_free(cfg, tsi)
 *   report_json / report_text / verdict with ts0 merged, then thread_free(cfg, ts0)
 *   destroy(cfg)
 *
 * Threads: create/option/configure/prepare/report/destroy run on the main thread;
 * thread_init, conn_*, encode, parse and complete run on the worker thread that owns
 * the connection, and may touch cfg only read-only. Everything a worker writes lives in
 * its thread state (ts), its connection state (c->proto) or its request (req->priv).
 *
 * The hot path (encode, parse, complete) must not allocate per request: grow buffers
 * once in the state they belong to and reuse them.
 */
#ifndef HPCBENCH_LOAD_PROTO_H
#define HPCBENCH_LOAD_PROTO_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/jsonw.h"
#include "common/strbuf.h"

struct load_opts;
struct load_result;

/*
 * Why a request (or a connection attempt) failed. 0 is success. Protocols may add
 * their own kinds (load_target.err_kinds), numbered from LOAD_ERR_PROTO; the result
 * file names every kind in errors_by_kind.
 */
enum load_err {
	LOAD_OK = 0,
	LOAD_ERR_CONNECT,  /* a connection attempt failed (counted per attempt, not request) */
	LOAD_ERR_READ,	   /* the peer closed or reset with the request outstanding */
	LOAD_ERR_WRITE,	   /* the request could not be written */
	LOAD_ERR_TIMEOUT,  /* no complete reply within --timeout */
	LOAD_ERR_PROTOCOL, /* the reply stream was malformed or over a size cap */
	LOAD_ERR_SERVER,   /* the server answered with an error (Redis -ERR, HTTP 5xx...) */
	LOAD_ERR_PROTO,	   /* first protocol-defined kind: load_target.err_kinds[0] */
};
#define LOAD_MAX_ERR_KINDS 32 /* LOAD_ERR_PROTO + nerr_kinds must stay below this */
#define LOAD_MAX_KINDS 32     /* request kinds per protocol (per-kind breakdown) */

/* Names of the core's kinds: load_err_name(LOAD_ERR_TIMEOUT) is "timeout". */
const char *load_err_name(unsigned kind);

/* One request in flight. The core owns the slot; a protocol reads and fills these. */
struct load_req {
	uint64_t intended_ns; /* CLOCK_MONOTONIC time it was due (closed loop: = sent_ns) */
	uint64_t sent_ns;     /* when its bytes were handed to write() */
	unsigned kind;	      /* request kind (load_target.kinds): set by encode; parse may
				 change it once the reply says more (HTTP status class) */
	unsigned err;	      /* LOAD_OK, or the kind of failure; set by parse */
	bool warmup;	      /* sent during warm-up: excluded from statistics */
	void *priv;	      /* load_proto.req_size bytes of protocol state (zeroed once) */
};

/*
 * A connection as a protocol sees it. The core's own fields follow in a private
 * struct; protocols use only these.
 */
struct load_conn {
	void *proto;	  /* load_proto.conn_size bytes of protocol state (zeroed once) */
	void *tstate;	  /* the thread's protocol state (thread_init), may be NULL */
	const void *cfg;  /* the protocol config, read-only on workers */
	unsigned thread;  /* worker index, 0..threads-1 */
	unsigned index;	  /* connection index within the whole run, 0..connections-1 */
	uint64_t seq;	  /* requests encoded on this connection so far (all threads: unique
			     with index) */
	bool close_after; /* parse may set it: close this connection after the reply just
			     ended, and reconnect; not an error (HTTP Connection: close) */
};

/*
 * Records the first message of an error kind in this thread (later ones are only
 * counted). The summary and the result file show one sample per kind, so that a user
 * sees "server: WRONGTYPE Operation against a key..." instead of a bare count.
 */
void load_conn_note(struct load_conn *c, unsigned kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* What parse (and eof) tell the core. */
enum load_step {
	LOAD_MORE, /* no reply ended: every byte that can be used now was consumed (*used);
		      unconsumed bytes are kept by the core and given again, in front of
		      the next read (at most load_target.max_buffer of them) */
	LOAD_DONE, /* the reply to req ended after *used bytes; req->err says how it went.
		      The core calls parse again with the rest (pipelining) */
	LOAD_FAIL, /* the stream is broken (garbage, over a cap, unexpected data): the core
		      counts every outstanding request of this connection with the kind
		      load_conn_note'd last (LOAD_ERR_PROTOCOL if none), closes, reconnects */
};

/*
 * Library-driven connections (load_proto.lib_*): what the protocol waits for next on
 * the socket its client library owns. The core registers fd in its epoll set (again
 * when the library changed it) and calls lib_resume when one of events is ready.
 */
enum { LOAD_IO_READ = 1, LOAD_IO_WRITE = 2 };
struct load_wait {
	int fd;		 /* the library's socket */
	unsigned events; /* LOAD_IO_READ | LOAD_IO_WRITE */
};

/* What configure fills in for the core. Strings belong to cfg and live until destroy. */
struct load_target {
	const char *host;	  /* name or address, for getaddrinfo */
	const char *port;	  /* service or number */
	const char *display;	  /* the target as the user wrote it (result file, summary) */
	const char *const *kinds; /* request kind names ("SET", "GET"; "2xx"...); >= 1 */
	unsigned nkinds;
	const char *const *err_kinds; /* protocol error kinds (LOAD_ERR_PROTO + i), or NULL */
	unsigned nerr_kinds;
	size_t max_buffer; /* cap on unconsumed reply bytes kept per connection;
			      0 = 64 KiB. More is a LOAD_ERR_PROTOCOL failure */
};

struct load_proto {
	const char *name;	  /* "redis": `hpcbench load redis ...` */
	const char *target_usage; /* "HOST:PORT", "URL" */
	const char *summary;	  /* one line for the list of protocols */
	const char *help;	  /* the protocol's options and examples, for --help */
	/*
	 * Protocol options, parsed on the same command line as the core's. val must be
	 * >= LOAD_OPT_PROTO (or a short option character listed in shortopts). A long
	 * name that the core also has is taken by the protocol (it overrides it).
	 */
	const char *shortopts;	       /* getopt syntax, e.g. "m:H:", or NULL */
	const struct option *longopts; /* terminated by a zero entry, or NULL */
	size_t conn_size;	       /* bytes of c->proto */
	size_t req_size;	       /* bytes of req->priv */

	/* Returns a new config with defaults (owned by the core until destroy). */
	void *(*create)(void);
	/* One protocol option. May also change core options (o). 0, or -1 with err. */
	int (*option)(void *cfg, struct load_opts *o, int val, const char *arg, struct strbuf *err);
	/*
	 * After every option: checks them together, parses target (the positional
	 * argument) and fills t. May adjust core options (LLM: default -n). 0 or -1.
	 */
	int (*configure)(void *cfg, const char *target, struct load_opts *o, struct load_target *t,
			 struct strbuf *err);
	/*
	 * Optional. Runs before the clock starts, on the main thread, may block (pull a
	 * model, load a dataset, check the server answers). 0, or -1 with err (exit 1).
	 */
	int (*prepare)(void *cfg, const struct load_opts *o, struct strbuf *err);
	/* Frees cfg. */
	void (*destroy)(void *cfg);

	/* Optional per-thread state (histograms of TTFT...). NULL hooks: no state. */
	void *(*thread_init)(const void *cfg, unsigned thread);
	/* Adds src's statistics into dst (main thread, after join). */
	void (*thread_merge)(const void *cfg, void *dst, const void *src);
	void (*thread_free)(const void *cfg, void *ts);

	/* Optional. Called on every new connection, before on_connect: reset parsers. */
	void (*conn_reset)(struct load_conn *c);
	/* Optional. Called once per connection when it is released: free what it grew. */
	void (*conn_release)(struct load_conn *c);
	/*
	 * Optional. Bytes to send first on every new connection (Redis AUTH, HELLO),
	 * appended to out; their replies arrive before any request's and parse must eat
	 * them (parse is called with req == NULL when no request is outstanding).
	 */
	void (*on_connect)(struct load_conn *c, struct strbuf *out);
	/*
	 * Appends one request to out and sets req->kind (and req->priv state). Must not
	 * fail: whatever can be checked was checked by configure.
	 */
	void (*encode)(struct load_conn *c, struct load_req *req, struct strbuf *out);
	/*
	 * Incremental reply parser. data/len are the bytes received and not consumed
	 * yet; now_ns is when the read that brought the newest of them returned (a
	 * streaming protocol timestamps each body chunk with it). req is the oldest
	 * outstanding request (replies come in order), or NULL if none is outstanding.
	 * Sets *used to the bytes consumed and answers MORE / DONE / FAIL (see above).
	 */
	enum load_step (*parse)(struct load_conn *c, struct load_req *req, const char *data,
				size_t len, size_t *used, uint64_t now_ns);
	/*
	 * Optional. The peer closed the connection with req outstanding (or req NULL):
	 * LOAD_DONE if that ends req's reply (HTTP body until close), LOAD_FAIL otherwise.
	 * NULL: the outstanding requests fail with LOAD_ERR_READ.
	 */
	enum load_step (*eof)(struct load_conn *c, struct load_req *req, uint64_t now_ns);
	/*
	 * Optional. Called for every request that finished (ok, error, timeout, closed),
	 * after the core recorded it, with the completion time. Per-request metrics
	 * (TTFT, tokens) go into c->tstate here; skip them when req->warmup.
	 */
	void (*complete)(struct load_conn *c, const struct load_req *req, uint64_t done_ns);

	/*
	 * Optional, all four or none: a client library (libpq, libmariadb) owns the
	 * socket and speaks the protocol through its non-blocking API. The core then
	 * neither connects, writes nor reads: it waits on what the protocol names in *wt
	 * and calls back; encode, parse, on_connect and eof are not used, and a connection
	 * carries one request at a time (--pipeline is the protocol's business). Each
	 * answers LOAD_MORE (wait for *wt, then lib_resume), LOAD_DONE or LOAD_FAIL
	 * (broken: outstanding requests fail with the kind load_conn_note'd last).
	 *
	 * lib_connect starts a connection (DONE: usable now, e.g. after its set-up
	 * queries). lib_send starts req: MORE or FAIL only; a library that finished at
	 * once keeps the outcome and asks for LOAD_IO_WRITE, so that lib_resume reports
	 * it. lib_resume continues the connect (req NULL while connecting) or req (DONE:
	 * req ended, req->err says how); revents are LOAD_IO_* that are ready. An event
	 * on an idle connection comes with req NULL too. With DONE, *wt names what to
	 * watch while the connection idles (LOAD_IO_READ: a hang-up), as with MORE.
	 * lib_close closes what
	 * lib_connect opened (also after FAIL); it may be called on a closed connection.
	 */
	enum load_step (*lib_connect)(struct load_conn *c, struct load_wait *wt, uint64_t now_ns);
	enum load_step (*lib_send)(struct load_conn *c, struct load_req *req, struct load_wait *wt,
				   uint64_t now_ns);
	enum load_step (*lib_resume)(struct load_conn *c, struct load_req *req, unsigned revents,
				     struct load_wait *wt, uint64_t now_ns);
	void (*lib_close)(struct load_conn *c);

	/* Optional. Writes the protocol's parameters as run into client.parameters. */
	void (*params_json)(const void *cfg, struct jsonw *w);
	/*
	 * Optional. Adds protocol sections to the top-level result object (e.g. "llm":
	 * {...}); ts is the merged thread state, r the core's merged result.
	 */
	void (*report_json)(const void *cfg, const void *ts, const struct load_result *r,
			    struct jsonw *w);
	/* Optional. Appends lines to the human summary (stdout). */
	void (*report_text)(const void *cfg, const void *ts, const struct load_result *r,
			    struct strbuf *out);
	/*
	 * Optional. Output tokens the server reported over the measured window (LLM), or
	 * a negative number when unknown; per-token figures (energy) use it.
	 */
	double (*output_tokens)(const void *cfg, const void *ts);
	/*
	 * Optional. 0 if the run passed, or -1 with a reason in err (exit 1), e.g. an SLO
	 * missed under --slo-check. Request errors are judged by the core.
	 */
	int (*verdict)(const void *cfg, const void *ts, const struct load_result *r,
		       struct strbuf *err);

	/*
	 * Optional (added for the LLM client's warm-up requests, sweeps and rate search).
	 * Replaces cmd-load's single load_run and its reporting, after prepare: calls
	 * load_run as often as it needs, appends the human summary to text and, when
	 * o->json_path is set, the whole result value to json (the caller writes the
	 * file atomically). Returns the exit status (EXIT_OK / EXIT_FAILED, a line in
	 * err for a failure), or -1 with err when nothing could run.
	 */
	int (*run)(void *cfg, const struct load_opts *o, const struct load_target *t,
		   struct strbuf *text, struct strbuf *json, struct strbuf *err);
};

#define LOAD_OPT_PROTO 0x1000 /* first val for protocol long options */

/* The protocol named name, or NULL. */
const struct load_proto *load_proto_find(const char *name);
/* NULL-terminated array of every protocol, sorted by name. */
extern const struct load_proto *const load_protos[];

#endif
