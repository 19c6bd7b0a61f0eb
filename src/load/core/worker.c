#include "load/core/worker.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "common/timeutil.h"
#include "common/xalloc.h"

_Atomic int load_stop_requested;

enum conn_state {
	CONN_DOWN,	 /* closed; reconnects at reconnect_at */
	CONN_CONNECTING, /* non-blocking connect in progress */
	CONN_OPEN,
};

struct wconn {
	struct load_conn pub; /* first: protocols get &pub, the core casts back */
	struct worker *w;
	int fd;
	enum conn_state state;
	bool want_out;	   /* EPOLLOUT is registered */
	bool in_ready;	   /* on the worker's ready stack */
	struct strbuf out; /* encoded bytes not yet written, from out_off */
	size_t out_off;
	struct strbuf in;      /* reply bytes not consumed yet */
	struct load_req *ring; /* outstanding requests: ring[(head + i) % cap], i < n */
	unsigned head, n, cap;
	uint64_t since_ns; /* connect start */
	uint64_t reconnect_at;
	uint64_t backoff_ns;
	uint32_t lib_events; /* library-driven: the epoll events registered for fd */
};

#define READ_BUF_SIZE (64 * 1024)
#define BACKOFF_MIN_NS 10000000ull   /* 10 ms */
#define BACKOFF_MAX_NS 1000000000ull /* 1 s */

static struct wconn *conn_of(struct load_conn *c)
{
	return (struct wconn *)c;
}

static size_t max_buffer(const struct worker *w)
{
	return w->sh->target->max_buffer ? w->sh->target->max_buffer : 64 * 1024;
}

void load_conn_note(struct load_conn *pc, unsigned kind, const char *fmt, ...)
{
	struct worker *w = conn_of(pc)->w;
	char msg[LOAD_NOTE_MAX];
	va_list ap;
	w->last_note_kind = kind;
	if (kind >= LOAD_MAX_ERR_KINDS || w->stats.note[kind][0])
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	load_stats_note(&w->stats, kind, msg);
}

static bool measuring(const struct worker *w, uint64_t t)
{
	return t >= w->sh->t_measure;
}

/* Records a finished request and tells the protocol. */
static void finish(struct worker *w, struct wconn *c, struct load_req *req, uint64_t now)
{
	if (!req->warmup && now > w->last_done_ns)
		w->last_done_ns = now;
	load_stats_record(&w->stats, req, now, w->sh->t_measure);
	if (w->sh->proto->complete)
		w->sh->proto->complete(&c->pub, req, now);
	w->inflight--;
}

static void ready_push(struct worker *w, struct wconn *c)
{
	if (c->in_ready || c->state != CONN_OPEN || c->n >= c->cap)
		return;
	c->in_ready = true;
	w->ready[w->nready++] = (unsigned)(c - w->conns);
}

/* A connection that can take one more request now, or NULL. */
static struct wconn *ready_pop(struct worker *w)
{
	while (w->nready) {
		struct wconn *c = &w->conns[w->ready[--w->nready]];
		c->in_ready = false;
		if (c->state == CONN_OPEN && c->n < c->cap)
			return c;
	}
	return NULL;
}

static void ep_set(struct worker *w, struct wconn *c, int op, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };
	epoll_ctl(w->epfd, op, c->fd, &ev);
}

static void conn_close(struct worker *w, struct wconn *c, unsigned kind, uint64_t now);
static bool any_open(const struct worker *w);
static void conn_connected(struct worker *w, struct wconn *c, uint64_t now);
static void conn_refill(struct worker *w, struct wconn *c, uint64_t now);

/* Whether the protocol's client library owns the sockets (proto.h, lib_*). */
static bool lib_mode(const struct worker *w)
{
	return w->sh->proto->lib_resume != NULL;
}

/* Library-driven: (re)registers the socket the protocol waits on, if it changed. */
static void lib_wait(struct worker *w, struct wconn *c, const struct load_wait *wt)
{
	uint32_t ev = (wt->events & LOAD_IO_READ ? EPOLLIN : 0u) |
		      (wt->events & LOAD_IO_WRITE ? EPOLLOUT : 0u);
	struct epoll_event e = { .events = ev, .data.ptr = c };
	if (wt->fd != c->fd) {
		/* The library may have closed the old socket already (then it left the
		 * set by itself); an error here is expected then. */
		if (c->fd >= 0)
			epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
		c->fd = wt->fd;
		c->lib_events = ev;
		epoll_ctl(w->epfd, EPOLL_CTL_ADD, c->fd, &e);
		return;
	}
	if (ev == c->lib_events)
		return;
	c->lib_events = ev;
	if (epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &e) < 0 && errno == ENOENT)
		epoll_ctl(w->epfd, EPOLL_CTL_ADD, c->fd, &e);
}

/* Library-driven: acts on what lib_connect, lib_send or lib_resume answered. */
static void lib_step(struct worker *w, struct wconn *c, enum load_step st,
		     const struct load_wait *wt, uint64_t now)
{
	if (st == LOAD_MORE) {
		lib_wait(w, c, wt);
		return;
	}
	if (st == LOAD_FAIL) {
		conn_close(w, c, c->state == CONN_CONNECTING ? LOAD_ERR_CONNECT : w->last_note_kind,
			   now);
		return;
	}
	/* DONE: *wt is what to watch while the connection idles (a hang-up). */
	lib_wait(w, c, wt);
	if (c->state == CONN_CONNECTING) {
		conn_connected(w, c, now);
		return;
	}
	if (c->n) {
		struct load_req *req = &c->ring[c->head];
		c->head = (c->head + 1) % c->cap;
		c->n--;
		finish(w, c, req, now);
	}
	conn_refill(w, c, now);
}

/* Library-driven: the socket of c is ready (revents: epoll events). */
static void lib_event(struct worker *w, struct wconn *c, uint32_t ev)
{
	uint64_t now = mono_ns();
	struct load_wait wt = { c->fd, 0 };
	unsigned io = (ev & (EPOLLIN | EPOLLHUP | EPOLLERR) ? LOAD_IO_READ : 0u) |
		      (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR) ? LOAD_IO_WRITE : 0u);
	struct load_req *req = c->state == CONN_OPEN && c->n ? &c->ring[c->head] : NULL;
	enum load_step st;
	if (c->state == CONN_DOWN)
		return;
	w->last_note_kind = LOAD_ERR_PROTOCOL;
	st = w->sh->proto->lib_resume(&c->pub, req, io, &wt, now);
	if (st == LOAD_DONE && c->state == CONN_OPEN && !req) {
		lib_wait(w, c, &wt); /* an idle connection that stays usable */
		return;
	}
	lib_step(w, c, st, &wt, now);
}

/* Writes what is pending; asks for EPOLLOUT only when the socket is full. */
static void conn_flush(struct worker *w, struct wconn *c, uint64_t now)
{
	while (c->out_off < c->out.len) {
		/* MSG_NOSIGNAL: a peer that closed gives EPIPE here, not a SIGPIPE that
		 * would end the whole process. */
		ssize_t r =
		    send(c->fd, c->out.buf + c->out_off, c->out.len - c->out_off, MSG_NOSIGNAL);
		if (r > 0) {
			c->out_off += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!c->want_out) {
				c->want_out = true;
				ep_set(w, c, EPOLL_CTL_MOD, EPOLLIN | EPOLLOUT);
			}
			return;
		}
		load_conn_note(&c->pub, LOAD_ERR_WRITE, "write: %s", strerror(errno));
		conn_close(w, c, LOAD_ERR_WRITE, now);
		return;
	}
	strbuf_reset(&c->out);
	c->out_off = 0;
	if (c->want_out) {
		c->want_out = false;
		ep_set(w, c, EPOLL_CTL_MOD, EPOLLIN);
	}
}

/* Encodes one request on c, due at intended (now in closed loop). No write yet. */
static void conn_issue(struct worker *w, struct wconn *c, uint64_t intended, uint64_t now)
{
	struct load_req *req = &c->ring[(c->head + c->n) % c->cap];
	void *priv = req->priv;
	memset(req, 0, sizeof(*req));
	req->priv = priv;
	req->intended_ns = intended;
	req->sent_ns = now;
	req->warmup = !measuring(w, intended);
	c->n++;
	w->inflight++;
	if (lib_mode(w)) {
		struct load_wait wt = { c->fd, 0 };
		enum load_step st;
		w->last_note_kind = LOAD_ERR_WRITE;
		st = w->sh->proto->lib_send(&c->pub, req, &wt, now);
		c->pub.seq++;
		lib_step(w, c, st == LOAD_DONE ? LOAD_MORE : st, &wt, now);
		return;
	}
	w->sh->proto->encode(&c->pub, req, &c->out);
	c->pub.seq++;
}

/* Closed loop: whether one more request may be issued now, and counts it. */
static bool closed_take(struct worker *w, uint64_t now)
{
	if (w->sending_done)
		return false;
	if (measuring(w, now)) {
		if (w->quota && w->issued >= w->quota) {
			w->sending_done = true;
			return false;
		}
		w->issued++;
	}
	return true;
}

/* Fills c up to its pipeline depth (closed loop) or from the backlog (rate mode). */
static void conn_refill(struct worker *w, struct wconn *c, uint64_t now)
{
	if (c->state != CONN_OPEN)
		return;
	if (w->rate_mode) {
		while (c->state == CONN_OPEN && c->n < c->cap && w->bl_len) {
			uint64_t t = w->backlog[w->bl_head];
			w->bl_head = (w->bl_head + 1) % w->bl_cap;
			w->bl_len--;
			conn_issue(w, c, t, now);
		}
		ready_push(w, c);
	} else {
		while (c->state == CONN_OPEN && c->n < c->cap && closed_take(w, now))
			conn_issue(w, c, now, now);
	}
	if (c->state == CONN_OPEN && c->out.len > c->out_off && !c->want_out)
		conn_flush(w, c, mono_ns());
}

static void conn_connected(struct worker *w, struct wconn *c, uint64_t now)
{
	int one = 1;
	c->state = CONN_OPEN;
	c->backoff_ns = 0;
	c->want_out = false;
	if (lib_mode(w)) {
		/* The library set its socket up; the connection idles until a request. */
		conn_refill(w, c, now);
		return;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ep_set(w, c, EPOLL_CTL_MOD, EPOLLIN);
	if (w->sh->proto->conn_reset)
		w->sh->proto->conn_reset(&c->pub);
	if (w->sh->proto->on_connect)
		w->sh->proto->on_connect(&c->pub, &c->out);
	conn_refill(w, c, now);
}

/* Starts a non-blocking connect; failures are counted and retried later. */
static void conn_open(struct worker *w, struct wconn *c, uint64_t now)
{
	const struct load_shared *sh = w->sh;
	int fd;
	c->since_ns = now;
	if (lib_mode(w)) {
		struct load_wait wt = { -1, 0 };
		enum load_step st;
		c->fd = -1;
		c->lib_events = 0;
		c->state = CONN_CONNECTING;
		if (sh->proto->conn_reset)
			sh->proto->conn_reset(&c->pub);
		st = sh->proto->lib_connect(&c->pub, &wt, now);
		if (st == LOAD_FAIL) {
			sh->proto->lib_close(&c->pub);
			c->state = CONN_DOWN;
			goto fail;
		}
		lib_step(w, c, st, &wt, now);
		return;
	}
	fd = socket(sh->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		load_conn_note(&c->pub, LOAD_ERR_CONNECT, "socket: %s", strerror(errno));
		goto fail;
	}
	c->fd = fd;
	if (connect(fd, (const struct sockaddr *)&sh->addr, sh->addrlen) < 0 &&
	    errno != EINPROGRESS) {
		load_conn_note(&c->pub, LOAD_ERR_CONNECT, "connect to %s: %s", sh->target->display,
			       strerror(errno));
		close(fd);
		c->fd = -1;
		goto fail;
	}
	c->state = CONN_CONNECTING;
	ep_set(w, c, EPOLL_CTL_ADD, EPOLLOUT);
	return;
fail:
	load_stats_count_error(&w->stats, LOAD_ERR_CONNECT);
	c->state = CONN_DOWN;
	c->backoff_ns = c->backoff_ns ? c->backoff_ns * 2 : BACKOFF_MIN_NS;
	if (c->backoff_ns > BACKOFF_MAX_NS)
		c->backoff_ns = BACKOFF_MAX_NS;
	c->reconnect_at = now + c->backoff_ns;
}

/*
 * Closes c: its outstanding requests fail with kind (none if LOAD_OK: a clean close
 * asked by the protocol after its last reply), and it reconnects.
 */
static void conn_close(struct worker *w, struct wconn *c, unsigned kind, uint64_t now)
{
	bool was_connecting = c->state == CONN_CONNECTING;
	if (lib_mode(w)) {
		if (c->fd >= 0)
			epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
		w->sh->proto->lib_close(&c->pub);
	} else if (c->fd >= 0) {
		close(c->fd); /* also leaves the epoll set */
	}
	c->fd = -1;
	c->state = CONN_DOWN;
	while (c->n) {
		struct load_req *req = &c->ring[c->head];
		req->err = kind != LOAD_OK ? kind : LOAD_ERR_READ;
		c->head = (c->head + 1) % c->cap;
		c->n--;
		finish(w, c, req, now);
	}
	c->head = 0;
	strbuf_reset(&c->out);
	c->out_off = 0;
	strbuf_reset(&c->in);
	c->want_out = false;
	if (was_connecting) {
		load_stats_count_error(&w->stats, LOAD_ERR_CONNECT);
		c->backoff_ns = c->backoff_ns ? c->backoff_ns * 2 : BACKOFF_MIN_NS;
		if (c->backoff_ns > BACKOFF_MAX_NS)
			c->backoff_ns = BACKOFF_MAX_NS;
	} else {
		c->backoff_ns = 0;
	}
	c->reconnect_at = now + c->backoff_ns;
	if (!c->backoff_ns && !w->sending_done && !load_stop_requested)
		conn_open(w, c, now);
}

/* Feeds data to the parser; returns the bytes consumed, or -1 if c was closed. */
static ssize_t conn_parse(struct worker *w, struct wconn *c, const char *data, size_t len,
			  uint64_t now)
{
	const struct load_proto *p = w->sh->proto;
	size_t off = 0;
	for (;;) {
		struct load_req *req = c->n ? &c->ring[c->head] : NULL;
		size_t used = 0;
		enum load_step st;
		if (off == len)
			break;
		w->last_note_kind = LOAD_ERR_PROTOCOL;
		st = p->parse(&c->pub, req, data + off, len - off, &used, now);
		if (used > len - off)
			used = len - off;
		off += used;
		if (st == LOAD_MORE)
			break;
		if (st == LOAD_FAIL || !req) {
			if (st != LOAD_FAIL)
				load_conn_note(&c->pub, LOAD_ERR_PROTOCOL,
					       "a reply arrived with no request outstanding");
			conn_close(w, c, w->last_note_kind, now);
			return -1;
		}
		c->head = (c->head + 1) % c->cap;
		c->n--;
		finish(w, c, req, now);
		if (c->pub.close_after) {
			c->pub.close_after = false;
			conn_close(w, c, LOAD_OK, now);
			return -1;
		}
	}
	return (ssize_t)off;
}

static void conn_readable(struct worker *w, struct wconn *c)
{
	for (;;) {
		ssize_t r = read(c->fd, w->rbuf, w->rbuf_size);
		uint64_t now = mono_ns();
		ssize_t used;
		if (r == 0) {
			const struct load_proto *p = w->sh->proto;
			struct load_req *req = c->n ? &c->ring[c->head] : NULL;
			/* A reply that ends with the connection (HTTP body until close). */
			if (req && p->eof && p->eof(&c->pub, req, now) == LOAD_DONE) {
				c->head = (c->head + 1) % c->cap;
				c->n--;
				finish(w, c, req, now);
			}
			if (c->n)
				load_conn_note(&c->pub, LOAD_ERR_READ,
					       "the server closed the connection");
			conn_close(w, c, LOAD_ERR_READ, now);
			return;
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			load_conn_note(&c->pub, LOAD_ERR_READ, "read: %s", strerror(errno));
			conn_close(w, c, LOAD_ERR_READ, now);
			return;
		}
		if (c->in.len) {
			/* Bytes kept from an earlier read come first. */
			strbuf_add(&c->in, w->rbuf, (size_t)r);
			used = conn_parse(w, c, c->in.buf, c->in.len, now);
			if (used < 0)
				return;
			memmove(c->in.buf, c->in.buf + used, c->in.len - (size_t)used);
			strbuf_setlen(&c->in, c->in.len - (size_t)used);
		} else {
			used = conn_parse(w, c, w->rbuf, (size_t)r, now);
			if (used < 0)
				return;
			if ((size_t)used < (size_t)r)
				strbuf_add(&c->in, w->rbuf + used, (size_t)r - (size_t)used);
		}
		if (c->in.len > max_buffer(w)) {
			load_conn_note(&c->pub, LOAD_ERR_PROTOCOL,
				       "a reply exceeded the buffer cap of %zu bytes",
				       max_buffer(w));
			conn_close(w, c, LOAD_ERR_PROTOCOL, now);
			return;
		}
		if ((size_t)r < w->rbuf_size)
			break;
	}
	conn_refill(w, c, mono_ns());
}

static void conn_event(struct worker *w, struct wconn *c, uint32_t ev)
{
	uint64_t now = mono_ns();
	if (lib_mode(w)) {
		lib_event(w, c, ev);
		return;
	}
	if (c->state == CONN_CONNECTING) {
		int soerr = 0;
		if (!(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return; /* stale event of an earlier socket */
		socklen_t len = sizeof(soerr);
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
			soerr = errno;
		if (soerr) {
			load_conn_note(&c->pub, LOAD_ERR_CONNECT, "connect to %s: %s",
				       w->sh->target->display, strerror(soerr));
			conn_close(w, c, LOAD_ERR_CONNECT, now);
			return;
		}
		conn_connected(w, c, now);
		return;
	}
	if (c->state != CONN_OPEN)
		return;
	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		conn_readable(w, c);
		if (c->state != CONN_OPEN)
			return;
	}
	if ((ev & EPOLLOUT) && c->want_out)
		conn_flush(w, c, now);
}

/* Rate mode: a request is due at t. Sends it, queues it, or drops it. */
static void dispatch(struct worker *w, uint64_t t, uint64_t now)
{
	struct wconn *c;
	bool measured = measuring(w, t);
	if (w->inflight + w->bl_len >= w->max_inflight) {
		if (measured)
			w->stats.dropped++;
		return;
	}
	c = ready_pop(w);
	if (c) {
		conn_issue(w, c, t, now);
		ready_push(w, c);
		if (c->state == CONN_OPEN && !c->want_out && !lib_mode(w))
			conn_flush(w, c, now);
		return;
	}
	w->backlog[(w->bl_head + w->bl_len) % w->bl_cap] = t;
	w->bl_len++;
}

/* Rate mode: issues every request due by now. */
static void rate_tick(struct worker *w, uint64_t now)
{
	while (!w->sending_done && load_sched_peek(&w->sched) <= now) {
		uint64_t t = load_sched_peek(&w->sched);
		if (t >= w->sh->t_end || load_stop_requested) {
			w->sending_done = true;
			break;
		}
		if (measuring(w, t)) {
			if (w->quota && w->issued >= w->quota) {
				w->sending_done = true;
				break;
			}
			w->issued++;
		}
		load_sched_advance(&w->sched);
		dispatch(w, t, now);
	}
}

/* Periodic work: request and connect timeouts, reconnects, progress. */
static void tick(struct worker *w, uint64_t now)
{
	uint64_t timeout_ns = w->sh->opts->timeout_us * 1000;
	for (unsigned i = 0; i < w->nconns; i++) {
		struct wconn *c = &w->conns[i];
		if (c->state == CONN_OPEN && c->n && now - c->ring[c->head].sent_ns > timeout_ns) {
			load_conn_note(&c->pub, LOAD_ERR_TIMEOUT, "no reply within %.3f s",
				       (double)timeout_ns / 1e9);
			conn_close(w, c, LOAD_ERR_TIMEOUT, now);
		} else if (c->state == CONN_CONNECTING && now - c->since_ns > timeout_ns) {
			load_conn_note(&c->pub, LOAD_ERR_CONNECT, "connect to %s: timed out",
				       w->sh->target->display);
			conn_close(w, c, LOAD_ERR_CONNECT, now);
		} else if (c->state == CONN_DOWN && now >= c->reconnect_at && !w->sending_done &&
			   !load_stop_requested) {
			conn_open(w, c, now);
		}
	}
	/* -n in a closed loop ends only when requests are answered: if no connection
	 * could be opened for a whole --timeout, stop and count the rest as dropped. */
	if (!w->rate_mode && w->quota && !w->sending_done) {
		if (any_open(w))
			w->down_since = 0;
		else if (!w->down_since)
			w->down_since = now;
		else if (now - w->down_since > timeout_ns)
			w->sending_done = true;
	}
	/* Publish the last finished interval for the progress line. */
	if (w->stats.niv > 1 && w->published_iv < w->stats.niv - 1) {
		const struct load_interval *iv = &w->stats.iv[w->stats.niv - 2];
		w->published_iv = w->stats.niv - 1;
		__atomic_store_n(&w->progress.p50, hist_percentile(&iv->latency, 50),
				 __ATOMIC_RELAXED);
		__atomic_store_n(&w->progress.p99, hist_percentile(&iv->latency, 99),
				 __ATOMIC_RELAXED);
		/* Once per interval, on this thread: the histogram is this thread's. */
		if (w->rate_mode)
			__atomic_store_n(&w->progress.lag_p99, hist_percentile(&w->stats.lag, 99),
					 __ATOMIC_RELAXED);
	}
}

static bool all_idle(const struct worker *w)
{
	if (w->bl_len)
		return false;
	for (unsigned i = 0; i < w->nconns; i++)
		if (w->conns[i].n)
			return false;
	return true;
}

static bool any_open(const struct worker *w)
{
	for (unsigned i = 0; i < w->nconns; i++)
		if (w->conns[i].state == CONN_OPEN)
			return true;
	return false;
}

/* Waits for events until deadline (absolute, ns) and handles them. */
static void poll_once(struct worker *w, uint64_t deadline)
{
	struct epoll_event evs[256];
	uint64_t now = mono_ns();
	uint64_t wait = deadline > now ? deadline - now : 0;
	struct timespec ts = { (time_t)(wait / 1000000000ull), (long)(wait % 1000000000ull) };
	int n = epoll_pwait2(w->epfd, evs, (int)(sizeof(evs) / sizeof(evs[0])), &ts, NULL);
	for (int i = 0; i < n; i++)
		conn_event(w, evs[i].data.ptr, evs[i].events);
	/* Plain stores on x86: cheap enough for every wake-up, and exact for progress. */
	__atomic_store_n(&w->progress.ok, w->stats.ok + w->stats.warm_ok, __ATOMIC_RELAXED);
	__atomic_store_n(&w->progress.errors, w->stats.errors + w->stats.warm_errors,
			 __ATOMIC_RELAXED);
}

/* Connect phase: every connection once, until each is open or failed (or timeout). */
static void connect_all(struct worker *w)
{
	uint64_t start = mono_ns(), limit = start + w->sh->opts->timeout_us * 1000;
	w->sending_done = true; /* connected connections must not send yet */
	for (unsigned i = 0; i < w->nconns; i++)
		conn_open(w, &w->conns[i], start);
	for (;;) {
		unsigned pending = 0;
		for (unsigned i = 0; i < w->nconns; i++)
			pending += w->conns[i].state == CONN_CONNECTING;
		if (!pending || mono_ns() >= limit)
			break;
		poll_once(w, limit);
	}
	for (unsigned i = 0; i < w->nconns; i++) {
		struct wconn *c = &w->conns[i];
		w->progress.connected += c->state == CONN_OPEN;
		if (c->state == CONN_CONNECTING)
			load_conn_note(
			    &c->pub, LOAD_ERR_CONNECT, "connect to %s: no answer within %.3f s",
			    w->sh->target->display, (double)w->sh->opts->timeout_us / 1e6);
	}
	w->sending_done = false;
}

static void run_loop(struct worker *w)
{
	const struct load_shared *sh = w->sh;
	uint64_t now = mono_ns();
	w->tick_ns = sh->opts->timeout_us * 1000 / 10;
	if (w->tick_ns > 100000000ull)
		w->tick_ns = 100000000ull;
	if (w->tick_ns < 1000000ull)
		w->tick_ns = 1000000ull;
	w->next_tick_ns = now + w->tick_ns;
	if (w->rate_mode) {
		for (unsigned i = 0; i < w->nconns; i++)
			ready_push(w, &w->conns[i]);
	} else {
		for (unsigned i = 0; i < w->nconns; i++)
			conn_refill(w, &w->conns[i], now);
	}
	for (;;) {
		uint64_t deadline;
		now = mono_ns();
		if (!w->sending_done && (load_stop_requested || now >= sh->t_end))
			w->sending_done = true;
		if (w->rate_mode)
			rate_tick(w, now);
		if (now >= w->next_tick_ns) {
			tick(w, now);
			w->next_tick_ns = now + w->tick_ns;
		}
		if (w->sending_done && all_idle(w))
			break;
		/* Nothing can arrive any more: what is queued was never sent. */
		if (w->sending_done && !any_open(w))
			break;
		deadline = w->next_tick_ns;
		if (!w->sending_done && sh->t_end < deadline)
			deadline = sh->t_end;
		if (w->rate_mode && !w->sending_done && load_sched_peek(&w->sched) < deadline)
			deadline = load_sched_peek(&w->sched);
		poll_once(w, deadline);
	}
	/* Requests due but never sent: still queued, or (-n) never issued. */
	for (size_t i = 0; i < w->bl_len; i++)
		if (measuring(w, w->backlog[(w->bl_head + i) % w->bl_cap]))
			w->stats.dropped++;
	w->bl_len = 0;
	if (w->quota)
		w->stats.dropped += w->quota - w->issued;
}

void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct load_shared *sh = w->sh;
	/* Wake up at the scheduled time, not up to the default 50 us of timer slack
	 * later: that slack would show as schedule lag in every open-loop run. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0)
		snprintf(w->errbuf, sizeof(w->errbuf), "epoll_create1: %s", strerror(errno));
	else
		connect_all(w);
	__atomic_add_fetch(&sh->nready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&sh->go, __ATOMIC_ACQUIRE))
		sleep_us(200);
	if (!sh->abort && w->epfd >= 0) {
		if (w->rate_mode) {
			/* Constant gaps: worker i starts i/R later, so that the workers
			 * interleave into one even stream instead of firing together. */
			uint64_t start = sh->t0;
			if (sh->opts->arrival == LOAD_ARRIVAL_CONSTANT)
				start += (uint64_t)(1e9 * w->index / sh->opts->rate);
			load_sched_init(&w->sched, sh->opts->arrival,
					sh->opts->rate / sh->opts->threads, sh->opts->burstiness,
					sh->opts->seed, w->index, start);
		}
		run_loop(w);
	}
	for (unsigned i = 0; i < w->nconns; i++) {
		struct wconn *c = &w->conns[i];
		if (lib_mode(w))
			sh->proto->lib_close(&c->pub);
		else if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
		c->state = CONN_DOWN;
	}
	__atomic_store_n(&w->progress.ok, w->stats.ok + w->stats.warm_ok, __ATOMIC_RELAXED);
	__atomic_store_n(&w->progress.errors, w->stats.errors + w->stats.warm_errors,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&w->progress.done_ns, mono_ns(), __ATOMIC_RELEASE);
	return NULL;
}

/* Share of total for part i of parts: the first (total % parts) get one more. */
static uint64_t share(uint64_t total, unsigned parts, unsigned i)
{
	return total / parts + (i < total % parts ? 1 : 0);
}

void worker_init(struct worker *w, unsigned index, struct load_shared *sh)
{
	const struct load_opts *o = sh->opts;
	const struct load_proto *p = sh->proto;
	memset(w, 0, sizeof(*w));
	w->index = index;
	w->sh = sh;
	w->epfd = -1;
	w->nconns = (unsigned)share(o->connections, o->threads, index);
	for (unsigned i = 0; i < index; i++)
		w->first_conn += (unsigned)share(o->connections, o->threads, i);
	w->quota = o->requests ? share(o->requests, o->threads, index) : 0;
	w->rate_mode = o->rate > 0;
	w->rbuf_size = READ_BUF_SIZE;
	w->rbuf = xmalloc(w->rbuf_size);
	load_stats_init(&w->stats, sh->target->nkinds, (uint64_t)o->interval_ms * 1000000ull);
	w->tstate = p->thread_init ? p->thread_init(sh->cfg, index) : NULL;
	w->conns = xcalloc(w->nconns, sizeof(*w->conns));
	w->ready = xcalloc(w->nconns, sizeof(*w->ready));
	for (unsigned i = 0; i < w->nconns; i++) {
		struct wconn *c = &w->conns[i];
		c->w = w;
		c->fd = -1;
		c->cap = p->lib_resume ? 1 : o->pipeline;
		c->ring = xcalloc(c->cap, sizeof(*c->ring));
		if (p->req_size)
			for (unsigned j = 0; j < c->cap; j++)
				c->ring[j].priv = xcalloc(1, p->req_size);
		strbuf_init(&c->out, 0);
		strbuf_init(&c->in, 0);
		c->pub.proto = p->conn_size ? xcalloc(1, p->conn_size) : NULL;
		c->pub.tstate = w->tstate;
		c->pub.cfg = sh->cfg;
		c->pub.thread = index;
		c->pub.index = w->first_conn + i;
	}
	if (w->rate_mode) {
		w->max_inflight = share(o->max_inflight, o->threads, index);
		w->bl_cap = w->max_inflight;
		w->backlog = xcalloc(w->bl_cap, sizeof(*w->backlog));
	}
}

void worker_release(struct worker *w)
{
	const struct load_proto *p = w->sh->proto;
	for (unsigned i = 0; i < w->nconns; i++) {
		struct wconn *c = &w->conns[i];
		if (p->lib_close)
			p->lib_close(&c->pub);
		else if (c->fd >= 0)
			close(c->fd);
		if (p->conn_release)
			p->conn_release(&c->pub);
		for (unsigned j = 0; j < c->cap; j++)
			free(c->ring[j].priv);
		free(c->ring);
		free(c->pub.proto);
		strbuf_release(&c->out);
		strbuf_release(&c->in);
	}
	free(w->conns);
	free(w->ready);
	free(w->backlog);
	free(w->rbuf);
	if (w->epfd >= 0)
		close(w->epfd);
	load_stats_release(&w->stats);
	if (w->tstate && p->thread_free)
		p->thread_free(w->sh->cfg, w->tstate);
	w->tstate = NULL;
}
