/*
 * Process-wide request counters for GET /metrics, updated lock-free by the
 * request threads.
 */
#ifndef API_METRICS_H
#define API_METRICS_H

void	metrics_start(void);
/* Counts one answered request of status that took ms milliseconds. */
void	metrics_count(int status, double ms);

#endif
