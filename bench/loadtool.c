/*
 * loadtool.c — the fan-out load tool: N WebSocket readers on epoll (spread
 * over child processes, each under RLIMIT_NOFILE), one HTTP publisher, and
 * per-reader, per-post accounting of what arrived and when.
 *
 * With --deflate the readers offer permessage-deflate (RFC 7692) as
 * browsers do; a compressed message is inflated (one zlib stream per
 * process, reset per message: both sides take no context) and its text
 * checked like a plain one, and the bytes on the wire per delivery are
 * reported next to the bytes of text. A process keeps its last few
 * inflated messages: a payload byte-identical to one of them (the server
 * sends every reader the same bytes) takes its text without inflating
 * again, so the tool's cost per delivery stays near a plain one's; the
 * report counts those. --texts FILE posts the texts of a
 * JSON-lines file (demo/article-fr.jsonl) instead of a filler.
 *
 * The parent creates the blog (liveblogd mode), forks the reader processes,
 * publishes posts at a fixed rate, each text stamped "LB#run#n#send_us#",
 * and reads the server's RSS and CPU from /proc. Children connect their
 * readers (source addresses 127.0.0.2.. via bind(), paced), do the
 * WebSocket handshake themselves, and record for every delivery its latency
 * (receive time - send time, one monotonic clock) and a bit per reader and
 * post, from which missing and duplicate deliveries follow. They share one
 * MAP_SHARED block with the parent; phases move through it.
 *
 * Every wait is bounded (--max-time kills the run with SIGALRM), and only
 * loopback addresses (127.0.0.0/8) are accepted as targets.
 * `loadtool --help` lists the options.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "wsutil.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define MAXPROCS   16
#define MAXPOSTS   100000
#define NB         1536          /* histogram buckets, ~1.5 % wide */
#define WS_KEY     "dGhlIHNhbXBsZSBub25jZQ=="
#define RBUF       (256 * 1024)
#define ZOUT       (256 * 1024)  /* an inflated message (liveblogd's are < 100 KB) */
#define TEXTS_MAX  4096
#define ZCACHE     64            /* compressed messages remembered per process */

/* ---- a log-linear histogram of microseconds ---- */

struct hist {
	uint64_t n, b[NB];
	int64_t max;
	double sum;
};

static int hbucket(int64_t v)
{
	int e, b;

	if (v < 128)
		return v < 0 ? 0 : (int)v;
	e = 63 - __builtin_clzll((unsigned long long)v);
	b = 128 + (e - 7) * 64 + (int)((v >> (e - 6)) & 63);
	return b < NB ? b : NB - 1;
}

static int64_t hvalue(int b)
{
	int e, sub;

	if (b < 128)
		return b;
	e = (b - 128) / 64 + 7;
	sub = (b - 128) % 64;
	return ((int64_t)(64 + sub) << (e - 6)) + ((int64_t)1 << (e - 6)) / 2;
}

static void hadd(struct hist *h, int64_t v)
{
	h->b[hbucket(v)]++;
	h->n++;
	h->sum += (double)v;
	if (v > h->max)
		h->max = v;
}

static void hmerge(struct hist *into, const struct hist *h)
{
	for (int i = 0; i < NB; i++)
		into->b[i] += h->b[i];
	into->n += h->n;
	into->sum += h->sum;
	if (h->max > into->max)
		into->max = h->max;
}

/* The q-quantile in milliseconds (bucket midpoint, capped at the max). */
static double hq_ms(const struct hist *h, double q)
{
	uint64_t want, acc = 0;

	if (!h->n)
		return NAN;
	want = (uint64_t)ceil(q * (double)h->n);
	if (want < 1)
		want = 1;
	for (int i = 0; i < NB; i++) {
		acc += h->b[i];
		if (acc >= want) {
			int64_t v = hvalue(i);

			return (double)(v < h->max ? v : h->max) / 1000.0;
		}
	}
	return (double)h->max / 1000.0;
}

/* ---- options ---- */

struct opts {
	bool liveblogd;
	char ws_host[64], pub_host[64];
	int ws_port, pub_port;
	char ws_path[512], pub_path[512];
	const char *url, *pub, *protocol, *admin_token, *cursor, *resume_arg;
	char blog[72];
	int readers, procs, src_ips, max_pending, size, storm_posts, publishers;
	double connect_rate, rate, duration, warmup, drain, max_time, storm_timeout;
	bool storm, deflate;
	const char *server_pids, *redis_pid, *json, *server, *scenario, *texts;
	int redis_port;          /* > 0: count the storm's Redis commands */
	int nap_us;              /* readers' processes sleep this long between reads */
};

static struct opts o = {
	.liveblogd = true, .readers = 100, .src_ips = 32, .max_pending = 512,
	.size = 1024, .storm_posts = 20, .publishers = 1, .connect_rate = 2000, .rate = 10,
	.duration = 5, .warmup = 1, .drain = 10, .max_time = 900,
	.storm_timeout = 120, .cursor = NULL, .resume_arg = NULL,
	.server = "server", .scenario = "fanout",
};

/* ---- what the processes share ---- */

enum phase { PH_INIT, PH_CONNECT, PH_RUN, PH_DROP, PH_RECONNECT, PH_STOP };

struct cstats {
	long connected, conn_fail, refused, lost, closed_1008, closed_other;
	long unique, dups, extra, missing, caught_up, resumed, need_catchup;
	long run_deliveries;
	long deflated, bad_inflate;        /* readers that negotiated; messages that did not inflate */
	long inflated, zcache_hits;        /* compressed messages inflated; found identical to one */
	long long wire_bytes, text_bytes;  /* of the run's deliveries: frames as received, their text */
	int ready, dropped, done, first_refusal, first_errno;
	int64_t last_rx, t_caught_up;
	struct hist lat, conn;
};

struct shared {
	int phase;
	int nposts, posts_ok, storm_target;
	uint32_t run_id;
	int64_t t_first_post;
	uint8_t acked[MAXPOSTS];
	struct cstats c[MAXPROCS];
};

static struct shared *sh;

#define LOAD(x)     __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

/* ---- URL parsing: loopback only ---- */

/* "scheme://127.x.y.z:port/path" → host, port, path; {blog} expanded. */
static int parse_url(const char *url, const char *scheme, char *host, int *port,
		     char *path, size_t pathlen)
{
	size_t sl = strlen(scheme);
	const char *h = url + sl, *colon, *slash;
	struct in_addr a;
	char tmp[512];
	const char *b;

	if (strncmp(url, scheme, sl))
		return -1;
	slash = strchr(h, '/');
	colon = strchr(h, ':');
	if (!colon || (slash && colon > slash) || (size_t)(colon - h) >= 64)
		return -1;
	memcpy(host, h, (size_t)(colon - h));
	host[colon - h] = '\0';
	if (!strcmp(host, "localhost"))
		strcpy(host, "127.0.0.1");
	if (inet_pton(AF_INET, host, &a) != 1 || (ntohl(a.s_addr) >> 24) != 127) {
		fprintf(stderr, "loadtool: %s: only 127.0.0.0/8 targets are allowed\n", url);
		return -1;
	}
	*port = atoi(colon + 1);
	snprintf(tmp, sizeof(tmp), "%s", slash ? slash : "/");
	if ((b = strstr(tmp, "{blog}")))
		snprintf(path, pathlen, "%.*s%s%s", (int)(b - tmp), tmp, o.blog, b + 6);
	else
		snprintf(path, pathlen, "%s", tmp);
	return *port > 0 && *port < 65536 ? 0 : -1;
}

/* ---- /proc: the server's memory and CPU ---- */

struct procsample {
	long rss_kb;
	double cpu_s;
};

static void proc_read(int pid, struct procsample *s)
{
	char path[64], buf[2048], *p;
	FILE *f;
	unsigned long ut = 0, st = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "r"))) {
		while (fgets(buf, sizeof(buf), f))
			if (!strncmp(buf, "VmRSS:", 6))
				s->rss_kb += strtol(buf + 6, NULL, 10);
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "r"))) {
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);

		buf[n] = '\0';
		fclose(f);
		/* fields after the ")" of comm: state is field 3, utime 14, stime 15 */
		if ((p = strrchr(buf, ')')) &&
		    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			   &ut, &st) == 2)
			s->cpu_s += (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
	}
}

/* Sums over a comma-separated pid list (nginx: master and workers). */
static struct procsample proc_sample(const char *pids)
{
	struct procsample s = { 0, 0 };
	char buf[512], *save = NULL, *t;

	if (!pids || !*pids)
		return s;
	snprintf(buf, sizeof(buf), "%s", pids);
	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		proc_read(atoi(t), &s);
	return s;
}

/* ---- the publisher's HTTP/1.1 client (blocking, keep-alive) ---- */

#define MAXPUB 16
static __thread int http_fd = -1;    /* each publisher thread has its own */
static __thread int64_t http_used;   /* when http_fd last finished a request */
static int pub_fds[MAXPUB];
static pthread_mutex_t pub_mu = PTHREAD_MUTEX_INITIALIZER;

static int http_connect(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)o.pub_port) };
	struct timeval tv = { .tv_sec = 15 };
	int one = 1;

	inet_pton(AF_INET, o.pub_host, &a.sin_addr);
	http_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (http_fd < 0)
		return -1;
	setsockopt(http_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(http_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(http_fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(http_fd, (struct sockaddr *)&a, sizeof(a))) {
		close(http_fd);
		http_fd = -1;
		return -1;
	}
	return 0;
}

/* Writes head and body in one sendmsg (one segment where it fits). */
static int write_all2(int fd, const char *h, size_t hn, const char *b, size_t bn)
{
	struct iovec iov[2] = { { (void *)h, hn }, { (void *)b, bn } };
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };

	while (iov[0].iov_len + iov[1].iov_len) {
		ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL);

		if (w <= 0)
			return -1;
		for (int i = 0; i < 2 && w > 0; i++) {
			size_t k = (size_t)w < iov[i].iov_len ? (size_t)w : iov[i].iov_len;

			iov[i].iov_base = (char *)iov[i].iov_base + k;
			iov[i].iov_len -= k;
			w -= (ssize_t)k;
		}
		if (!iov[0].iov_len) {
			m.msg_iov = &iov[1];
			m.msg_iovlen = 1;
		}
	}
	return 0;
}

/* Case-insensitive header lookup in a response head; value or NULL. */
static const char *head_get(const char *head, const char *name)
{
	size_t nl = strlen(name);

	for (const char *p = strchr(head, '\n'); p && p[1]; p = strchr(p + 1, '\n'))
		if (!strncasecmp(p + 1, name, nl) && p[1 + nl] == ':')
			return p + 2 + nl;
	return NULL;
}

/* Reads one response into resp (NUL-terminated body). Returns status or -1. */
static int http_read(char *resp, size_t cap, bool *closing)
{
	static __thread char buf[1 << 16];
	size_t have = 0, hlen, blen = 0, got;
	char *end, *v;
	int status;
	bool chunked;

	for (;;) {
		ssize_t n = recv(http_fd, buf + have, sizeof(buf) - 1 - have, 0);

		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")))
			break;
		if (have >= sizeof(buf) - 1)
			return -1;
	}
	*end = '\0';
	hlen = (size_t)(end - buf) + 4;
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		return -1;
	v = (char *)head_get(buf, "Connection");
	*closing = v && strcasestr(v, "close");
	chunked = (v = (char *)head_get(buf, "Transfer-Encoding")) && strcasestr(v, "chunked");
	if ((v = (char *)head_get(buf, "Content-Length")))
		blen = strtoul(v, NULL, 10);
	got = have - hlen;
	memmove(buf, buf + hlen, got);
	/* Chunked: read until the terminating "0\r\n\r\n" and keep it raw. */
	while (chunked ? !(got >= 5 && !memcmp(buf + got - 5, "0\r\n\r\n", 5)) : got < blen) {
		ssize_t n;

		if (got >= sizeof(buf) - 1)
			return -1;
		n = recv(http_fd, buf + got, sizeof(buf) - 1 - got, 0);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	if (got >= cap)
		got = cap - 1;
	memcpy(resp, buf, got);
	resp[got] = '\0';
	return status;
}

/*
 * Closes http_fd if the server has closed it (liveblogd, as lws, drops an
 * HTTP/1.1 connection idle for 5 s) or sent something unasked: a request
 * written to it would get no answer, and a POST would be counted as failed
 * without the server ever seeing it. A reused connection's first byte can
 * still race the server's close; keeping the connections busy (pub_wait)
 * makes that rare.
 */
static void http_drop_stale(void)
{
	struct pollfd p = { .fd = http_fd, .events = POLLIN | POLLRDHUP };
	char c;

	if (http_fd < 0 || poll(&p, 1, 0) <= 0)
		return;
	if (!(p.revents & (POLLRDHUP | POLLHUP | POLLERR)) &&
	    recv(http_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) < 0 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	close(http_fd);
	http_fd = -1;
}

/* One request on the keep-alive connection. Returns the status, or -1. */
static int http_do(const char *method, const char *path, const char *token,
		   const char *ctype, const char *body, size_t blen,
		   char *resp, size_t cap)
{
	char head[1024];
	int n, st;
	bool closing = false;

	http_drop_stale();
	if (http_fd < 0 && http_connect())
		return -1;
	n = snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: %s:%d\r\n"
		     "Content-Type: %s\r\nContent-Length: %zu\r\n%s%s%s\r\n",
		     method, path, o.pub_host, o.pub_port, ctype, blen,
		     token ? "Authorization: Bearer " : "", token ? token : "",
		     token ? "\r\n" : "");
	if (write_all2(http_fd, head, (size_t)n, body, blen) ||
	    (st = http_read(resp, cap, &closing)) < 0) {
		close(http_fd);
		http_fd = -1;
		return -1;
	}
	if (closing) {
		close(http_fd);
		http_fd = -1;
	}
	http_used = now_us();
	return st;
}

#define KEEPALIVE_US 2000000   /* a request at least this often (server: 5 s) */

/* A cheap request on this thread's connection if it has been idle a while. */
static void ping_if_idle(void)
{
	char resp[4096];

	if (http_fd >= 0 && now_us() - http_used >= KEEPALIVE_US)
		http_do("GET", o.liveblogd ? "/healthz" : "/", NULL, "text/plain", "", 0,
			resp, sizeof(resp));
}

/* A cheap request now and then keeps the publisher's connections open. */
static void keep_alive(void)
{
	static int64_t last;
	char resp[4096];

	if (now_us() - last < KEEPALIVE_US)
		return;
	last = now_us();
	for (int k = 0; k < o.publishers; k++) {
		if ((http_fd = pub_fds[k]) < 0)
			continue;
		http_do("GET", o.liveblogd ? "/healthz" : "/", NULL, "text/plain", "", 0,
			resp, sizeof(resp));
		pub_fds[k] = http_fd;
	}
	http_fd = pub_fds[0];
}

/* ---- liveblogd: a fresh blog and its editor token ---- */

static char editor_token[256];

/* Creates the blog; a server still busy with the last run gets 30 s. */
static int create_blog(void)
{
	char body[256], resp[8192], *t;
	int n = snprintf(body, sizeof(body), "{\"id\":\"%s\",\"title\":\"bench %s\"}",
			 o.blog, o.blog);
	int64_t end = now_us() + 30000000;
	int st;

	while ((st = http_do("POST", "/api/blogs", o.admin_token, "application/json",
			     body, (size_t)n, resp, sizeof(resp))) < 0 && now_us() < end)
		sleep(1);
	if (st != 201 || !(t = strstr(resp, "\"editor_token\""))) {
		fprintf(stderr, "loadtool: POST /api/blogs: status %d: %.200s\n", st,
			st < 0 ? "no answer in 30 s" : resp);
		return -1;
	}
	t = strchr(t + 14, '"');
	if (!t || sscanf(t + 1, "%255[^\"]", editor_token) != 1)
		return -1;
	return 0;
}

/* ---- the publisher ---- */

static struct hist post_lat;
static int post_fail_status, post_fails;
static char *texts[TEXTS_MAX];   /* --texts: each a JSON string's inside, escaped */
static int ntexts;

/*
 * --texts FILE: the "text" of each JSON line, kept as written (still
 * escaped: it goes back into a JSON body as it is). 0, or -1.
 */
static int load_texts(const char *file)
{
	static char line[70000];
	FILE *f = fopen(file, "r");

	if (!f) {
		perror(file);
		return -1;
	}
	while (ntexts < TEXTS_MAX && fgets(line, sizeof(line), f)) {
		char *t = strstr(line, "\"text\""), *e;

		if (!t || !(t = strchr(t + 6, '"')))
			continue;
		for (e = ++t; *e && *e != '"'; e++)
			if (*e == '\\' && e[1])
				e++;
		if (*e != '"')
			continue;
		*e = '\0';
		if (!(texts[ntexts++] = strdup(t)))
			break;
	}
	fclose(f);
	if (!ntexts)
		fprintf(stderr, "loadtool: %s: no \"text\" in any line\n", file);
	return ntexts ? 0 : -1;
}

/* Publishes post number i; the text carries its send time. */
static void publish_one(int i)
{
	static __thread char text[70000], body[70100], resp[8192], path[600];
	int64_t t0 = now_us();
	int n = snprintf(text, sizeof(text), "LB#%08x#%d#%lld#", sh->run_id, i, (long long)t0);
	int st;
	size_t tl;

	if (ntexts) {
		n += snprintf(text + n, sizeof(text) - (size_t)n, "%s", texts[i % ntexts]);
		tl = (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1;
	} else {
		for (tl = (size_t)n; tl < (size_t)o.size && tl < sizeof(text) - 1; tl++)
			text[tl] = "abcdefghij klmnopqrstuvwxyz"[tl % 27];
	}
	text[tl] = '\0';
	if (o.liveblogd) {
		n = snprintf(body, sizeof(body), "{\"text\":\"%s\"}", text);
		snprintf(path, sizeof(path), "/api/blogs/%s/entries", o.blog);
		st = http_do("POST", path, editor_token, "application/json", body,
			     (size_t)n, resp, sizeof(resp));
	} else {
		st = http_do("POST", o.pub_path, NULL, "text/plain", text, tl, resp, sizeof(resp));
	}
	pthread_mutex_lock(&pub_mu);
	hadd(&post_lat, now_us() - t0);
	if (st < 200 || st >= 300) {
		post_fail_status = post_fail_status ? post_fail_status : st;
		if (++post_fails <= 10)
			fprintf(stderr, "loadtool: post %d: %s%d after %.1f ms\n", i,
				st < 0 ? "no answer, " : "status ", st < 0 ? 0 : st,
				(double)(now_us() - t0) / 1e3);
	}
	pthread_mutex_unlock(&pub_mu);
	if (st >= 200 && st < 300)
		STORE(sh->acked[i], 1);
	__atomic_add_fetch(&sh->nposts, 1, __ATOMIC_RELEASE);
	if (st >= 200 && st < 300)
		__atomic_add_fetch(&sh->posts_ok, 1, __ATOMIC_RELEASE);
}

/* ---- a reader process ---- */

enum rstate { R_IDLE, R_CONNECTING, R_HANDSHAKE, R_OPEN, R_CLOSED };

struct reader {
	int fd;
	uint8_t state;
	bool ever_open, in_queue, caught, frag, deflate;
	uint8_t tries;
	int64_t t_start, t_try;
	uint32_t got;
	char *buf;
	uint32_t blen, bcap;
	char cursor[48];
};

struct child {
	int k, n, base;            /* process index, readers, first global index */
	struct reader *r;
	uint8_t *bits;
	size_t bpr;                /* bitmap bytes per reader */
	int ep;
	z_stream zs;               /* the inflater, reset per message */
	bool zinit;
	unsigned char *zout;
	struct zcached {           /* recent compressed messages and their text */
		uint8_t *z;
		char *text;
		size_t zlen, tlen;
	} zc[ZCACHE];
	int zc_next;
	int *queue, qh, qt;
	int pending;
	long started;
	int64_t t_phase;
	double rate;
	int max_pending;
	struct cstats *st;
	char rbuf[RBUF];
	char accept[32];
};

static void reader_shut(struct child *c, int i)
{
	struct reader *r = &c->r[i];

	if (r->fd >= 0) {
		close(r->fd);
		r->fd = -1;
	}
	if (r->state == R_CONNECTING || r->state == R_HANDSHAKE)
		c->pending--;
	r->state = R_CLOSED;
	free(r->buf);
	r->buf = NULL;
	r->blen = r->bcap = 0;
}

static void enqueue(struct child *c, int i)
{
	if (c->r[i].in_queue)
		return;
	c->r[i].in_queue = true;
	c->queue[c->qt++ % c->n] = i;
}

/* A connection attempt failed before the upgrade: retry a few times. */
static void reader_retry(struct child *c, int i, int err)
{
	struct reader *r = &c->r[i];

	reader_shut(c, i);
	r->state = R_IDLE;
	if (++r->tries <= 3) {
		enqueue(c, i);
		return;
	}
	c->st->conn_fail++;
	if (!c->st->first_errno)
		c->st->first_errno = err ? err : -1;
}

static void reader_start(struct child *c, int i)
{
	struct reader *r = &c->r[i];
	struct sockaddr_in src = { .sin_family = AF_INET }, dst = { .sin_family = AF_INET };
	struct epoll_event ev = { .events = EPOLLOUT | EPOLLIN, .data.u32 = (uint32_t)i };
	int one = 1, g = c->base + i;

	r->in_queue = false;
	r->t_try = now_us();
	if (!r->tries)
		r->t_start = r->t_try;
	r->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (r->fd < 0) {
		c->st->conn_fail++;
		if (!c->st->first_errno)
			c->st->first_errno = errno;
		return;
	}
	c->pending++;
	r->state = R_CONNECTING;
	setsockopt(r->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(r->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	src.sin_addr.s_addr = htonl(0x7f000002u + (uint32_t)(g % o.src_ips));
	dst.sin_port = htons((uint16_t)o.ws_port);
	inet_pton(AF_INET, o.ws_host, &dst.sin_addr);
	if (bind(r->fd, (struct sockaddr *)&src, sizeof(src)) ||
	    (connect(r->fd, (struct sockaddr *)&dst, sizeof(dst)) && errno != EINPROGRESS) ||
	    epoll_ctl(c->ep, EPOLL_CTL_ADD, r->fd, &ev)) {
		reader_retry(c, i, errno);
		return;
	}
}

static void send_handshake(struct child *c, int i)
{
	struct reader *r = &c->r[i];
	char req[1024], path[700], proto[160] = "";
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
	int err = 0, n;
	socklen_t el = sizeof(err);

	getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &err, &el);
	if (err) {
		reader_retry(c, i, err);
		return;
	}
	if (r->cursor[0] && o.resume_arg && *o.resume_arg)
		snprintf(path, sizeof(path), "%s%c%s=%s", o.ws_path,
			 strchr(o.ws_path, '?') ? '&' : '?', o.resume_arg, r->cursor);
	else
		snprintf(path, sizeof(path), "%s", o.ws_path);
	if (o.protocol && *o.protocol)
		snprintf(proto, sizeof(proto), "Sec-WebSocket-Protocol: %s\r\n", o.protocol);
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s:%d\r\n"
		     "Upgrade: websocket\r\nConnection: Upgrade\r\n"
		     "Sec-WebSocket-Key: " WS_KEY "\r\nSec-WebSocket-Version: 13\r\n"
		     "Origin: http://%s:%d\r\n%s%s\r\n",
		     path, o.ws_host, o.ws_port, o.ws_host, o.ws_port, proto,
		     /* what Chromium offers */
		     o.deflate ? "Sec-WebSocket-Extensions: permessage-deflate; "
				 "client_max_window_bits\r\n" : "");
	if (send(r->fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
		reader_retry(c, i, errno);
		return;
	}
	r->state = R_HANDSHAKE;
	epoll_ctl(c->ep, EPOLL_CTL_MOD, r->fd, &ev);
}

/* Sends a small masked control frame (pong, close); best effort. */
static void send_control(int fd, int op, const char *p, size_t n)
{
	char f[134];
	static const uint8_t mask[4] = { 0x12, 0x34, 0x56, 0x78 };

	if (n > 125)
		n = 125;
	f[0] = (char)(0x80 | op);
	f[1] = (char)(0x80 | n);
	memcpy(f + 2, mask, 4);
	for (size_t i = 0; i < n; i++)
		f[6 + i] = (char)(p[i] ^ mask[i % 4]);
	if (send(fd, f, 6 + n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		return;
}

static void take_cursor(struct reader *r, const char *p, size_t n)
{
	const char *s, *e;
	size_t l;

	if (!o.cursor || !strcmp(o.cursor, "none"))
		return;
	if (!strcmp(o.cursor, "nchan")) {
		/* ws+meta.nchan: "id: <msgid>\n..." first */
		if (n < 5 || memcmp(p, "id: ", 4))
			return;
		s = p + 4;
		e = memchr(s, '\n', n - 4);
	} else {
		s = memmem(p, n, "\"seq\":\"", 7);
		if (!s)
			return;
		s += 7;
		e = memchr(s, '"', (size_t)(p + n - s));
	}
	if (!e || (l = (size_t)(e - s)) >= sizeof(r->cursor) || !l)
		return;
	memcpy(r->cursor, s, l);
	r->cursor[l] = '\0';
}

/* Counts a dropped reader as caught up once it has every acked post. */
static void check_caught_up(struct child *c, struct reader *r)
{
	if (LOAD(sh->phase) == PH_RECONNECT && !r->caught &&
	    r->got >= (uint32_t)LOAD(sh->storm_target)) {
		r->caught = true;
		c->st->caught_up++;
		c->st->t_caught_up = now_us();
	}
}

/*
 * A text message: the cursor, then the stamp "LB#run#n#send_us#". wire:
 * the bytes its frame took on the wire (counted for the run's deliveries).
 */
static void on_message(struct child *c, int i, const char *p, size_t n, size_t wire)
{
	struct reader *r = &c->r[i];
	const char *s = memmem(p, n, "LB#", 3);
	char stamp[64];
	unsigned run;
	int post;
	long long sent;
	uint8_t *bits, bit;

	take_cursor(r, p, n);
	/* sscanf() takes the strlen() of its input: of the stamp, not of all
	 * that is left in the read buffer (16 % of all CPU samples in a burst) */
	if (s) {
		size_t l = (size_t)(p + n - s) < sizeof(stamp) - 1 ? (size_t)(p + n - s) : sizeof(stamp) - 1;

		memcpy(stamp, s, l);
		stamp[l] = '\0';
	}
	if (!s || sscanf(stamp, "LB#%8x#%d#%lld#", &run, &post, &sent) != 3 ||
	    run != sh->run_id || post < 0 || post >= MAXPOSTS ||
	    (size_t)post >= c->bpr * 8)
		goto out;
	bits = &c->bits[(size_t)i * c->bpr + (size_t)post / 8];
	bit = (uint8_t)(1u << (post % 8));
	if (*bits & bit) {
		c->st->dups++;
		goto out;
	}
	*bits |= bit;
	r->got++;
	c->st->unique++;
	if (LOAD(sh->phase) == PH_RUN) {
		int64_t now = now_us();

		hadd(&c->st->lat, now - sent);
		c->st->run_deliveries++;
		c->st->wire_bytes += (long long)wire;
		c->st->text_bytes += (long long)n;
		c->st->last_rx = now;
	}
out:
	check_caught_up(c, r);
}

/*
 * One compressed message (RFC 7692 7.2.2): the payload, then the 00 00 ff
 * ff its sender removed, through the process' inflater into c->zout.
 * Returns the text's length, or -1.
 */
static long inflate_message(struct child *c, const uint8_t *p, size_t n)
{
	static const uint8_t tail[4] = { 0x00, 0x00, 0xff, 0xff };
	int r;

	if (!c->zinit) {
		if (inflateInit2(&c->zs, -15) != Z_OK)
			return -1;
		c->zinit = true;
	} else if (inflateReset(&c->zs) != Z_OK) {
		return -1;
	}
	c->zs.next_out = c->zout;
	c->zs.avail_out = ZOUT;
	c->zs.next_in = (uint8_t *)p;
	c->zs.avail_in = (uInt)n;
	r = inflate(&c->zs, Z_SYNC_FLUSH);
	if ((r != Z_OK && r != Z_BUF_ERROR) || c->zs.avail_in)
		return -1;
	c->zs.next_in = (uint8_t *)tail;
	c->zs.avail_in = sizeof(tail);
	r = inflate(&c->zs, Z_SYNC_FLUSH);
	if ((r != Z_OK && r != Z_BUF_ERROR) || c->zs.avail_in || !c->zs.avail_out)
		return -1;
	return (long)(ZOUT - c->zs.avail_out);
}

/*
 * The text of compressed payload p (n bytes): a remembered one when the
 * same bytes came before, else inflated and remembered. NULL if it does
 * not inflate.
 */
static const char *text_of(struct child *c, const uint8_t *p, size_t n, size_t *tlen)
{
	struct zcached *e;
	long t;

	for (int k = 0; k < ZCACHE; k++) {
		e = &c->zc[k];
		if (e->z && e->zlen == n && (!n || e->z[n / 2] == p[n / 2]) && !memcmp(e->z, p, n)) {
			c->st->zcache_hits++;
			*tlen = e->tlen;
			return e->text;
		}
	}
	if ((t = inflate_message(c, p, n)) < 0)
		return NULL;
	c->st->inflated++;
	e = &c->zc[c->zc_next++ % ZCACHE];
	free(e->z);
	free(e->text);
	e->z = malloc(n ? n : 1);
	e->text = malloc((size_t)t + 1);
	if (!e->z || !e->text) {
		free(e->z);
		free(e->text);
		e->z = NULL;
		e->text = NULL;
		*tlen = (size_t)t;
		return (const char *)c->zout;
	}
	memcpy(e->z, p, n);
	memcpy(e->text, c->zout, (size_t)t);
	e->zlen = n;
	e->tlen = (size_t)t;
	*tlen = e->tlen;
	return e->text;
}

/* A data frame's message: inflated first when RSV1 says it is compressed. */
static void on_data(struct child *c, int i, const uint8_t *b, size_t h, size_t len)
{
	const char *text = NULL;
	size_t tlen = 0;

	if (!(b[0] & 0x40)) {
		on_message(c, i, (const char *)b + h, len, h + len);
		return;
	}
	/* liveblogd never fragments; a compressed fragment is counted as bad */
	if (c->r[i].deflate && (b[0] & 0x80))
		text = text_of(c, b + h, len, &tlen);
	if (!text) {
		c->st->bad_inflate++;
		return;
	}
	on_message(c, i, text, tlen, h + len);
}

/* Consumes whole frames from p; returns bytes used, or -1 once closed. */
static long consume_frames(struct child *c, int i, const char *p, size_t n)
{
	size_t off = 0;

	while (n - off >= 2) {
		const uint8_t *b = (const uint8_t *)p + off;
		int op = b[0] & 0x0f;
		bool fin = b[0] & 0x80;
		uint64_t len = b[1] & 0x7f;
		size_t h = 2;

		if (len == 126) {
			if (n - off < 4)
				break;
			len = (uint64_t)b[2] << 8 | b[3];
			h = 4;
		} else if (len == 127) {
			if (n - off < 10)
				break;
			len = 0;
			for (int k = 0; k < 8; k++)
				len = len << 8 | b[2 + k];
			h = 10;
		}
		if (b[1] & 0x80)
			h += 4;   /* servers do not mask; skip a key if one does */
		if (n - off < h + len)
			break;
		if (op == 8) {
			int code = len >= 2 ? (b[h] << 8 | b[h + 1]) : 1005;

			if (code == 1008)
				c->st->closed_1008++;
			else
				c->st->closed_other++;
			if (LOAD(sh->phase) != PH_DROP)
				c->st->lost++;
			send_control(c->r[i].fd, 8, (const char *)b + h, len >= 2 ? 2 : 0);
			reader_shut(c, i);
			return -1;
		}
		if (op == 9)
			send_control(c->r[i].fd, 10, (const char *)b + h, (size_t)len);
		else if (op == 1 || op == 2 || (op == 0 && !c->r[i].frag))
			on_data(c, i, b, h, (size_t)len);
		/* later fragments carry no stamp: only a message's first is read */
		if (op == 1 || op == 2 || op == 0)
			c->r[i].frag = !fin;
		off += h + (size_t)len;
	}
	return (long)off;
}

static int stash(struct reader *r, const char *p, size_t n)
{
	if (r->blen + n > r->bcap) {
		uint32_t nc = r->bcap ? r->bcap : 2048;
		char *nb;

		while (nc < r->blen + n)
			nc *= 2;
		if (!(nb = realloc(r->buf, nc)))
			return -1;
		r->buf = nb;
		r->bcap = nc;
	}
	memcpy(r->buf + r->blen, p, n);
	r->blen += (uint32_t)n;
	return 0;
}

/* The upgrade answer: 101 and the right accept key, else refused. */
static int take_handshake(struct child *c, int i)
{
	struct reader *r = &c->r[i];
	char *end = memmem(r->buf, r->blen, "\r\n\r\n", 4);
	int status = 0;
	size_t hl, rest;
	const char *acc;

	if (!end)
		return r->blen > 16384 ? -1 : 0;
	*end = '\0';
	sscanf(r->buf, "HTTP/1.%*d %d", &status);
	acc = head_get(r->buf, "Sec-WebSocket-Accept");
	if (status != 101 || !acc || strncmp(acc + strspn(acc, " "), c->accept, 28)) {
		c->st->refused++;
		if (!c->st->first_refusal)
			c->st->first_refusal = status ? status : -1;
		reader_shut(c, i);
		return -1;
	}
	acc = head_get(r->buf, "Sec-WebSocket-Extensions");
	r->deflate = o.deflate && acc && strstr(acc, "permessage-deflate");
	if (r->ever_open) {
		c->st->resumed++;
	} else {
		c->st->connected++;
		c->st->deflated += r->deflate;
		hadd(&c->st->conn, now_us() - r->t_start);
	}
	r->ever_open = true;
	r->state = R_OPEN;
	c->pending--;
	hl = (size_t)(end - r->buf) + 4;
	rest = r->blen - hl;
	memmove(r->buf, r->buf + hl, rest);
	r->blen = (uint32_t)rest;
	return 1;
}

static void reader_input(struct child *c, int i)
{
	struct reader *r = &c->r[i];

	for (int rounds = 0; rounds < 4 && r->fd >= 0; rounds++) {
		ssize_t n = recv(r->fd, c->rbuf, sizeof(c->rbuf), MSG_DONTWAIT);
		long used;

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
			if (r->state == R_OPEN) {
				if (LOAD(sh->phase) != PH_DROP)
					c->st->lost++;
				reader_shut(c, i);
			} else {
				reader_retry(c, i, n ? errno : ECONNRESET);
			}
			return;
		}
		if (n < 0)
			return;
		if (r->state == R_HANDSHAKE || r->blen) {
			if (stash(r, c->rbuf, (size_t)n))
				return;
			if (r->state == R_HANDSHAKE && take_handshake(c, i) <= 0)
				continue;
			used = consume_frames(c, i, r->buf, r->blen);
			if (used < 0)
				return;
			memmove(r->buf, r->buf + used, r->blen - (size_t)used);
			r->blen -= (uint32_t)used;
		} else {
			used = consume_frames(c, i, c->rbuf, (size_t)n);
			if (used < 0)
				return;
			if (used < n && stash(r, c->rbuf + used, (size_t)(n - used)))
				return;
		}
		if (n < (ssize_t)sizeof(c->rbuf))
			return;
	}
}

/* Starts queued connects within the pace and the in-flight bound. */
static void pace_connects(struct child *c)
{
	double el = (double)(now_us() - c->t_phase) / 1e6;
	long allowed = c->rate > 0 ? (long)(el * c->rate) + 1 : c->n;

	while (c->qh != c->qt && c->pending < c->max_pending && c->started < allowed) {
		int i = c->queue[c->qh++ % c->n];

		c->started++;
		reader_start(c, i);
	}
}

static void connect_timeouts(struct child *c, int64_t now)
{
	for (int i = 0; i < c->n; i++) {
		struct reader *r = &c->r[i];

		/* a server at its descriptor limit will not answer a retry either */
		if ((r->state == R_CONNECTING || r->state == R_HANDSHAKE) &&
		    now - r->t_try > 10000000) {
			r->tries += 2;
			reader_retry(c, i, ETIMEDOUT);
		}
	}
}

static void child_finish(struct child *c)
{
	for (int i = 0; i < c->n; i++) {
		if (!c->r[i].ever_open)
			continue;
		for (int p = 0; (size_t)p < c->bpr * 8 && p < MAXPOSTS; p++) {
			bool have = c->bits[(size_t)i * c->bpr + (size_t)p / 8] & (1u << (p % 8));

			if (sh->acked[p] && !have)
				c->st->missing++;
			else if (!sh->acked[p] && have)
				c->st->extra++;
		}
		reader_shut(c, i);
	}
}

static void child_phase(struct child *c, int ph)
{
	c->t_phase = now_us();
	c->started = 0;
	if (ph == PH_CONNECT) {
		for (int i = 0; i < c->n; i++)
			enqueue(c, i);
	} else if (ph == PH_DROP) {
		for (int i = 0; i < c->n; i++)
			if (c->r[i].state == R_OPEN) {
				reader_shut(c, i);
				c->r[i].state = R_IDLE;
				c->st->need_catchup++;
			}
		STORE(c->st->dropped, 1);
	} else if (ph == PH_RECONNECT) {
		/* "at once": no pacing, every dropped reader in flight together */
		c->rate = 0;
		c->max_pending = c->n;
		for (int i = 0; i < c->n; i++)
			if (c->r[i].ever_open && c->r[i].state == R_IDLE) {
				c->r[i].tries = 0;
				c->r[i].t_start = now_us();
				enqueue(c, i);
			}
	}
}

static void child_run(int k, int n, int base, size_t bpr)
{
	struct child *c = calloc(1, sizeof(*c));
	struct epoll_event evs[1024];
	int ph = PH_INIT;
	int64_t last_check = 0;

	if (!c)
		_exit(1);
	/* alarms do not survive fork(); nor should readers outlive the parent */
	alarm((unsigned)ceil(o.max_time));
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	c->k = k;
	c->n = n;
	c->base = base;
	c->bpr = bpr;
	c->st = &sh->c[k];
	c->r = calloc((size_t)n, sizeof(*c->r));
	c->bits = calloc((size_t)n, bpr);
	c->queue = calloc((size_t)n, sizeof(int));
	c->ep = epoll_create1(EPOLL_CLOEXEC);
	c->zout = malloc(ZOUT);
	c->rate = o.connect_rate / o.procs;
	c->max_pending = o.max_pending;
	ws_accept(WS_KEY, strlen(WS_KEY), c->accept);
	if (!c->r || !c->bits || !c->queue || c->ep < 0 || !c->zout)
		_exit(1);
	for (int i = 0; i < n; i++)
		c->r[i].fd = -1;
	while (ph != PH_STOP) {
		int now_ph = LOAD(sh->phase), m;
		int64_t now;

		if (now_ph != ph)
			child_phase(c, ph = now_ph);
		pace_connects(c);
		m = epoll_wait(c->ep, evs, 1024, 5);
		for (int e = 0; e < m; e++) {
			int i = (int)evs[e].data.u32;

			if (c->r[i].state == R_CONNECTING)
				send_handshake(c, i);
			else if (c->r[i].state == R_HANDSHAKE || c->r[i].state == R_OPEN)
				reader_input(c, i);
		}
		if (o.nap_us > 0 && m < 1024 && now_ph == PH_RUN)
			usleep((useconds_t)o.nap_us);
		now = now_us();
		if (now - last_check > 200000) {
			last_check = now;
			connect_timeouts(c, now);
			if (c->qh == c->qt && c->pending == 0 &&
			    (ph == PH_CONNECT || ph == PH_RECONNECT))
				STORE(c->st->ready, ph);
		}
	}
	child_finish(c);
	STORE(c->st->done, 1);
	_exit(0);
}

/* ---- the parent: phases, publishing, the report ---- */

static struct cstats total;

static void sum_children(void)
{
	memset(&total, 0, sizeof(total));
	for (int k = 0; k < o.procs; k++) {
		struct cstats *s = &sh->c[k];

		total.connected += LOAD(s->connected);
		total.conn_fail += LOAD(s->conn_fail);
		total.refused += LOAD(s->refused);
		total.lost += LOAD(s->lost);
		total.closed_1008 += LOAD(s->closed_1008);
		total.closed_other += LOAD(s->closed_other);
		total.unique += LOAD(s->unique);
		total.dups += LOAD(s->dups);
		total.extra += LOAD(s->extra);
		total.missing += LOAD(s->missing);
		total.caught_up += LOAD(s->caught_up);
		total.resumed += LOAD(s->resumed);
		total.need_catchup += LOAD(s->need_catchup);
		total.run_deliveries += LOAD(s->run_deliveries);
		total.deflated += LOAD(s->deflated);
		total.bad_inflate += LOAD(s->bad_inflate);
		total.inflated += LOAD(s->inflated);
		total.zcache_hits += LOAD(s->zcache_hits);
		total.wire_bytes += LOAD(s->wire_bytes);
		total.text_bytes += LOAD(s->text_bytes);
		if (!total.first_refusal)
			total.first_refusal = s->first_refusal;
		if (!total.first_errno)
			total.first_errno = s->first_errno;
		if (s->last_rx > total.last_rx)
			total.last_rx = s->last_rx;
		if (s->t_caught_up > total.t_caught_up)
			total.t_caught_up = s->t_caught_up;
	}
}

static bool all_children(int what)
{
	for (int k = 0; k < o.procs; k++) {
		int v = what == 0 ? LOAD(sh->c[k].ready) : what == 1 ?
			LOAD(sh->c[k].dropped) : LOAD(sh->c[k].done);

		if (what == 0 ? v != LOAD(sh->phase) : !v)
			return false;
	}
	return true;
}

static void sleep_until(int64_t t)
{
	int64_t d = t - now_us();

	if (d > 0)
		usleep((useconds_t)d);
}

/* Waits for the delivery count to reach want: done, stalled or timed out. */
static void wait_deliveries(long want, double timeout_s, double stall_s)
{
	int64_t end = now_us() + (int64_t)(timeout_s * 1e6), last_change = now_us();
	long last = -1;

	for (;;) {
		sum_children();
		if (total.unique >= want || now_us() > end)
			return;
		if (total.unique != last) {
			last = total.unique;
			last_change = now_us();
		} else if (now_us() - last_change > (int64_t)(stall_s * 1e6)) {
			return;
		}
		usleep(20000);
	}
}

/* The 1-minute load average: other work on the machine skews latency. */
static double loadavg(void)
{
	double v = NAN;
	FILE *f = fopen("/proc/loadavg", "r");

	if (f) {
		if (fscanf(f, "%lf", &v) != 1)
			v = NAN;
		fclose(f);
	}
	return v;
}

#define RCMDS 48
/* Calls per command (INFO commandstats), without INFO itself. */
struct rstats {
	int n;                   /* -1: not read */
	char name[RCMDS][32];
	long calls[RCMDS];
};

/*
 * The reply to "INFO <section>" from the Redis on 127.0.0.1 --redis-port
 * into buf (NUL-terminated), or -1. A blocking exchange outside the
 * measured path.
 */
static int redis_info(const char *section, char *buf, size_t cap)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)o.redis_port) };
	struct timeval tv = { .tv_sec = 5 };
	char cmd[64];
	size_t got = 0, want = 0;
	int fd, n = snprintf(cmd, sizeof(cmd), "INFO %s\r\n", section);

	if (o.redis_port <= 0)
		return -1;
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (!connect(fd, (struct sockaddr *)&a, sizeof(a)) && write(fd, cmd, (size_t)n) == n) {
		while (got < cap - 1 && (!want || got < want)) {
			ssize_t r = read(fd, buf + got, cap - 1 - got);
			char *e;

			if (r <= 0)
				break;
			got += (size_t)r;
			buf[got] = '\0';
			if (!want && buf[0] == '$' && (e = strstr(buf, "\r\n")))
				want = (size_t)(e + 2 - buf) + strtoul(buf + 1, NULL, 10) + 2;
		}
	}
	close(fd);
	buf[got] = '\0';
	return want && got >= want ? 0 : -1;
}

/* total_commands_processed from INFO stats, or -1. */
static long redis_commands(void)
{
	char buf[8192];
	const char *p;

	if (redis_info("stats", buf, sizeof(buf)) ||
	    !(p = strstr(buf, "total_commands_processed:")))
		return -1;
	return atol(p + 25);
}

static void redis_cmdstats(struct rstats *st)
{
	static char buf[32768];
	char name[32];
	long calls;

	st->n = -1;
	if (redis_info("commandstats", buf, sizeof(buf)))
		return;
	st->n = 0;
	for (const char *p = strstr(buf, "cmdstat_"); p && st->n < RCMDS;
	     p = strstr(p + 8, "cmdstat_")) {
		if (sscanf(p + 8, "%31[^:]:calls=%ld", name, &calls) != 2 ||
		    !strcasecmp(name, "info"))
			continue;
		snprintf(st->name[st->n], sizeof(st->name[0]), "%s", name);
		st->calls[st->n++] = calls;
	}
}

/*
 * The commands between a and b: their total, and "name:calls,..." of
 * those with calls into mix. Returns -1 if either was not read.
 */
static long redis_cmd_delta(const struct rstats *a, const struct rstats *b,
			    char *mix, size_t cap)
{
	long total = 0;
	size_t used = 0;

	mix[0] = '\0';
	if (a->n < 0 || b->n < 0)
		return -1;
	for (int i = 0; i < b->n; i++) {
		long before = 0, d;

		for (int j = 0; j < a->n; j++)
			if (!strcmp(a->name[j], b->name[i]))
				before = a->calls[j];
		if ((d = b->calls[i] - before) <= 0)
			continue;
		total += d;
		if (used < cap)
			used += (size_t)snprintf(mix + used, cap - used, "%s%s:%ld",
						 used ? "," : "", b->name[i], d);
	}
	return total;
}

struct result {
	int posts, posts_ok;
	double loadavg;
	double connect_s, run_s, storm_s;
	long storm_cmds;         /* Redis commands during the storm's catch-up */
	struct rstats rc1, rc2;  /* Redis commandstats around posting and drain */
	int posts_run;           /* posts sent between rc1 and rc2 */
	struct procsample s0, sc, s1, s2, r1, r2;   /* sc: once every reader is in */
	struct procsample t1, t2;                   /* this tool's own processes */
	struct procsample st0, st1;                 /* the storm's reconnect and catch-up */
	struct hist lat, conn;
};

static void fmt_num(char *out, size_t n, double v)
{
	if (isnan(v))
		snprintf(out, n, "null");
	else
		snprintf(out, n, "%.3f", v);
}

static void report(struct result *res)
{
	double dps = total.last_rx > sh->t_first_post && sh->t_first_post ?
		(double)total.run_deliveries / ((double)(total.last_rx - sh->t_first_post) / 1e6) : 0;
	double rss_per = total.connected ?
		(double)(res->s1.rss_kb - res->s0.rss_kb) / (double)total.connected : NAN;
	double cpu = res->s2.cpu_s - res->s1.cpu_s, rcpu = res->r2.cpu_s - res->r1.cpu_s;
	const double qs[] = { 0.5, 0.9, 0.99, 0.999 };
	double wire_per = total.run_deliveries ?
		(double)total.wire_bytes / (double)total.run_deliveries : NAN;
	double text_per = total.run_deliveries ?
		(double)total.text_bytes / (double)total.run_deliveries : NAN;
	double cpu_per = total.run_deliveries && o.server_pids ?
		(res->s2.cpu_s - res->s1.cpu_s) * 1e6 / (double)total.run_deliveries : NAN;
	double accept_cpu = o.server_pids ? res->sc.cpu_s - res->s0.cpu_s : NAN;
	double tool_cpu = res->t2.cpu_s - res->t1.cpu_s;
	char v[23][32], rmix[1024];
	long rcmds = redis_cmd_delta(&res->rc1, &res->rc2, rmix, sizeof(rmix));
	FILE *f;

	printf("%-12s %-14s readers %ld/%d  posts %d/%d  latency ms p50 %.1f p90 %.1f p99 %.1f "
	       "p99.9 %.1f max %.1f  %.0f deliveries/s  missing %ld dup %ld  lost %ld (1008: %ld)  "
	       "connect p50 %.1f ms, all in %.1f s  POST p50 %.1f p99 %.1f ms  RSS/reader %.1f KiB  "
	       "CPU %.2f s (redis %.2f s, this tool %.2f s)",
	       o.server, o.scenario, total.connected, o.readers, res->posts_ok, res->posts,
	       hq_ms(&res->lat, .5), hq_ms(&res->lat, .9), hq_ms(&res->lat, .99),
	       hq_ms(&res->lat, .999), (double)res->lat.max / 1000, dps, total.missing,
	       total.dups, total.lost, total.closed_1008, hq_ms(&res->conn, .5),
	       res->connect_s, hq_ms(&post_lat, .5), hq_ms(&post_lat, .99), rss_per, cpu, rcpu,
	       tool_cpu);
	if (o.storm) {
		printf("  storm: %ld/%ld caught up in %.2f s, server CPU %.2f s", total.caught_up,
		       total.need_catchup, res->storm_s, res->st1.cpu_s - res->st0.cpu_s);
		if (res->storm_cmds >= 0)
			printf(", %ld Redis commands", res->storm_cmds);
	}
	if (rcmds >= 0)
		printf("  Redis %ld commands while posting (%.1f per post: %s)", rcmds,
		       res->posts_run ? (double)rcmds / res->posts_run : NAN, rmix);
	printf("  wire %.0f B/delivery (text %.0f B, %.3fx)  CPU %.1f us/delivery  "
	       "accept CPU %.2f s (%.0f us/reader)", wire_per, text_per, wire_per / text_per,
	       cpu_per, accept_cpu, total.connected ? accept_cpu * 1e6 / (double)total.connected : NAN);
	if (o.deflate)
		printf("  deflate %ld/%ld readers, %ld messages inflated, %ld identical to one before",
		       total.deflated, total.connected, total.inflated, total.zcache_hits);
	if (total.bad_inflate)
		printf("  NOT INFLATED %ld", total.bad_inflate);
	if (total.refused || total.conn_fail)
		printf("  refused %ld (first status %d) failed %ld (%s)", total.refused,
		       total.first_refusal, total.conn_fail,
		       total.first_errno > 0 ? strerror(total.first_errno) : "-");
	printf("\n");
	if (!o.json)
		return;
	if (!(f = fopen(o.json, "a"))) {
		perror(o.json);
		return;
	}
	for (int i = 0; i < 4; i++)
		fmt_num(v[i], sizeof(v[i]), hq_ms(&res->lat, qs[i]));
	fmt_num(v[4], sizeof(v[4]), res->lat.n ? (double)res->lat.max / 1000 : NAN);
	fmt_num(v[5], sizeof(v[5]), hq_ms(&res->conn, .5));
	fmt_num(v[6], sizeof(v[6]), hq_ms(&res->conn, .99));
	fmt_num(v[7], sizeof(v[7]), res->conn.n ? (double)res->conn.max / 1000 : NAN);
	fmt_num(v[8], sizeof(v[8]), hq_ms(&post_lat, .5));
	fmt_num(v[9], sizeof(v[9]), hq_ms(&post_lat, .99));
	fmt_num(v[10], sizeof(v[10]), post_lat.n ? (double)post_lat.max / 1000 : NAN);
	fmt_num(v[11], sizeof(v[11]), rss_per);
	fmt_num(v[12], sizeof(v[12]), o.storm ? res->storm_s : NAN);
	fmt_num(v[13], sizeof(v[13]), o.server_pids ? cpu : NAN);
	fmt_num(v[14], sizeof(v[14]), o.redis_pid ? rcpu : NAN);
	fmt_num(v[16], sizeof(v[16]), res->loadavg);
	if (o.storm && res->storm_cmds >= 0)
		snprintf(v[17], sizeof(v[17]), "%ld", res->storm_cmds);
	else
		snprintf(v[17], sizeof(v[17]), "null");
	fmt_num(v[15], sizeof(v[15]), res->lat.n ? res->lat.sum / (double)res->lat.n / 1000 : NAN);
	fmt_num(v[18], sizeof(v[18]), wire_per);
	fmt_num(v[19], sizeof(v[19]), text_per);
	fmt_num(v[20], sizeof(v[20]), cpu_per);
	fmt_num(v[21], sizeof(v[21]), accept_cpu);
	fmt_num(v[22], sizeof(v[22]), o.storm && o.server_pids ? res->st1.cpu_s - res->st0.cpu_s : NAN);
	fprintf(f, "{\"server\":\"%s\",\"scenario\":\"%s\",\"readers\":%d,\"procs\":%d,"
		"\"connected\":%ld,\"refused\":%ld,\"first_refusal_status\":%d,\"connect_failed\":%ld,"
		"\"posts\":%d,\"posts_ok\":%d,\"size\":%d,\"rate\":%.1f,\"duration_s\":%.1f,"
		"\"lat_p50_ms\":%s,\"lat_p90_ms\":%s,\"lat_p99_ms\":%s,\"lat_p999_ms\":%s,"
		"\"lat_max_ms\":%s,\"lat_mean_ms\":%s,\"deliveries\":%ld,\"deliveries_per_s\":%.0f,"
		"\"missing\":%ld,\"duplicates\":%ld,\"extra\":%ld,\"lost_readers\":%ld,"
		"\"closed_1008\":%ld,\"connect_p50_ms\":%s,\"connect_p99_ms\":%s,"
		"\"connect_max_ms\":%s,\"connect_all_s\":%.2f,\"post_p50_ms\":%s,"
		"\"post_p99_ms\":%s,\"post_max_ms\":%s,\"rss_base_kb\":%ld,\"rss_kb\":%ld,"
		"\"rss_end_kb\":%ld,\"rss_per_reader_kb\":%s,\"cpu_s\":%s,\"redis_cpu_s\":%s,"
		"\"run_s\":%.2f,\"storm_readers\":%ld,\"storm_caught_up\":%ld,\"storm_catchup_s\":%s,\"storm_redis_cmds\":%s,\"loadavg\":%s,"
		"\"deflate\":%s,\"deflated_readers\":%ld,\"not_inflated\":%ld,\"inflated\":%ld,\"identical_compressed\":%ld,\"wire_bytes_per_delivery\":%s,"
		"\"text_bytes_per_delivery\":%s,\"cpu_us_per_delivery\":%s,\"tool_cpu_s\":%.2f,\"accept_cpu_s\":%s,\"storm_cpu_s\":%s,\"redis_cmds_run\":%ld,\"redis_cmd_mix\":\"%s\",\"texts\":%s%s%s}\n",
		o.server, o.scenario, o.readers, o.procs, total.connected, total.refused,
		total.first_refusal, total.conn_fail, res->posts, res->posts_ok, o.size, o.rate,
		o.duration, v[0], v[1], v[2], v[3], v[4], v[15], total.run_deliveries, dps,
		total.missing, total.dups, total.extra, total.lost, total.closed_1008, v[5], v[6],
		v[7], res->connect_s, v[8], v[9], v[10], res->s0.rss_kb, res->s1.rss_kb,
		res->s2.rss_kb, v[11], v[13], v[14], res->run_s, total.need_catchup,
		total.caught_up, v[12], v[17], v[16], o.deflate ? "true" : "false", total.deflated,
		total.bad_inflate, total.inflated, total.zcache_hits, v[18], v[19], v[20], tool_cpu, v[21], v[22], rcmds, rmix, o.texts ? "\"" : "", o.texts ? o.texts : "null",
		o.texts ? "\"" : "");
	fclose(f);
}

/*
 * Sleeps until t; on the way, a GET whenever this thread's connection has
 * been idle for KEEPALIVE_US, so that a post never finds it closed.
 */
static void pub_wait_until(int64_t t)
{
	while (http_fd >= 0 && http_used + KEEPALIVE_US <= t - KEEPALIVE_US / 4) {
		sleep_until(http_used + KEEPALIVE_US);
		ping_if_idle();
	}
	sleep_until(t);
}

struct pubthread {
	pthread_t th;
	int k, nlive;
	int64_t t0;
};

/* Publisher k sends posts k, k+K, ... each at t0 + i / rate. */
static void *publisher(void *arg)
{
	struct pubthread *p = arg;

	http_fd = pub_fds[p->k];
	for (int i = p->k; i < p->nlive; i += o.publishers) {
		pub_wait_until(p->t0 + (int64_t)((double)i * 1e6 / o.rate));
		if (now_us() > p->t0 + (int64_t)((o.duration + 30) * 1e6)) {
			fprintf(stderr, "loadtool: posting fell 30 s behind; publisher %d stopped\n", p->k);
			break;
		}
		publish_one(i);
	}
	pub_fds[p->k] = http_fd;
	return NULL;
}

static void publish_all(int64_t t0, int nlive)
{
	struct pubthread pt[MAXPUB];

	for (int k = 0; k < o.publishers; k++) {
		pt[k] = (struct pubthread){ .k = k, .nlive = nlive, .t0 = t0 };
		pthread_create(&pt[k].th, NULL, publisher, &pt[k]);
	}
	for (int k = 0; k < o.publishers; k++)
		pthread_join(pt[k].th, NULL);
	http_fd = pub_fds[0];
}

/* The storm: all drop, posts go on without them, all resume at once. */
static void run_storm(struct result *res, int *next)
{
	int64_t t0, end;
	long c0, c1;

	STORE(sh->phase, PH_DROP);
	end = now_us() + 30000000;
	while (!all_children(1) && now_us() < end)
		usleep(5000);
	for (int k = 0; k < o.storm_posts && *next < MAXPOSTS; k++)
		publish_one((*next)++);
	STORE(sh->storm_target, LOAD(sh->posts_ok));
	c0 = redis_commands();
	res->st0 = proc_sample(o.server_pids);
	t0 = now_us();
	STORE(sh->phase, PH_RECONNECT);
	end = t0 + (int64_t)(o.storm_timeout * 1e6);
	for (;;) {
		sum_children();
		if (total.caught_up >= total.need_catchup || now_us() > end)
			break;
		usleep(5000);
	}
	res->st1 = proc_sample(o.server_pids);
	res->storm_s = total.t_caught_up > t0 && total.caught_up >= total.need_catchup ?
		(double)(total.t_caught_up - t0) / 1e6 : NAN;
	/* less one: our own INFO */
	c1 = redis_commands();
	res->storm_cmds = c0 >= 0 && c1 >= 0 ? c1 - c0 - 1 : -1;
}

static int run(void)
{
	struct result res;
	int nlive = (int)ceil(o.rate * o.duration), next = 0;
	int64_t t0, end;
	pid_t pids[MAXPROCS];
	char tool_pids[16 * (MAXPROCS + 1)];
	size_t at;
	size_t bpr = (size_t)(nlive + o.storm_posts + 8) / 8 + 1;

	memset(&res, 0, sizeof(res));
	if (nlive + o.storm_posts >= MAXPOSTS) {
		fprintf(stderr, "loadtool: at most %d posts\n", MAXPOSTS - 1);
		return 2;
	}
	if (o.liveblogd && create_blog())
		return 1;
	/* Hold the publisher's connection from now on: a server at its fd limit
	 * with all readers in would have no room left for it. */
	for (int k = 0; k < o.publishers; k++) {
		if (k)
			http_fd = -1;
		if (http_fd < 0 && http_connect()) {
			fprintf(stderr, "loadtool: cannot connect to %s\n", o.pub);
			return 1;
		}
		pub_fds[k] = http_fd;
	}
	http_fd = pub_fds[0];
	for (int k = 0; k < o.procs; k++) {
		int n = o.readers / o.procs + (k < o.readers % o.procs);
		int base = k * (o.readers / o.procs) + (k < o.readers % o.procs ? k : o.readers % o.procs);

		pids[k] = fork();
		if (pids[k] < 0) {
			perror("loadtool: fork");
			return 1;
		}
		if (!pids[k]) {
			for (int j = 0; j < o.publishers; j++)
				close(pub_fds[j]);
			child_run(k, n, base, bpr);
		}
	}
	usleep(200000);
	/* the tool's own CPU shares the cores: the parent and its readers */
	at = snprintf(tool_pids, sizeof(tool_pids), "%d", (int)getpid());
	for (int k = 0; k < o.procs && at < sizeof(tool_pids) - 16; k++)
		at += (size_t)snprintf(tool_pids + at, sizeof(tool_pids) - at, ",%d", (int)pids[k]);
	res.s0 = proc_sample(o.server_pids);
	t0 = now_us();
	STORE(sh->phase, PH_CONNECT);
	end = t0 + (int64_t)((o.readers / o.connect_rate + 60) * 1e6);
	while (!all_children(0) && now_us() < end) {
		usleep(10000);
		keep_alive();
	}
	sum_children();
	res.sc = proc_sample(o.server_pids);
	res.connect_s = (double)(now_us() - t0) / 1e6;
	fprintf(stderr, "loadtool: %s %s: %ld/%d readers connected in %.1f s\n",
		o.server, o.scenario, total.connected, o.readers, res.connect_s);
	usleep((useconds_t)(o.warmup * 1e6));
	res.s1 = proc_sample(o.server_pids);
	res.t1 = proc_sample(tool_pids);
	res.r1 = proc_sample(o.redis_pid);
	redis_cmdstats(&res.rc1);
	res.loadavg = loadavg();
	STORE(sh->phase, PH_RUN);
	t0 = now_us();
	sh->t_first_post = t0;
	publish_all(t0, nlive);
	next = nlive;
	/* every post sent may arrive, acknowledged or not (a timed-out POST may
	 * still be stored): wait for all, and let the stall rule end it early */
	sum_children();
	wait_deliveries(total.connected * (long)LOAD(sh->nposts), o.drain, 3.0);
	res.run_s = (double)(now_us() - t0) / 1e6;
	res.s2 = proc_sample(o.server_pids);
	res.t2 = proc_sample(tool_pids);
	res.r2 = proc_sample(o.redis_pid);
	redis_cmdstats(&res.rc2);
	res.posts_run = LOAD(sh->nposts);
	if (o.storm)
		run_storm(&res, &next);
	STORE(sh->phase, PH_STOP);
	for (int k = 0; k < o.procs; k++)
		waitpid(pids[k], NULL, 0);
	sum_children();
	res.posts = LOAD(sh->nposts);
	res.posts_ok = LOAD(sh->posts_ok);
	for (int k = 0; k < o.procs; k++) {
		hmerge(&res.lat, &sh->c[k].lat);
		hmerge(&res.conn, &sh->c[k].conn);
	}
	report(&res);
	if (total.missing || total.dups || total.extra || total.bad_inflate)
		return 3;
	return res.posts_ok < res.posts || total.connected < o.readers || total.lost ? 4 : 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: loadtool [options]\n"
		"  --mode liveblogd|raw   liveblogd: create a blog, POST entries (default)\n"
		"  --url WS_URL           readers' URL; {blog} is replaced by the blog id\n"
		"                         (default ws://127.0.0.1:8080/ws/blogs/{blog})\n"
		"  --pub HTTP_URL         liveblogd: the server's base URL; raw: the URL to\n"
		"                         POST each post's body to ({blog} replaced)\n"
		"  --protocol P           WebSocket subprotocol (default liveblog.v1 in\n"
		"                         liveblogd mode, none in raw mode; \"\" for none)\n"
		"  --admin-token T        liveblogd admin token\n"
		"  --blog ID              blog / channel id (default: generated)\n"
		"  --readers N            readers (default 100)\n"
		"  --procs N              reader processes (default: one per 9000 readers)\n"
		"  --src-ips N            source addresses 127.0.0.2.. (default 32)\n"
		"  --connect-rate R       connects per second (default 2000; 0 = unpaced)\n"
		"  --max-pending N        handshakes in flight per process (default 512)\n"
		"  --rate R               posts per second (default 10)\n"
		"  --duration S           seconds of posting (default 5)\n"
		"  --size B               post text size in bytes (default 1024)\n"
		"  --texts FILE           liveblogd: post the \"text\" of each JSON line of\n"
		"                         FILE in turn (after the stamp) instead of a filler\n"
		"  --deflate              readers offer permessage-deflate; compressed\n"
		"                         messages are inflated and checked; the report\n"
		"                         gives wire and text bytes per delivery\n"
		"  --publishers K         HTTP connections posting in turn (default 1)\n"
		"  --nap-us N             a reader process that found less than a full\n"
		"                         batch of sockets ready sleeps N us before the\n"
		"                         next epoll_wait (default 0): on loopback each\n"
		"                         send() to a sleeping reader pays its wake-up on\n"
		"                         the server's CPU; latencies gain up to N us\n"
		"  --warmup S             pause between connected and posting (default 1)\n"
		"  --drain S              longest wait for deliveries after the last post (10)\n"
		"  --storm                then drop every reader, post --storm-posts, resume all\n"
		"  --storm-posts N        posts while the readers are away (default 20)\n"
		"  --storm-timeout S      longest wait for all to catch up (default 120)\n"
		"  --cursor liveblog|nchan|none  where a frame's resume cursor is\n"
		"  --resume-arg NAME      query argument carrying it (since, last_event_id)\n"
		"  --server-pid LIST      server pids (comma-separated) for RSS and CPU\n"
		"  --redis-pid PID        redis-server pid for its CPU\n"
		"  --redis-port PORT      that Redis' port on 127.0.0.1: the commands it\n"
		"                         served while posting and draining (INFO\n"
		"                         commandstats: clients' and scripts' own, not\n"
		"                         INFO), and during a storm's catch-up\n"
		"  --server NAME --scenario NAME   labels for the report\n"
		"  --json FILE            append the result as one JSON line\n"
		"  --max-time S           hard limit on the whole run (default 900)\n"
		"Exit status: 0 clean; 3 a delivery missing, duplicated or unasked; 4 a post\n"
		"failed or a reader did not connect or was dropped; 1, 2 errors.\n");
}

static int parse_opts(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "mode", 1, 0, 'm' }, { "url", 1, 0, 'u' }, { "pub", 1, 0, 'p' },
		{ "protocol", 1, 0, 'P' }, { "admin-token", 1, 0, 'a' }, { "blog", 1, 0, 'b' },
		{ "readers", 1, 0, 'n' }, { "procs", 1, 0, 'k' }, { "src-ips", 1, 0, 'i' },
		{ "connect-rate", 1, 0, 'c' }, { "max-pending", 1, 0, 'M' }, { "rate", 1, 0, 'r' },
		{ "duration", 1, 0, 'd' }, { "size", 1, 0, 's' }, { "warmup", 1, 0, 'w' },
		{ "drain", 1, 0, 'D' }, { "storm", 0, 0, 'S' }, { "storm-posts", 1, 0, 'N' },
		{ "storm-timeout", 1, 0, 'T' }, { "cursor", 1, 0, 'C' }, { "resume-arg", 1, 0, 'R' },
		{ "server-pid", 1, 0, 'x' }, { "redis-pid", 1, 0, 'y' }, { "redis-port", 1, 0, 'Q' }, { "server", 1, 0, 'X' },
		{ "scenario", 1, 0, 'Y' }, { "json", 1, 0, 'j' }, { "max-time", 1, 0, 't' },
		{ "publishers", 1, 0, 'K' }, { "help", 0, 0, 'h' }, { "deflate", 0, 0, 'z' },
		{ "texts", 1, 0, 'F' }, { "nap-us", 1, 0, 'Z' }, { 0, 0, 0, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'm': o.liveblogd = !strcmp(optarg, "liveblogd");
			  if (!o.liveblogd && strcmp(optarg, "raw"))
				  return -1;
			  break;
		case 'u': o.url = optarg; break;
		case 'p': o.pub = optarg; break;
		case 'P': o.protocol = optarg; break;
		case 'Z': o.nap_us = atoi(optarg); break;
		case 'a': o.admin_token = optarg; break;
		case 'b': snprintf(o.blog, sizeof(o.blog), "%s", optarg); break;
		case 'n': o.readers = atoi(optarg); break;
		case 'k': o.procs = atoi(optarg); break;
		case 'i': o.src_ips = atoi(optarg); break;
		case 'c': o.connect_rate = atof(optarg); break;
		case 'M': o.max_pending = atoi(optarg); break;
		case 'r': o.rate = atof(optarg); break;
		case 'd': o.duration = atof(optarg); break;
		case 's': o.size = atoi(optarg); break;
		case 'w': o.warmup = atof(optarg); break;
		case 'D': o.drain = atof(optarg); break;
		case 'S': o.storm = true; break;
		case 'N': o.storm_posts = atoi(optarg); break;
		case 'T': o.storm_timeout = atof(optarg); break;
		case 'C': o.cursor = optarg; break;
		case 'R': o.resume_arg = optarg; break;
		case 'x': o.server_pids = optarg; break;
		case 'y': o.redis_pid = optarg; break;
		case 'Q': o.redis_port = atoi(optarg); break;
		case 'X': o.server = optarg; break;
		case 'Y': o.scenario = optarg; break;
		case 'j': o.json = optarg; break;
		case 't': o.max_time = atof(optarg); break;
		case 'K': o.publishers = atoi(optarg); break;
		case 'z': o.deflate = true; break;
		case 'F': o.texts = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

static int check_opts(void)
{
	if (o.readers < 1 || o.readers > 1000000 || o.rate <= 0 || o.duration < 0 ||
	    o.size < 32 || o.size > 60000 || o.src_ips < 1 || o.src_ips > 250 ||
	    o.storm_posts < 0 || o.max_time <= 0 || o.max_pending < 1 ||
	    o.publishers < 1 || o.publishers > MAXPUB || o.nap_us < 0 || o.nap_us > 100000) {
		fprintf(stderr, "loadtool: an option is out of range (see --help)\n");
		return -1;
	}
	if (!o.procs)
		o.procs = (o.readers + 8999) / 9000;
	if (o.procs < 1 || o.procs > MAXPROCS || o.procs > o.readers) {
		fprintf(stderr, "loadtool: --procs must be 1..%d and at most --readers\n", MAXPROCS);
		return -1;
	}
	if (!o.blog[0])
		snprintf(o.blog, sizeof(o.blog), "bench-%d-%lld", (int)getpid(),
			 (long long)(now_us() / 1000 % 100000000));
	if (!o.url)
		o.url = "ws://127.0.0.1:8080/ws/blogs/{blog}";
	if (!o.pub)
		o.pub = o.liveblogd ? "http://127.0.0.1:8080/" : "http://127.0.0.1:8080/pub/{blog}";
	if (!o.protocol)
		o.protocol = o.liveblogd ? "liveblog.v1" : "";
	if (!o.cursor)
		o.cursor = o.liveblogd ? "liveblog" : "none";
	if (!o.resume_arg)
		o.resume_arg = o.liveblogd ? "since" : "";
	if (o.liveblogd && !o.admin_token) {
		fprintf(stderr, "loadtool: liveblogd mode needs --admin-token\n");
		return -1;
	}
	if (o.texts && (!o.liveblogd || load_texts(o.texts))) {
		fprintf(stderr, "loadtool: --texts needs --mode liveblogd and a JSON-lines file\n");
		return -1;
	}
	if (parse_url(o.url, "ws://", o.ws_host, &o.ws_port, o.ws_path, sizeof(o.ws_path)) ||
	    parse_url(o.pub, "http://", o.pub_host, &o.pub_port, o.pub_path, sizeof(o.pub_path))) {
		fprintf(stderr, "loadtool: bad --url or --pub\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct rlimit rl;

	if (parse_opts(argc, argv)) {
		usage(stderr);
		return 2;
	}
	if (check_opts())
		return 2;
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		if ((long)rl.rlim_cur < o.readers / o.procs + 64)
			fprintf(stderr, "loadtool: RLIMIT_NOFILE %ld < %d readers per process: "
				"use more --procs\n", (long)rl.rlim_cur, o.readers / o.procs);
	}
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned)ceil(o.max_time));   /* children inherit the deadline */
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("loadtool: mmap");
		return 1;
	}
	sh->run_id = (uint32_t)(now_us() ^ ((uint64_t)getpid() << 16));
	return run();
}
