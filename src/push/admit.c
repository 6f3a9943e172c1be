/*
 * admit.c — reader admission and client addresses (see admit.h).
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "app.h"
#include "push/admit.h"

static struct clientaddr_set trusted;
/*
 * Readers admitted and not yet released, every loop's: a place is taken at
 * admission, so two loops admitting at once cannot both take the last one
 * (the liveblog_readers gauge counts a reader later, once it has joined).
 */
static atomic_ulong admitted;

/* Takes one of max places; false when none is left. */
static bool take_place(unsigned long max)
{
	unsigned long n = atomic_load(&admitted);

	while (n < max)
		if (atomic_compare_exchange_weak(&admitted, &n, n + 1))
			return true;
	return false;
}

int admit_init(const struct config_list *proxies)
{
	memset(&trusted, 0, sizeof(trusted));
	for (size_t i = 0; i < proxies->n; i++)
		if (clientaddr_set_add(&trusted, proxies->v[i]))
			return -1;
	return 0;
}

/* All X-Forwarded-For headers joined with ',' (lws keeps them in order). */
static char *forwarded_for(struct lws *wsi, size_t *len)
{
	int n = lws_hdr_total_length(wsi, WSI_TOKEN_X_FORWARDED_FOR);
	char *s = n > 0 ? malloc((size_t)n + 1) : NULL;

	if (s && lws_hdr_copy(wsi, s, n + 1, WSI_TOKEN_X_FORWARDED_FOR) < 0) {
		free(s);
		s = NULL;
	}
	*len = s ? strlen(s) : 0;
	return s;
}

void admit_client(struct lws *wsi, char out[CLIENTADDR_STRLEN])
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct clientaddr_ip peer, client;
	char *xff = NULL;
	size_t len = 0;

	if (getpeername(lws_get_socket_fd(wsi), (struct sockaddr *)&ss, &sl) ||
	    clientaddr_from_sockaddr((struct sockaddr *)&ss, sl, &peer)) {
		lws_get_peer_simple(wsi, out, CLIENTADDR_STRLEN);
		return;
	}
	/* the header only matters, and is only read, from a trusted peer */
	if (clientaddr_trusted(&trusted, &peer))
		xff = forwarded_for(wsi, &len);
	clientaddr_pick(&trusted, &peer, xff, len, &client);
	clientaddr_format(&client, out);
	free(xff);
}

enum admit_result admit_reader(struct lws *wsi, char ip[CLIENTADDR_STRLEN])
{
	enum admit_result r = ADMIT_OK;

	ip[0] = '\0';
	if (app.shutting_down || stop_signal) {
		r = ADMIT_CLOSING;
	} else if (!take_place((unsigned long)app.cfg.max_readers)) {
		r = ADMIT_FULL;
	} else {
		admit_client(wsi, ip);
		if (!ip[0])   /* ip marks an admitted reader until admit_release() */
			snprintf(ip, CLIENTADDR_STRLEN, "unknown");
		if (!ip_reader_add(ip, app.cfg.max_readers_per_ip)) {
			atomic_fetch_sub(&admitted, 1);
			ip[0] = '\0';
			r = ADMIT_PER_ADDRESS;
		}
	}
	if (r != ADMIT_OK)
		metrics.readers_refused++;
	return r;
}

void admit_release(char ip[CLIENTADDR_STRLEN])
{
	if (ip[0]) {
		ip_reader_remove(ip);
		atomic_fetch_sub(&admitted, 1);
	}
	ip[0] = '\0';
}

const char *admit_reason(enum admit_result r)
{
	switch (r) {
	case ADMIT_CLOSING:
		return "shutting down";
	case ADMIT_FULL:
		return "server full";
	case ADMIT_PER_ADDRESS:
		return "too many readers from this address";
	default:
		return "";
	}
}

const char *admit_message(enum admit_result r)
{
	switch (r) {
	case ADMIT_CLOSING:
		return "The server is shutting down; try again in a few seconds.";
	case ADMIT_FULL:
		return "The server has as many readers as it can take; try again later.";
	case ADMIT_PER_ADDRESS:
		return "There are too many readers from this address; try again later.";
	default:
		return "";
	}
}
