/*
 * status.h — the one table of outcomes: each internal code maps to an HTTP
 * status, the JSON "error" code of SPEC.md and a default human message.
 */
#ifndef LB_STATUS_H
#define LB_STATUS_H

enum lb_status {
	LB_OK = 0,
	LB_CREATED,
	LB_BAD_REQUEST,
	LB_UNAUTHORIZED,
	LB_NOT_FOUND,
	LB_METHOD_NOT_ALLOWED,
	LB_LENGTH_REQUIRED,
	LB_ENDED,
	LB_CONFLICT,
	LB_TOO_LARGE,
	LB_UNAVAILABLE,
	LB_INTERNAL,
	LB_STATUS_COUNT
};

int status_http(enum lb_status st);
const char *status_code(enum lb_status st);
const char *status_message(enum lb_status st);

#endif
