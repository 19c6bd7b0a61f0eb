/*
 * A worker: one thread, one epoll loop, its own connections, schedule, statistics and
 * protocol thread state. Nothing on its hot path is shared with other threads; the
 * main thread only reads the progress counters (relaxed atomics) while it runs and
 * everything else after join. Core-private: protocols see proto.h only.
 */
#ifndef HPCBENCH_LOAD_WORKER_H
#define HPCBENCH_LOAD_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/strbuf.h"
#include "load/core/opts.h"
#include "load/core/proto.h"
#include "load/core/sched.h"
#include "load/core/stats.h"

/* What every worker of a run shares, read-only once they start. */
struct load_shared {
	const struct load_proto *proto;
	const void *cfg;
	const struct load_opts *opts;
	const struct load_target *target;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	unsigned nready;    /* workers done connecting (atomic) */
	int go;		    /* main set the clock below (atomic, release) */
	uint64_t t0;	    /* start of the warm-up */
	uint64_t t_measure; /* start of the measured window */
	uint64_t t_end;	    /* end of sending for -d (UINT64_MAX with -n) */
	bool abort;	    /* set by main before go: do not run */
};

/* Progress counters a worker publishes (relaxed atomic stores, read by main). */
struct load_progress {
	uint64_t ok, errors; /* so far, warm-up included */
	uint64_t p50, p99;   /* of the last finished interval, ns */
	uint64_t lag_p99;    /* open loop: schedule lag p99 of the measured part so far, ns */
	uint64_t done_ns;    /* when the worker finished, 0 while running */
	uint64_t connected;  /* connections open after the connect phase */
};

struct wconn;

struct worker {
	unsigned index;
	struct load_shared *sh;
	pthread_t thread;
	int epfd;

	struct wconn *conns;
	unsigned nconns;
	unsigned first_conn; /* global index of conns[0] */

	/* Budget and schedule. */
	uint64_t quota;	 /* -n: measured requests this worker sends (0: by time) */
	uint64_t issued; /* measured requests issued (sent or dropped) */
	bool sending_done;
	bool rate_mode;
	struct load_sched sched;
	uint64_t max_inflight; /* rate mode: due and unanswered, this worker */
	uint64_t inflight;     /* requests written and unanswered */
	uint64_t *backlog;     /* rate mode: intended times of due, unsent requests */
	size_t bl_head, bl_len, bl_cap;
	unsigned *ready; /* stack of connections that can take a request */
	unsigned nready;

	/* Buffers reused for every read. */
	char *rbuf;
	size_t rbuf_size;

	struct load_stats stats;
	void *tstate;		 /* protocol thread state */
	unsigned last_note_kind; /* kind of the latest load_conn_note (for FAIL) */
	uint64_t last_done_ns;	 /* latest completion of a measured request */
	uint64_t down_since;	 /* closed loop -n: since when no connection is open */
	uint64_t next_tick_ns;
	uint64_t tick_ns;
	uint64_t next_iv_ns; /* next interval boundary (progress publication) */
	size_t published_iv;
	struct load_progress progress;
	char errbuf[256]; /* setup failure of this worker, or "" */
};

/* Prepares w for thread index (allocations, sockets come later in the thread). */
void worker_init(struct worker *w, unsigned index, struct load_shared *sh);
/* Thread entry: connect, wait for the barriers, run, drain. arg is the worker. */
void *worker_main(void *arg);
void worker_release(struct worker *w);

/*
 * Set from a signal handler: every worker stops sending, drains, and ends. Atomic (and
 * lock-free, so async-signal-safe): read by every worker thread.
 */
extern _Atomic int load_stop_requested;

#endif
