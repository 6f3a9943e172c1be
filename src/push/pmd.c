/*
 * pmd.c — permessage-deflate: the offer parser and one message at a time
 * through this thread's zlib streams (see pmd.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "push/pmd.h"

#define LEVEL       6        /* zlib's default: see docs/PERFORMANCE.md */
#define WINDOW_BITS 15
#define MEM_LEVEL   8
#define SCRATCH_KEEP (256 * 1024)   /* a bigger scratch buffer is freed after use */

static const unsigned char trailer[4] = { 0x00, 0x00, 0xff, 0xff };

static _Thread_local z_stream *dz, *iz;
static _Thread_local unsigned char *scratch, *text;
static _Thread_local size_t scratch_cap, text_cap;

/* ---- the offers ---- */

struct offer {
	bool name_ok, bad, snct, cnct, smwb, cmwb;
	int smwb_bits;
};

static bool is_tchar(int c)
{
	return c > 0x20 && c < 0x7f && !strchr("()<>@,;:\\\"/[]?={}", c);
}

static void skip_ows(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

/*
 * A token, or a quoted-string holding one (RFC 7692 7.1: a quoted value
 * must be a token once unquoted), into out. 0, or -1 on bad syntax.
 */
static int read_token(const char **p, char *out, size_t len, bool quoted_ok)
{
	bool quoted = quoted_ok && **p == '"';
	size_t n = 0;

	if (quoted)
		(*p)++;
	while (is_tchar((unsigned char)**p)) {
		if (n + 1 < len)
			out[n] = **p;
		n++;
		(*p)++;
	}
	if (quoted && *(*p)++ != '"')
		return -1;
	if (!n || n >= len)
		return n ? 1 : -1;   /* too long: a name we do not know */
	out[n] = '\0';
	return 0;
}

/* "8".."15", no leading zero; else -1. */
static int window_bits(const char *v)
{
	char *end;
	long n = v[0] == '0' ? -1 : strtol(v, &end, 10);

	return n >= 8 && n <= 15 && !*end ? (int)n : -1;
}

/* One parameter of a permessage-deflate offer (value NULL: none). */
static void take_param(struct offer *o, const char *name, const char *value)
{
	bool *seen = !strcmp(name, "server_no_context_takeover") ? &o->snct :
		     !strcmp(name, "client_no_context_takeover") ? &o->cnct :
		     !strcmp(name, "server_max_window_bits") ? &o->smwb :
		     !strcmp(name, "client_max_window_bits") ? &o->cmwb : NULL;

	if (!seen || *seen) {
		o->bad = true;   /* unknown or repeated (RFC 7692 5.1) */
		return;
	}
	*seen = true;
	if (seen == &o->smwb)
		o->bad |= !value || (o->smwb_bits = window_bits(value)) < 0;
	else if (seen == &o->cmwb)
		o->bad |= value && window_bits(value) < 0;
	else
		o->bad |= value != NULL;
}

/* Reads one offer up to ',' or the end. 0, or -1 on bad syntax. */
static int read_offer(const char **p, struct offer *o)
{
	char name[32], value[32];
	int r, vr;

	memset(o, 0, sizeof(*o));
	skip_ows(p);
	if ((r = read_token(p, name, sizeof(name), false)) < 0)
		return -1;
	o->name_ok = !r && !strcmp(name, "permessage-deflate");
	for (skip_ows(p); **p == ';'; skip_ows(p)) {
		(*p)++;
		skip_ows(p);
		if ((r = read_token(p, name, sizeof(name), false)) < 0)
			return -1;
		o->bad |= r > 0;
		skip_ows(p);
		if (**p != '=') {
			take_param(o, r ? "" : name, NULL);
			continue;
		}
		(*p)++;
		skip_ows(p);
		if ((vr = read_token(p, value, sizeof(value), true)) < 0)
			return -1;
		take_param(o, r ? "" : name, vr ? "" : value);
	}
	return **p == ',' || !**p ? 0 : -1;
}

int pmd_negotiate(const char *offers, char *params, size_t len)
{
	const char *p = offers;
	struct offer o, later;

	params[0] = '\0';
	for (;;) {
		if (read_offer(&p, &o))
			return -1;
		if (o.name_ok && !o.bad && (!o.smwb || o.smwb_bits == WINDOW_BITS))
			break;
		if (!*p++)
			return -1;
	}
	/* the offers after the one taken must still be well formed */
	while (*p++)
		if (read_offer(&p, &later))
			return -1;
	snprintf(params, len, "%s%s", PMD_PARAMS,
		 o.smwb ? "; server_max_window_bits=15" : "");
	return 0;
}

/* ---- one message ---- */

static bool scratch_fit(size_t need)
{
	unsigned char *b;

	if (need <= scratch_cap)
		return true;
	b = realloc(scratch, need);
	if (!b)
		return false;
	scratch = b;
	scratch_cap = need;
	return true;
}

static void scratch_trim(void)
{
	if (scratch_cap > SCRATCH_KEEP) {
		free(scratch);
		scratch = NULL;
		scratch_cap = 0;
	}
}

static z_stream *deflater(void)
{
	if (dz)
		return deflateReset(dz) == Z_OK ? dz : NULL;
	dz = calloc(1, sizeof(*dz));
	if (dz && deflateInit2(dz, LEVEL, Z_DEFLATED, -WINDOW_BITS, MEM_LEVEL,
			       Z_DEFAULT_STRATEGY) != Z_OK) {
		free(dz);
		dz = NULL;
	}
	return dz;
}

const unsigned char *pmd_deflate(const unsigned char *text, size_t len, size_t *outlen)
{
	z_stream *z = deflater();
	size_t cap;

	scratch_trim();
	if (!z || len > 0xffffffffu)
		return NULL;
	cap = deflateBound(z, (uLong)len) + 16;
	if (!scratch_fit(cap))
		return NULL;
	z->next_in = (unsigned char *)text;
	z->avail_in = (uInt)len;
	z->next_out = scratch;
	z->avail_out = (uInt)cap;
	if (deflate(z, Z_SYNC_FLUSH) != Z_OK || z->avail_in || !z->avail_out)
		return NULL;
	*outlen = cap - z->avail_out;
	if (*outlen < sizeof(trailer) ||
	    memcmp(scratch + *outlen - sizeof(trailer), trailer, sizeof(trailer)))
		return NULL;
	*outlen -= sizeof(trailer);
	return *outlen < len ? scratch : NULL;
}

static z_stream *inflater(void)
{
	if (iz)
		return inflateReset(iz) == Z_OK ? iz : NULL;
	iz = calloc(1, sizeof(*iz));
	if (iz && inflateInit2(iz, -WINDOW_BITS) != Z_OK) {
		free(iz);
		iz = NULL;
	}
	return iz;
}

/*
 * Feeds len bytes at in. Z_OK (all taken), Z_STREAM_END (a final block
 * ended with them), Z_BUF_ERROR (out is full before the input is taken)
 * or Z_DATA_ERROR.
 */
static int inflate_some(z_stream *z, const unsigned char *in, size_t len)
{
	int r = Z_OK;

	z->next_in = (unsigned char *)in;
	z->avail_in = (uInt)len;
	/* each Z_OK took input or gave output: this ends */
	while (z->avail_in && r == Z_OK)
		r = inflate(z, Z_SYNC_FLUSH);
	if (r == Z_STREAM_END)
		return z->avail_in ? Z_DATA_ERROR : Z_STREAM_END;
	if (r == Z_BUF_ERROR)
		return z->avail_out ? Z_DATA_ERROR : Z_BUF_ERROR;
	return r == Z_OK ? Z_OK : Z_DATA_ERROR;
}

/* Inflates into out (cap bytes): the length, -1 (not deflate) or -2 (too long). */
static long inflate_into(z_stream *z, const unsigned char *in, size_t len,
			 unsigned char *out, size_t cap)
{
	unsigned char spare;
	int r;

	z->next_out = out;
	z->avail_out = (uInt)cap;
	r = inflate_some(z, in, len);
	/* a message ended by a final block (RFC 7692 7.2.3.3) needs no trailer */
	if (r == Z_OK)
		r = inflate_some(z, trailer, sizeof(trailer));
	if (r == Z_BUF_ERROR)
		return -2;
	if (r != Z_OK && r != Z_STREAM_END)
		return -1;
	if (z->avail_out)
		return (long)(cap - z->avail_out);
	/* out is exactly full: is any text still held back? */
	z->next_out = &spare;
	z->avail_out = 1;
	inflate(z, Z_SYNC_FLUSH);
	return z->avail_out ? (long)cap : -2;
}

const unsigned char *pmd_inflate(const unsigned char *in, size_t len, size_t cap, long *n)
{
	z_stream *z = inflater();

	*n = -1;
	if (!z || len > 0xffffffffu || cap >= 0xffffffffu)
		return NULL;
	if (text_cap < cap + 1) {
		free(text);
		text_cap = 0;
		if (!(text = malloc(cap + 1)))
			return NULL;
		text_cap = cap + 1;
	}
	*n = inflate_into(z, in, len, text, cap);
	return *n >= 0 ? text : NULL;
}

void pmd_thread_exit(void)
{
	if (dz)
		deflateEnd(dz);
	if (iz)
		inflateEnd(iz);
	free(dz);
	free(iz);
	free(scratch);
	free(text);
	dz = iz = NULL;
	scratch = text = NULL;
	scratch_cap = text_cap = 0;
}
