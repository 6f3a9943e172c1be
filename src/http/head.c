/*
 * head.c — request head checks (see head.h).
 */
#include <string.h>
#include <strings.h>

#include "http/head.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

int head_content_length(const char *v, size_t len, unsigned long long *out)
{
	unsigned long long n = 0;
	size_t i = 0, digits = 0;

	while (i < len && is_space(v[i]))
		i++;
	for (; i < len && v[i] >= '0' && v[i] <= '9'; i++, digits++) {
		if (digits == 18)
			return -1;   /* far beyond any body limit; no overflow */
		n = n * 10 + (unsigned long long)(v[i] - '0');
	}
	while (i < len && is_space(v[i]))
		i++;
	if (!digits || i != len)
		return -1;
	*out = n;
	return 0;
}

size_t head_ah_bytes(const struct head_info *h)
{
	return h->len + 6 * (size_t)h->fields;
}

const char *head_framing(unsigned content_lengths, bool content_length_valid,
			 bool transfer_encoding)
{
	if (content_lengths > 1)
		return "The request has more than one Content-Length header.";
	if (content_lengths && !content_length_valid)
		return "The Content-Length header must be a decimal number of bytes.";
	if (content_lengths && transfer_encoding)
		return "The request has both Transfer-Encoding and Content-Length.";
	return NULL;
}

/* Query arguments of a request line, counted the way lws splits them. */
static unsigned count_args(const char *line, size_t len)
{
	const char *sp = memchr(line, ' ', len), *target, *q, *end;
	unsigned n = 1;

	if (!sp)
		return 0;
	target = sp + 1;
	end = memchr(target, ' ', len - (size_t)(target - line));
	if (!end)
		end = line + len;
	q = memchr(target, '?', (size_t)(end - target));
	if (!q)
		return 0;
	for (q++; q < end; q++)
		n += *q == '&' || *q == ';';
	return n;
}

/* Notes a header line's framing fields. Returns -1 for obsolete folding. */
static int header_line(const char *line, size_t len, struct head_info *out)
{
	static const char cl[] = "content-length:", te[] = "transfer-encoding:";
	unsigned long long n;

	if (is_space(line[0]))
		return -1;
	if (len >= sizeof(cl) - 1 && !strncasecmp(line, cl, sizeof(cl) - 1)) {
		out->content_lengths++;
		if (head_content_length(line + sizeof(cl) - 1,
					len - (sizeof(cl) - 1), &n))
			out->content_length_valid = false;
	} else if (len >= sizeof(te) - 1 && !strncasecmp(line, te, sizeof(te) - 1)) {
		out->transfer_encoding = true;
	}
	return 0;
}

static enum head_verdict too_large(struct head_info *out, const char *msg)
{
	out->message = msg;
	return HEAD_TOO_LARGE;
}

/* The head is complete: its bounds, then its framing. */
static enum head_verdict judge(struct head_info *out)
{
	if (out->args > HEAD_MAX_ARGS)
		return too_large(out, "The request line has more than 24 query arguments.");
	out->message = head_framing(out->content_lengths, out->content_length_valid,
				    out->transfer_encoding);
	return out->message ? HEAD_BAD_FRAMING : HEAD_OK;
}

enum head_verdict head_scan(const char *buf, size_t len, struct head_info *out)
{
	size_t pos = 0, max = len < HEAD_MAX ? len : HEAD_MAX;
	const char *nl;

	memset(out, 0, sizeof(*out));
	out->content_length_valid = true;
	while (pos < max && (nl = memchr(buf + pos, '\n', max - pos))) {
		const char *line = buf + pos;
		size_t n = (size_t)(nl - line), next = (size_t)(nl - buf) + 1;

		if (n && line[n - 1] == '\r')
			n--;
		if (!n) {          /* the blank line (or an empty request line) */
			out->len = next;
			return judge(out);
		}
		if (!pos) {
			out->args = count_args(line, n);
		} else if (++out->fields > HEAD_MAX_FIELDS) {
			return too_large(out, "The request has more than 64 header fields.");
		} else if (header_line(line, n, out)) {
			out->message = "A header line starts with white space (obsolete line folding).";
			return HEAD_BAD_FRAMING;
		}
		pos = next;
	}
	if (len >= HEAD_MAX)
		return too_large(out, "The request head is larger than 8192 bytes.");
	return HEAD_INCOMPLETE;
}
