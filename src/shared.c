/*
 * shared.c — state shared by the workers of one process (see shared.h).
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>

#include "shared.h"

const double fanout_bounds[FANOUT_BUCKETS] = {
	0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 5
};

struct lb_metrics metrics;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static json_t *known;        /* blog id → true */
static json_t *per_ip;       /* address → open readers */
static json_t *tokens;       /* blog id → editor token hash */

int shared_init(void)
{
	known = json_object();
	per_ip = json_object();
	tokens = json_object();
	return known && per_ip && tokens ? 0 : -1;
}

void shared_free(void)
{
	json_decref(known);
	json_decref(per_ip);
	json_decref(tokens);
	known = per_ip = tokens = NULL;
}

void known_add(const char *blog)
{
	pthread_mutex_lock(&lock);
	json_object_set_new(known, blog, json_true());
	pthread_mutex_unlock(&lock);
}

bool known_has(const char *blog)
{
	bool has;

	pthread_mutex_lock(&lock);
	has = json_object_get(known, blog) != NULL;
	pthread_mutex_unlock(&lock);
	return has;
}

bool ip_reader_add(const char *ip, long max)
{
	json_t *n;
	json_int_t count;
	bool ok;

	pthread_mutex_lock(&lock);
	n = json_object_get(per_ip, ip);
	count = n ? json_integer_value(n) : 0;
	ok = count < max;
	if (ok)
		json_object_set_new(per_ip, ip, json_integer(count + 1));
	pthread_mutex_unlock(&lock);
	return ok;
}

void ip_reader_remove(const char *ip)
{
	json_t *n;

	pthread_mutex_lock(&lock);
	n = json_object_get(per_ip, ip);
	if (n && json_integer_value(n) > 1)
		json_integer_set(n, json_integer_value(n) - 1);
	else if (n)
		json_object_del(per_ip, ip);
	pthread_mutex_unlock(&lock);
}

void token_cache_put(const char *blog, const char *hash)
{
	pthread_mutex_lock(&lock);
	json_object_set_new(tokens, blog, json_string(hash));
	pthread_mutex_unlock(&lock);
}

bool token_cache_get(const char *blog, char *out)
{
	const char *h;

	pthread_mutex_lock(&lock);
	h = json_string_value(json_object_get(tokens, blog));
	if (h)
		snprintf(out, 72, "%s", h);
	pthread_mutex_unlock(&lock);
	return h != NULL;
}
