/*
 * The alerts that time raises: a missing receipt that has grown too old
 * since anything about its client was last written.
 */
#ifndef WORKER_ALERTS_H
#define WORKER_ALERTS_H

#include "job.h"

/* Raises what is due; *raised counts the clients. 0 or -1. */
int	alerts_run(struct job *, int *raised);

#endif
