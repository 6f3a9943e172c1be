/*
 * pageload.c — N readers load a page and its pictures over HTTP/1.1, as
 * browsers arriving at a liveblog do: each opens one keep-alive connection,
 * GETs the page, then each picture in turn, and closes. Plain libc + epoll,
 * one thread; connects are paced (--rate) and all readers run at once.
 *
 * Measured per request, from the request's first byte sent: the time to
 * the response's first byte (TTFB) and to its last. Prints one JSON line:
 *   {"readers","done","failed","elapsed_s","bytes",
 *    "page_ttfb_ms":{p50,p90,p99,max},"page_ms":{...},"picture_ms":{...},
 *    "reader_ms":{...}}
 * Responses must carry Content-Length (liveblogd's do); anything else, a
 * status other than 200 or a closed connection fails that reader.
 *
 *   pageload --port P --path /blogs/b [--picture /media/ID]... [--readers N]
 *            [--rate PER_S] [--max-time S]
 * Only 127.0.0.1 is used.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PICTURES 16
#define HEAD_MAX     8192

struct reader {
	int fd;
	int step;                  /* 0: the page, 1..n: picture step-1 */
	bool sending;
	char req[512];
	size_t req_len, req_off;
	char head[HEAD_MAX];
	size_t head_len;
	bool in_body;
	size_t body_left;
	int64_t t0, t_req, t_first;
};

static struct {
	int port, readers, rate, max_time, npics;
	const char *path;
	const char *pics[MAX_PICTURES];
} opt = { .readers = 5000, .rate = 2000, .max_time = 120 };

/* samples, microseconds */
static int64_t *page_ttfb, *page_all, *pic_all, *reader_all;
static size_t n_ttfb, n_page, n_pic, n_reader;
static int done, failed, active;
static uint64_t bytes;

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* {"p50":..,"p90":..,"p99":..,"max":..} in milliseconds */
static void stats(const char *name, int64_t *v, size_t n, bool comma)
{
	double q[4] = { 0 };

	if (n) {
		qsort(v, n, sizeof(*v), cmp64);
		q[0] = (double)v[n * 50 / 100] / 1000;
		q[1] = (double)v[n * 90 / 100] / 1000;
		q[2] = (double)v[n * 99 / 100] / 1000;
		q[3] = (double)v[n - 1] / 1000;
	}
	printf("\"%s\":{\"n\":%zu,\"p50\":%.2f,\"p90\":%.2f,\"p99\":%.2f,\"max\":%.2f}%s",
	       name, n, q[0], q[1], q[2], q[3], comma ? "," : "");
}

static void finish(int ep, struct reader *r, bool ok)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, r->fd, NULL);
	close(r->fd);
	r->fd = -1;
	active--;
	if (ok) {
		done++;
		reader_all[n_reader++] = now_us() - r->t0;
	} else {
		failed++;
	}
}

/* Prepares the request of r's current step. */
static void next_request(struct reader *r)
{
	const char *path = r->step ? opt.pics[r->step - 1] : opt.path;

	r->req_len = (size_t)snprintf(r->req, sizeof(r->req),
				      "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				      "Accept-Encoding: identity\r\n\r\n", path);
	r->req_off = 0;
	r->sending = true;
	r->head_len = 0;
	r->in_body = false;
	r->t_req = r->t_first = 0;
}

/* The head is in: 200 with a Content-Length, or false. */
static bool parse_head(struct reader *r, size_t *used)
{
	char *end = memmem(r->head, r->head_len, "\r\n\r\n", 4), *cl;

	if (!end)
		return r->head_len < HEAD_MAX - 1 ? (*used = 0, true) : false;
	*end = '\0';
	if (strncmp(r->head, "HTTP/1.1 200", 12))
		return false;
	cl = strcasestr(r->head, "\r\ncontent-length:");
	if (!cl)
		return false;
	r->body_left = strtoul(cl + 17, NULL, 10);
	r->in_body = true;
	*used = (size_t)(end + 4 - r->head);
	return true;
}

/* One response is complete: the next request, or the end of the reader. */
static void response_done(int ep, struct reader *r)
{
	int64_t t = now_us();

	if (!r->step) {
		page_ttfb[n_ttfb++] = r->t_first - r->t_req;
		page_all[n_page++] = t - r->t_req;
	} else {
		pic_all[n_pic++] = t - r->t_req;
	}
	if (r->step++ == opt.npics) {
		finish(ep, r, true);
		return;
	}
	next_request(r);
	epoll_ctl(ep, EPOLL_CTL_MOD, r->fd, &(struct epoll_event){ .events = EPOLLOUT, .data.ptr = r });
}

/* Reads what there is: head bytes, then body bytes (counted, dropped). */
static void on_readable(int ep, struct reader *r)
{
	static char buf[256 * 1024];
	ssize_t n;

	for (;;) {
		size_t off = 0, used = 0;

		n = read(r->fd, buf, sizeof(buf));
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			finish(ep, r, false);
			return;
		}
		bytes += (uint64_t)n;
		if (!r->t_first)
			r->t_first = now_us();
		while (off < (size_t)n) {
			if (!r->in_body) {
				size_t take = (size_t)n - off < HEAD_MAX - 1 - r->head_len ?
					      (size_t)n - off : HEAD_MAX - 1 - r->head_len;
				size_t before = r->head_len;

				memcpy(r->head + r->head_len, buf + off, take);
				r->head_len += take;
				if (!parse_head(r, &used)) {
					finish(ep, r, false);
					return;
				}
				off += r->in_body ? used - before : take;
			}
			if (r->in_body) {
				size_t take = (size_t)n - off < r->body_left ? (size_t)n - off : r->body_left;

				r->body_left -= take;
				off += take;
				if (!r->body_left) {
					response_done(ep, r);
					if (r->fd < 0 || off < (size_t)n)
						return;   /* no pipelining: nothing more is expected */
				}
			}
		}
	}
}

static void on_writable(int ep, struct reader *r)
{
	ssize_t n;

	if (!r->t_req)
		r->t_req = now_us();
	n = write(r->fd, r->req + r->req_off, r->req_len - r->req_off);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0) {
		finish(ep, r, false);
		return;
	}
	r->req_off += (size_t)n;
	if (r->req_off == r->req_len) {
		r->sending = false;
		epoll_ctl(ep, EPOLL_CTL_MOD, r->fd, &(struct epoll_event){ .events = EPOLLIN, .data.ptr = r });
	}
}

static bool start(int ep, struct reader *r)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port) };
	int one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (r->fd < 0)
		return false;
	setsockopt(r->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(r->fd, (struct sockaddr *)&a, sizeof(a)) && errno != EINPROGRESS) {
		close(r->fd);
		return false;
	}
	r->t0 = now_us();
	r->step = 0;
	next_request(r);
	active++;
	return !epoll_ctl(ep, EPOLL_CTL_ADD, r->fd,
			  &(struct epoll_event){ .events = EPOLLOUT, .data.ptr = r });
}

static void usage(void)
{
	fprintf(stderr, "usage: pageload --port P --path /blogs/ID [--picture /media/ID]... "
		"[--readers N] [--rate PER_S] [--max-time S]\n");
	exit(2);
}

static void parse(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "port", 1, 0, 'p' }, { "path", 1, 0, 'u' }, { "picture", 1, 0, 'i' },
		{ "readers", 1, 0, 'n' }, { "rate", 1, 0, 'r' }, { "max-time", 1, 0, 't' },
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (c) {
		case 'p': opt.port = atoi(optarg); break;
		case 'u': opt.path = optarg; break;
		case 'i':
			if (opt.npics == MAX_PICTURES)
				usage();
			opt.pics[opt.npics++] = optarg;
			break;
		case 'n': opt.readers = atoi(optarg); break;
		case 'r': opt.rate = atoi(optarg); break;
		case 't': opt.max_time = atoi(optarg); break;
		default: usage();
		}
	}
	if (!opt.port || !opt.path || opt.readers < 1 || opt.rate < 1)
		usage();
}

int main(int argc, char **argv)
{
	struct rlimit rl = { 65536, 65536 };
	struct epoll_event ev[256];
	struct reader *rs;
	int ep, started = 0;
	int64_t t0;

	parse(argc, argv);
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned)opt.max_time);
	rs = calloc((size_t)opt.readers, sizeof(*rs));
	page_ttfb = calloc((size_t)opt.readers, sizeof(int64_t));
	page_all = calloc((size_t)opt.readers, sizeof(int64_t));
	reader_all = calloc((size_t)opt.readers, sizeof(int64_t));
	pic_all = calloc((size_t)opt.readers * (size_t)(opt.npics + 1), sizeof(int64_t));
	ep = epoll_create1(0);
	if (!rs || !page_ttfb || !page_all || !reader_all || !pic_all || ep < 0)
		return 1;
	t0 = now_us();
	while (done + failed < opt.readers) {
		/* pace the connects: rate per second since the start */
		int64_t due = (now_us() - t0) * opt.rate / 1000000 + 1;

		while (started < opt.readers && started < due)
			if (!start(ep, &rs[started++]))
				failed++;
		int n = epoll_wait(ep, ev, 256, started < opt.readers ? 1 : 100);

		for (int i = 0; i < n; i++) {
			struct reader *r = ev[i].data.ptr;

			if (r->fd < 0)
				continue;
			if (ev[i].events & (EPOLLERR | EPOLLHUP) && !(ev[i].events & EPOLLIN))
				finish(ep, r, false);
			else if (r->sending)
				on_writable(ep, r);
			else
				on_readable(ep, r);
		}
	}
	printf("{\"readers\":%d,\"done\":%d,\"failed\":%d,\"elapsed_s\":%.2f,\"bytes\":%llu,",
	       opt.readers, done, failed, (double)(now_us() - t0) / 1e6, (unsigned long long)bytes);
	stats("page_ttfb_ms", page_ttfb, n_ttfb, true);
	stats("page_ms", page_all, n_page, true);
	stats("picture_ms", pic_all, n_pic, true);
	stats("reader_ms", reader_all, n_reader, false);
	printf("}\n");
	return failed ? 1 : 0;
}
