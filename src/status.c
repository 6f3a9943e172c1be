/*
 * status.c — the error table (see status.h).
 */
#include "status.h"

static const struct {
	int http;
	const char *code;
	const char *message;
} table[LB_STATUS_COUNT] = {
	[LB_OK]                 = { 200, "ok", "OK." },
	[LB_CREATED]            = { 201, "created", "Created." },
	[LB_BAD_REQUEST]        = { 400, "bad_request", "The request is malformed." },
	[LB_UNAUTHORIZED]       = { 401, "unauthorized", "A valid bearer token is required." },
	[LB_NOT_FOUND]          = { 404, "not_found", "No such resource." },
	[LB_METHOD_NOT_ALLOWED] = { 405, "method_not_allowed", "This method is not allowed on this path." },
	[LB_LENGTH_REQUIRED]    = { 411, "length_required", "A Content-Length header is required." },
	[LB_ENDED]              = { 409, "ended", "The liveblog has ended and accepts no more changes." },
	[LB_CONFLICT]           = { 409, "conflict", "The resource exists with different content." },
	[LB_TOO_LARGE]          = { 413, "too_large", "The request is larger than the limit." },
	[LB_UNAVAILABLE]        = { 503, "unavailable", "Storage is unavailable; nothing was stored." },
	[LB_INTERNAL]           = { 500, "internal", "Internal error." },
};

int status_http(enum lb_status st)
{
	return st < LB_STATUS_COUNT ? table[st].http : 500;
}

const char *status_code(enum lb_status st)
{
	return st < LB_STATUS_COUNT ? table[st].code : "internal";
}

const char *status_message(enum lb_status st)
{
	return st < LB_STATUS_COUNT ? table[st].message : "Internal error.";
}
