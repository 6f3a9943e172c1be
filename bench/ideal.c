/*
 * ideal.c — the floor the fan-out benchmark compares against: a minimal
 * WebSocket broadcaster. One epoll loop per core (SO_REUSEPORT listeners),
 * no storage, no JSON: an HTTP POST's body becomes one text frame, built
 * once, and every loop send()s it to each of its readers.
 *
 *   ideal [--listen 127.0.0.1:PORT] [--threads N] [--max-out BYTES] [--chunk N]
 *
 * GET with "Upgrade: websocket" on any path: a reader (the first offered
 * subprotocol is echoed). POST on any path: broadcast the body, answer 204.
 * Readers' own frames are read and ignored; EOF closes. A reader whose
 * unsent bytes pass --max-out is dropped (the bound every real server has).
 * A loop sends a frame to at most --chunk readers (default 1024, 0: all)
 * before it looks at its sockets again: on a machine whose cores the
 * readers share, one sweep of ten thousand sends in a row starves them and
 * is not the floor. (A reader closed mid-sweep swaps the last reader into
 * its slot, which may then miss that frame; readers do not close during a
 * fan-out run.)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wsutil.h"

#define MAX_THREADS 64
#define MAX_REQ     (1 << 20)

struct frame {
	atomic_int refs;
	size_t len;
	char data[];
};

enum kind { C_HTTP, C_WS };

struct conn {
	int fd;
	enum kind kind;
	size_t idx;              /* position in the loop's reader array */
	char *in;
	size_t inlen, incap;
	char *out;
	size_t outlen, outoff, outcap;
	bool want_out, dead;
	struct conn *next_dead;
};

struct loop {
	pthread_t th;
	int ep, lfd, evfd;
	struct conn **readers;
	size_t nreaders, capreaders;
	pthread_mutex_t mu;      /* guards mail */
	struct frame **mail;
	size_t nmail, capmail;
	struct conn *graveyard;  /* closed this round; freed after the event batch */
	struct frame *cur;       /* the frame being swept out, from reader cur_i on */
	size_t cur_i;
	int64_t accept_paused;   /* out of descriptors: accept again after this */
};

static struct loop loops[MAX_THREADS];
static int nloops = 1;
static size_t max_out = 8 << 20;
static size_t chunk = 1024;
static struct sockaddr_in listen_addr;
static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void frame_unref(struct frame *f)
{
	if (atomic_fetch_sub(&f->refs, 1) == 1)
		free(f);
}

/* One text frame around body: built once for all readers. */
static struct frame *frame_new(const char *body, size_t len)
{
	struct frame *f = malloc(sizeof(*f) + len + 10);
	size_t h = 2;

	if (!f)
		return NULL;
	f->data[0] = (char)0x81;
	if (len < 126) {
		f->data[1] = (char)len;
	} else if (len < 65536) {
		f->data[1] = 126;
		f->data[2] = (char)(len >> 8);
		f->data[3] = (char)len;
		h = 4;
	} else {
		f->data[1] = 127;
		for (int i = 0; i < 8; i++)
			f->data[2 + i] = (char)(len >> (56 - 8 * i));
		h = 10;
	}
	memcpy(f->data + h, body, len);
	f->len = h + len;
	atomic_init(&f->refs, 1);
	return f;
}

static int buf_append(char **buf, size_t *len, size_t *cap, const char *p, size_t n)
{
	if (*len + n > *cap) {
		size_t nc = *cap ? *cap : 4096;
		char *nb;

		while (nc < *len + n)
			nc *= 2;
		nb = realloc(*buf, nc);
		if (!nb)
			return -1;
		*buf = nb;
		*cap = nc;
	}
	memcpy(*buf + *len, p, n);
	*len += n;
	return 0;
}

/* Closes now, frees later: the current epoll batch may still name c. */
static void conn_close(struct loop *l, struct conn *c)
{
	if (c->dead)
		return;
	if (c->kind == C_WS) {
		struct conn *last = l->readers[--l->nreaders];

		l->readers[c->idx] = last;
		last->idx = c->idx;
	}
	close(c->fd);
	c->dead = true;
	c->next_dead = l->graveyard;
	l->graveyard = c;
}

static void loop_bury(struct loop *l)
{
	while (l->graveyard) {
		struct conn *c = l->graveyard;

		l->graveyard = c->next_dead;
		free(c->in);
		free(c->out);
		free(c);
	}
}

static void set_out_interest(struct loop *l, struct conn *c, bool want)
{
	struct epoll_event ev = { .events = EPOLLIN | (want ? EPOLLOUT : 0), .data.ptr = c };

	if (c->want_out == want)
		return;
	c->want_out = want;
	epoll_ctl(l->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Sends or queues n bytes. Returns 0, or -1 when the connection must go. */
static int conn_send(struct loop *l, struct conn *c, const char *p, size_t n)
{
	ssize_t w = 0;

	if (c->outlen == c->outoff) {
		c->outlen = c->outoff = 0;
		w = send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (w < 0)
			w = 0;
		if ((size_t)w == n)
			return 0;
	}
	if (c->outlen - c->outoff + n - (size_t)w > max_out)
		return -1;
	if (buf_append(&c->out, &c->outlen, &c->outcap, p + w, n - (size_t)w))
		return -1;
	set_out_interest(l, c, true);
	return 0;
}

static int conn_flush(struct loop *l, struct conn *c)
{
	while (c->outoff < c->outlen) {
		ssize_t w = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		c->outoff += (size_t)w;
	}
	c->outlen = c->outoff = 0;
	set_out_interest(l, c, false);
	return 0;
}

static void post_to_all(struct frame *f)
{
	uint64_t one = 1;

	for (int i = 0; i < nloops; i++) {
		struct loop *l = &loops[i];

		pthread_mutex_lock(&l->mu);
		if (l->nmail == l->capmail) {
			size_t nc = l->capmail ? 2 * l->capmail : 64;
			struct frame **nm = realloc(l->mail, nc * sizeof(*nm));

			if (!nm) {
				pthread_mutex_unlock(&l->mu);
				continue;
			}
			l->mail = nm;
			l->capmail = nc;
		}
		atomic_fetch_add(&f->refs, 1);
		l->mail[l->nmail++] = f;
		pthread_mutex_unlock(&l->mu);
		if (write(l->evfd, &one, sizeof(one)) < 0)
			perror("ideal: eventfd");
	}
}

static void loop_mail(struct loop *l)
{
	uint64_t v;

	if (read(l->evfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		perror("ideal: eventfd");
}

/* Sends the frame in hand to the next --chunk readers; true if more is owed. */
static bool loop_sweep(struct loop *l)
{
	size_t end;

	if (!l->cur) {
		pthread_mutex_lock(&l->mu);
		if (l->nmail) {
			l->cur = l->mail[0];
			memmove(l->mail, l->mail + 1, (l->nmail - 1) * sizeof(*l->mail));
			l->nmail--;
		}
		pthread_mutex_unlock(&l->mu);
		if (!l->cur)
			return false;
		l->cur_i = 0;
	}
	end = chunk ? l->cur_i + chunk : l->nreaders;
	while (l->cur_i < l->nreaders && l->cur_i < end) {
		struct conn *c = l->readers[l->cur_i];

		if (conn_send(l, c, l->cur->data, l->cur->len))
			conn_close(l, c);   /* the last reader moved into this slot */
		else
			l->cur_i++;
	}
	if (l->cur_i >= l->nreaders) {
		frame_unref(l->cur);
		l->cur = NULL;
	}
	return true;
}

/* Value of header `name` in the request head, or NULL; *len set. */
static const char *header(const char *head, size_t hlen, const char *name, size_t *len)
{
	size_t nl = strlen(name);
	const char *p = memchr(head, '\n', hlen), *end = head + hlen;

	while (p && p + 1 < end) {
		const char *line = p + 1, *eol = memchr(line, '\n', (size_t)(end - line));

		if (!eol)
			break;
		if ((size_t)(eol - line) > nl && !strncasecmp(line, name, nl) && line[nl] == ':') {
			const char *v = line + nl + 1;

			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			*len = (size_t)(eol - v);
			while (*len && (v[*len - 1] == '\r' || v[*len - 1] == ' '))
				(*len)--;
			return v;
		}
		p = eol;
	}
	return NULL;
}

static int upgrade(struct loop *l, struct conn *c, const char *head, size_t hlen)
{
	char resp[512], acc[32], proto[128] = "";
	size_t klen = 0, plen = 0;
	const char *key = header(head, hlen, "Sec-WebSocket-Key", &klen);
	const char *pr = header(head, hlen, "Sec-WebSocket-Protocol", &plen);
	int n;

	if (!key)
		return -1;
	ws_accept(key, klen, acc);
	if (pr && plen) {
		size_t k = 0;

		while (k < plen && pr[k] != ',' && k < 100)
			k++;
		snprintf(proto, sizeof(proto), "Sec-WebSocket-Protocol: %.*s\r\n", (int)k, pr);
	}
	n = snprintf(resp, sizeof(resp), "HTTP/1.1 101 Switching Protocols\r\n"
		     "Upgrade: websocket\r\nConnection: Upgrade\r\n"
		     "Sec-WebSocket-Accept: %s\r\n%s\r\n", acc, proto);
	if (l->nreaders == l->capreaders) {
		size_t nc = l->capreaders ? 2 * l->capreaders : 1024;
		struct conn **nr = realloc(l->readers, nc * sizeof(*nr));

		if (!nr)
			return -1;
		l->readers = nr;
		l->capreaders = nc;
	}
	c->kind = C_WS;
	c->idx = l->nreaders;
	l->readers[l->nreaders++] = c;
	return conn_send(l, c, resp, (size_t)n);
}

/* Handles complete requests in c->in. Returns -1 to close. */
static int http_input(struct loop *l, struct conn *c)
{
	static const char ok[] = "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n";
	static const char nf[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";

	while (c->kind == C_HTTP && c->inlen) {
		char *end = memmem(c->in, c->inlen, "\r\n\r\n", 4);
		size_t hlen, blen = 0, vlen;
		const char *v;

		if (!end)
			return c->inlen > 65536 ? -1 : 0;
		hlen = (size_t)(end - c->in) + 4;
		if ((v = header(c->in, hlen, "Content-Length", &vlen)))
			blen = strtoul(v, NULL, 10);
		if (blen > MAX_REQ)
			return -1;
		if (c->inlen < hlen + blen)
			return 0;
		if (!strncmp(c->in, "GET ", 4) && header(c->in, hlen, "Upgrade", &vlen)) {
			if (upgrade(l, c, c->in, hlen))
				return -1;
		} else if (!strncmp(c->in, "POST ", 5)) {
			struct frame *f = frame_new(c->in + hlen, blen);

			if (!f)
				return -1;
			post_to_all(f);
			frame_unref(f);
			if (conn_send(l, c, ok, sizeof(ok) - 1))
				return -1;
		} else if (conn_send(l, c, nf, sizeof(nf) - 1)) {
			return -1;
		}
		memmove(c->in, c->in + hlen + blen, c->inlen - hlen - blen);
		c->inlen -= hlen + blen;
	}
	if (c->kind == C_WS)
		c->inlen = 0;   /* readers' frames are ignored */
	return 0;
}

static int conn_readable(struct loop *l, struct conn *c)
{
	char buf[65536];

	for (;;) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n == 0)
			return -1;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		if (c->kind == C_WS)
			continue;
		if (buf_append(&c->in, &c->inlen, &c->incap, buf, (size_t)n) ||
		    http_input(l, c))
			return -1;
	}
}

static void loop_accept(struct loop *l)
{
	for (int k = 0; k < 256; k++) {
		int fd = accept4(l->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;
		struct epoll_event ev;
		int one = 1;

		if (fd < 0) {
			/* level-triggered: a full fd table would spin; pause accepting */
			if (errno == EMFILE || errno == ENFILE) {
				epoll_ctl(l->ep, EPOLL_CTL_DEL, l->lfd, NULL);
				l->accept_paused = now_us() + 100000;
			}
			return;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		c->fd = fd;
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			free(c);
		}
	}
}

static void *loop_run(void *arg)
{
	struct loop *l = arg;
	struct epoll_event evs[512];

	bool busy = false;

	while (!stopping) {
		int n = epoll_wait(l->ep, evs, 512, busy ? 0 : 200);

		for (int i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;
			struct conn *c = p;

			if (p == &l->lfd) {
				loop_accept(l);
				continue;
			}
			if (p == &l->evfd) {
				loop_mail(l);
				continue;
			}
			if (c->dead)
				continue;
			if ((evs[i].events & EPOLLOUT) && conn_flush(l, c)) {
				conn_close(l, c);
				continue;
			}
			if ((evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) &&
			    conn_readable(l, c))
				conn_close(l, c);
		}
		busy = loop_sweep(l);
		loop_bury(l);
		if (l->accept_paused && now_us() > l->accept_paused) {
			struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &l->lfd };

			l->accept_paused = 0;
			epoll_ctl(l->ep, EPOLL_CTL_ADD, l->lfd, &ev);
		}
	}
	return NULL;
}

static int loop_init(struct loop *l)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int one = 1;

	l->ep = epoll_create1(EPOLL_CLOEXEC);
	l->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	l->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (l->ep < 0 || l->lfd < 0 || l->evfd < 0)
		return -1;
	setsockopt(l->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(l->lfd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (bind(l->lfd, (struct sockaddr *)&listen_addr, sizeof(listen_addr)) ||
	    listen(l->lfd, 4096))
		return -1;
	pthread_mutex_init(&l->mu, NULL);
	ev.data.ptr = &l->lfd;
	epoll_ctl(l->ep, EPOLL_CTL_ADD, l->lfd, &ev);
	ev.data.ptr = &l->evfd;
	epoll_ctl(l->ep, EPOLL_CTL_ADD, l->evfd, &ev);
	return 0;
}

static int parse_listen(const char *v)
{
	char host[64];
	const char *colon = strrchr(v, ':');

	if (!colon || (size_t)(colon - v) >= sizeof(host))
		return -1;
	memcpy(host, v, (size_t)(colon - v));
	host[colon - v] = '\0';
	listen_addr.sin_family = AF_INET;
	listen_addr.sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &listen_addr.sin_addr) == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct rlimit rl;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	nloops = cores > 0 && cores < MAX_THREADS ? (int)cores : 1;
	if (parse_listen("127.0.0.1:8090"))
		return 2;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--listen") && i + 1 < argc) {
			if (parse_listen(argv[++i])) {
				fprintf(stderr, "ideal: bad --listen %s\n", argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
			nloops = atoi(argv[++i]);
			if (nloops < 1 || nloops > MAX_THREADS) {
				fprintf(stderr, "ideal: --threads must be 1..%d\n", MAX_THREADS);
				return 2;
			}
		} else if (!strcmp(argv[i], "--max-out") && i + 1 < argc) {
			max_out = strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--chunk") && i + 1 < argc) {
			chunk = strtoul(argv[++i], NULL, 10);
		} else {
			fprintf(stderr, "usage: ideal [--listen HOST:PORT] [--threads N] [--max-out BYTES] [--chunk N]\n");
			return 2;
		}
	}
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (int i = 0; i < nloops; i++)
		if (loop_init(&loops[i])) {
			perror("ideal: listen");
			return 1;
		}
	for (int i = 0; i < nloops; i++)
		pthread_create(&loops[i].th, NULL, loop_run, &loops[i]);
	for (int i = 0; i < nloops; i++)
		pthread_join(loops[i].th, NULL);
	return 0;
}
