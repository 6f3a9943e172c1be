/*
 * server.h — the lws context: protocols, listening socket, HTTP callback.
 */
#ifndef LB_SERVER_H
#define LB_SERVER_H

/* Creates app.ctx and app.vh from app.cfg. Returns 0 or -1 (logged). */
int server_create(void);
void server_destroy(void);

#endif
