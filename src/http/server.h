/*
 * server.h — the lws context: protocols, listening socket, HTTP callback.
 */
#ifndef LB_SERVER_H
#define LB_SERVER_H

/*
 * Creates this loop's app.ctx and app.vh from app.cfg, accepting on
 * listen_fd (listener.c; the front loop) or, with -1, only on connections
 * handed over (a fan-out loop). Returns 0 or -1.
 */
int server_create(int listen_fd);
void server_destroy(void);

#endif
