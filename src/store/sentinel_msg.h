/*
 * sentinel_msg.h — what a Redis Sentinel says about a master, parsed
 * without any I/O: the address SENTINEL get-master-addr-by-name answers
 * (two strings, host and port) and the payload of a +switch-master
 * message ("<name> <old-host> <old-port> <new-host> <new-port>").
 *
 * A host is what the sentinel announces: an IP address, or a name with
 * announce-hostnames (resolved off the loop, see resolve.h): 1 to 255
 * bytes of letters, digits and ". : _ -" (nothing that could be an option
 * or a path). A port is 1..65535 in decimal.
 */
#ifndef LB_SENTINEL_MSG_H
#define LB_SENTINEL_MSG_H

#include <stddef.h>

#include "store/redis_url.h"

/* Host s (len bytes) into out; 0, or -1 when it is not a host as above. */
int sentinel_msg_host(const char *s, size_t len, char out[REDIS_URL_HOST_MAX]);

/* The port in s (len bytes), or 0 when it is not one. */
int sentinel_msg_port(const char *s, size_t len);

/*
 * A +switch-master payload of len bytes. Returns 1 with the new master in
 * *to when it is about master, 0 when it is about another master (*to
 * untouched), -1 when it is malformed.
 */
int sentinel_msg_switch(const char *msg, size_t len, const char *master,
			struct redis_url_addr *to);

#endif
