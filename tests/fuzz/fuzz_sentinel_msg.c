/*
 * fuzz_sentinel_msg.c — src/store/sentinel_msg.c on arbitrary bytes: what
 * a sentinel (or whatever answers on its port) may send about the master.
 * The first byte splits the rest between a master's name (NUL-cut) and a
 * message.
 *   - a +switch-master payload is accepted only with exactly five words,
 *     and then its new host is 1-255 bytes of [A-Za-z0-9.:_-] not starting
 *     with '-', its port 1-65535, and it is about our master exactly;
 *   - a host or port parsed alone keeps the same bounds; a port's text
 *     printed back is the text given.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"

#include "store/sentinel_msg.h"

static void check_host(const char *h)
{
	size_t n = strlen(h);

	CHECK(n >= 1 && n < REDIS_URL_HOST_MAX && h[0] != '-');
	CHECK(strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:_-") == n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char master[64], host[REDIS_URL_HOST_MAX], back[8];
	struct redis_url_addr to = { "untouched", 7 };
	size_t cut, spaces = 0;
	const char *msg;
	int port, rc;

	if (!size)
		return 0;
	cut = data[0] % sizeof(master);
	if (cut > size - 1)
		cut = size - 1;
	memcpy(master, data + 1, cut);
	master[cut] = '\0';
	msg = (const char *)data + 1 + cut;
	size -= 1 + cut;
	rc = sentinel_msg_switch(msg, size, master, &to);
	CHECK(rc >= -1 && rc <= 1);
	for (size_t i = 0; i < size; i++)
		spaces += msg[i] == ' ';
	if (rc >= 0)
		CHECK(spaces == 4);
	if (rc == 1) {
		check_host(to.host);
		CHECK(to.port >= 1 && to.port <= 65535);
		CHECK(!strncmp(msg, master, strlen(master)) && msg[strlen(master)] == ' ');
	} else {
		CHECK(!strcmp(to.host, "untouched") && to.port == 7);
	}
	if (!sentinel_msg_host(msg, size, host))
		check_host(host);
	port = sentinel_msg_port(msg, size);
	CHECK(port >= 0 && port <= 65535);
	if (port) {
		snprintf(back, sizeof(back), "%d", port);
		CHECK(strlen(back) == size && !memcmp(back, msg, size));
	}
	return 0;
}
