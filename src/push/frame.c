/*
 * frame.c — shared, refcounted WebSocket messages.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "push/frame.h"

struct frame *frame_from_json(const json_t *v, const char *seq, bool ended)
{
	char *text = codec_dump(v);
	size_t len = text ? strlen(text) : 0;
	struct frame *f = text ? malloc(sizeof(*f) + LWS_PRE + len) : NULL;

	if (f) {
		f->refs = 1;
		f->ended = ended;
		f->seq.ms = f->seq.n = 0;
		snprintf(f->seq_str, sizeof(f->seq_str), "%s", seq ? seq : "0-0");
		if (seq)
			text_seq_parse(seq, &f->seq);
		f->born = lws_now_usecs();
		f->len = len;
		memcpy(f->buf + LWS_PRE, text, len);
	}
	free(text);
	return f;
}

struct frame *frame_ref(struct frame *f)
{
	f->refs++;
	return f;
}

void frame_unref(struct frame *f)
{
	if (f && !--f->refs)
		free(f);
}
