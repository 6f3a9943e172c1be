/*
 * render.c — terminal rendering of blogs, entries and events.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "msg.h"
#include "render.h"
#include "reply.h"

/* Prints s cleaned of terminal controls, tabs and newlines kept if asked. */
static void put_clean(FILE *out, const char *s, const char *keep)
{
	char *copy = strdup(s ? s : "");

	if (!copy)
		return;
	msg_clean(copy, keep, ' ');
	fputs(copy, out);
	free(copy);
}

/*
 * Parses "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" into *t.
 * Returns 0 or -1.
 */
static int parse_rfc3339(const char *s, time_t *t)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, n = 0, oh, om;
	long off = 0;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
		   &n) != 6 || !n)
		return -1;
	s += n;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	if ((*s == '+' || *s == '-') &&
	    sscanf(s + 1, "%2d:%2d", &oh, &om) == 2)
		off = (*s == '+' ? 1 : -1) * (oh * 3600L + om * 60L);
	else if (*s != 'Z' && *s != 'z')
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*t = timegm(&tm) - off;
	return 0;
}

void render_time(const char *s, enum render_clock clock, char *out,
		 size_t outsz)
{
	struct tm tm;
	time_t t;

	if (!s || parse_rfc3339(s, &t) || !localtime_r(&t, &tm) ||
	    !strftime(out, outsz, clock == RENDER_TIME ? "%H:%M:%S" :
		      "%Y-%m-%d %H:%M", &tm)) {
		snprintf(out, outsz, "%.24s", s ? s : "?");
		msg_clean(out, "", '?');
	}
}

/* The local time of a seq "<ms>-<n>" (delete events carry no time). */
static void seq_time(const char *seq, char *out, size_t outsz)
{
	char iso[32];
	struct tm tm;
	time_t t = (time_t)(strtoull(seq, NULL, 10) / 1000);

	if (!gmtime_r(&t, &tm) ||
	    !strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(iso, sizeof(iso), "?");
	render_time(iso, RENDER_TIME, out, outsz);
}

void render_blog(FILE *out, const json_t *blog)
{
	const char *ended = reply_str(blog, "ended_at");
	json_t *count = json_object_get(blog, "entry_count");
	char when[64];

	put_clean(out, reply_str(blog, "title"), "");
	fputs(strcmp(reply_str(blog, "state"), "ended") ? "  [LIVE]\n" :
	      "  [ENDED]\n", out);
	fputs("id ", out);
	put_clean(out, reply_str(blog, "id"), "");
	if (reply_str(blog, "created_at")) {
		render_time(reply_str(blog, "created_at"), RENDER_DATE_TIME,
			    when, sizeof(when));
		fprintf(out, ", started %s", when);
	}
	if (ended) {
		render_time(ended, RENDER_DATE_TIME, when, sizeof(when));
		fprintf(out, ", ended %s", when);
	}
	if (json_is_integer(count))
		fprintf(out, ", %lld entr%s", (long long)json_integer_value(count),
			json_integer_value(count) == 1 ? "y" : "ies");
	fputs("\n\n", out);
}

/* Prints the text indented by four spaces, one output line per line. */
static void put_text(FILE *out, const char *text)
{
	const char *p = text, *nl;
	char *line;

	for (;;) {
		nl = strchr(p, '\n');
		line = strndup(p, nl ? (size_t)(nl - p) : strlen(p));
		if (!line)
			return;
		msg_clean(line, "\t", ' ');
		fprintf(out, *line ? "    %s\n" : "\n", line);
		free(line);
		if (!nl)
			break;
		p = nl + 1;
	}
}

void render_entry(FILE *out, const json_t *entry, const char *label,
		  enum render_clock clock)
{
	const char *author = reply_str(entry, "author");
	const char *title = reply_str(entry, "title");
	const char *edited = reply_str(entry, "edited_ts"), *ts;
	char when[64];

	/* An imported entry shows when it was first posted. */
	if (!(ts = reply_str(entry, "original_ts")))
		ts = reply_str(entry, "ts");
	render_time(ts, clock, when, sizeof(when));
	fprintf(out, "[%s]", when);
	if (label)
		fprintf(out, " %s", label);
	if (json_is_true(json_object_get(entry, "key")))
		fputs(" KEY", out);
	if (json_is_true(json_object_get(entry, "pinned")))
		fputs(" PINNED", out);
	if (author && *author) {
		fputc(' ', out);
		put_clean(out, author, "");
	}
	if (title && *title) {
		fputs(author && *author ? " · " : " ", out);
		put_clean(out, title, "");
	}
	if (edited) {
		render_time(edited, clock, when, sizeof(when));
		fprintf(out, " (updated %s)", when);
	}
	fputc('\n', out);
	put_text(out, reply_str(entry, "text"));
	fputc('\n', out);
}

void render_event(FILE *out, const json_t *ev)
{
	const char *type = reply_str(ev, "type");
	char when[64], label[48];
	json_t *rev;

	if ((!strcmp(type, "entry") || !strcmp(type, "edit")) &&
	    json_is_true(json_object_get(json_object_get(ev, "entry"), "redacted"))) {
		seq_time(reply_str(ev, "seq"), when, sizeof(when));
		fprintf(out, "[%s] redacted entry ", when);
		put_clean(out, reply_str(json_object_get(ev, "entry"), "id"), "");
		fputs("\n\n", out);
	} else if (!strcmp(type, "entry")) {
		render_entry(out, json_object_get(ev, "entry"), NULL,
			     RENDER_TIME);
	} else if (!strcmp(type, "edit")) {
		rev = json_object_get(json_object_get(ev, "entry"), "revision");
		if (json_is_integer(rev))
			snprintf(label, sizeof(label), "edited (revision %lld)",
				 (long long)json_integer_value(rev));
		else
			snprintf(label, sizeof(label), "edited");
		render_entry(out, json_object_get(ev, "entry"), label,
			     RENDER_TIME);
	} else if (!strcmp(type, "delete")) {
		seq_time(reply_str(ev, "seq"), when, sizeof(when));
		fprintf(out, "[%s] deleted entry ", when);
		put_clean(out, reply_str(ev, "entry_id"), "");
		fputs("\n\n", out);
	} else if (!strcmp(type, "ended")) {
		render_time(reply_str(ev, "ended_at"), RENDER_TIME, when,
			    sizeof(when));
		fprintf(out, "[%s] The liveblog has ended.\n", when);
	}
}

int render_json_line(FILE *out, const json_t *v)
{
	if (json_dumpf(v, out, JSON_COMPACT) || fputc('\n', out) == EOF ||
	    fflush(out))
		return -1;
	return 0;
}
