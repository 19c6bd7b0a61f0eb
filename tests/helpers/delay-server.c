/*
 * A fixed-delay test server for the load generator's accuracy tests: it speaks just
 * enough RESP to find where each request ends (any command, pipelined or not) and
 * answers every request with "+OK\r\n" exactly DELAY_US microseconds after the request
 * arrived, so a client's latency can be checked against a known value.
 *
 *     delay-server PORT DELAY_US
 *
 * It listens on 127.0.0.1:PORT, prints "ready" on stdout once listening, and runs until
 * SIGTERM. One thread, epoll; replies are due in arrival order, so a FIFO is the
 * schedule. A request's arrival is the time of the read that completed it.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "load/redis/resp.h"

#define MAX_FD 65536

struct client {
	struct resp_parser rp;
	struct strbuf in;
	uint64_t gen; /* tells a reused fd number from the client that had it before */
};

struct due {
	uint64_t at;
	uint64_t gen;
	int fd;
};

static struct client *clients[MAX_FD];
static struct due *queue;
static size_t q_head, q_len, q_cap;
static uint64_t next_gen;
static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static void enqueue(uint64_t at, int fd, uint64_t gen)
{
	if (q_len == q_cap) {
		size_t ncap = q_cap ? q_cap * 2 : 1024;
		struct due *nq = xcalloc(ncap, sizeof(*nq));
		for (size_t i = 0; i < q_len; i++)
			nq[i] = queue[(q_head + i) % q_cap];
		free(queue);
		queue = nq;
		q_head = 0;
		q_cap = ncap;
	}
	queue[(q_head + q_len) % q_cap] = (struct due){ at, gen, fd };
	q_len++;
}

static void drop(int epfd, int fd)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
	strbuf_release(&clients[fd]->in);
	free(clients[fd]);
	clients[fd] = NULL;
}

/* Reads what arrived and queues one reply per complete request. */
static void readable(int epfd, int fd, uint64_t delay_ns)
{
	struct client *c = clients[fd];
	char buf[65536];
	ssize_t n = read(fd, buf, sizeof(buf));
	uint64_t now = mono_ns();
	size_t off = 0;
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		drop(epfd, fd);
		return;
	}
	strbuf_add(&c->in, buf, (size_t)n);
	for (;;) {
		size_t used = 0;
		int r = resp_parse(&c->rp, c->in.buf + off, c->in.len - off, &used);
		off += used;
		if (r == RESP_ERROR) {
			drop(epfd, fd);
			return;
		}
		if (r == RESP_MORE)
			break;
		enqueue(now + delay_ns, fd, c->gen);
	}
	memmove(c->in.buf, c->in.buf + off, c->in.len - off);
	strbuf_setlen(&c->in, c->in.len - off);
}

/* Sends every reply that is due. */
static void flush_due(uint64_t now)
{
	while (q_len && queue[q_head].at <= now) {
		int fd = queue[q_head].fd;
		uint64_t gen = queue[q_head].gen;
		q_head = (q_head + 1) % q_cap;
		q_len--;
		if (clients[fd] && clients[fd]->gen == gen && write(fd, "+OK\r\n", 5) != 5) {
			/* A client that stopped reading; its next read will close it. */
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct epoll_event ev = { .events = EPOLLIN }, evs[256];
	int lfd, epfd, one = 1;
	uint64_t delay_ns;
	if (argc != 3) {
		fprintf(stderr, "usage: delay-server PORT DELAY_US\n");
		return 2;
	}
	sa.sin_port = htons((uint16_t)atoi(argv[1]));
	delay_ns = strtoull(argv[2], NULL, 10) * 1000;
	signal(SIGTERM, on_term);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 1024)) {
		perror("delay-server: bind");
		return 1;
	}
	epfd = epoll_create1(0);
	ev.data.fd = lfd;
	epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);
	printf("ready\n");
	fflush(stdout);
	while (!stopping) {
		uint64_t now = mono_ns(), wait = 100000000ull;
		if (q_len)
			wait = queue[q_head].at > now ? queue[q_head].at - now : 0;
		struct timespec ts = { (time_t)(wait / 1000000000ull),
				       (long)(wait % 1000000000ull) };
		int n = epoll_pwait2(epfd, evs, 256, &ts, NULL);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == lfd) {
				int cfd;
				while ((cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					if (cfd >= MAX_FD) {
						close(cfd);
						continue;
					}
					setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one,
						   sizeof(one));
					clients[cfd] = xcalloc(1, sizeof(struct client));
					clients[cfd]->gen = ++next_gen;
					strbuf_init(&clients[cfd]->in, 0);
					resp_parser_init(&clients[cfd]->rp);
					struct epoll_event cev = { .events = EPOLLIN,
								   .data.fd = cfd };
					epoll_ctl(epfd, EPOLL_CTL_ADD, cfd, &cev);
				}
			} else if (clients[fd]) {
				readable(epfd, fd, delay_ns);
			}
		}
		flush_due(mono_ns());
	}
	return 0;
}
