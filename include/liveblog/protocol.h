/*
 * protocol.h — constants of liveblog's external contract (SPEC.md), shared by
 * the daemon and the command-line client.
 */
#ifndef LIVEBLOG_PROTOCOL_H
#define LIVEBLOG_PROTOCOL_H

#define LB_SUBPROTOCOL        "liveblog.v1"
#define LB_DEFAULT_LISTEN     "127.0.0.1:8080"
#define LB_DEFAULT_SERVER     "http://127.0.0.1:8080"

#define LB_ID_MAX             64   /* blog slug: [a-z0-9][a-z0-9-]{0,63} */
#define LB_UUID_LEN           36
#define LB_SEQ_MAX            44   /* "<u64>-<u64>" plus NUL */
#define LB_TS_LEN             24   /* "2026-11-29T07:32:42.123Z" */

/* WebSocket close codes used by the server. */
#define LB_CLOSE_NORMAL       1000 /* after the ended event */
#define LB_CLOSE_GOING_AWAY   1001 /* server shutdown */
#define LB_CLOSE_POLICY       1008 /* "slow": the reader fell behind */
#define LB_CLOSE_TOO_BIG      1009 /* reader message over the limit */
#define LB_CLOSE_TRY_LATER    1013 /* reader limits: "server full", "too many readers from this address" */

#endif
