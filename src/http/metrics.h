/*
 * metrics.h — GET /metrics in the Prometheus text format.
 */
#ifndef LB_METRICS_H
#define LB_METRICS_H

struct req;

void metrics_respond(struct req *q);

#endif
