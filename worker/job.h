/*
 * What the worker hands each of its jobs (digest, deliver, tidy) for a
 * pass: the database, the configuration and the stop check. The jobs see
 * this and nothing of the loop in worker.c that runs them.
 */
#ifndef WORKER_JOB_H
#define WORKER_JOB_H

#include "../common/config.h"
#include "../common/store.h"

/* Borrowed for the pass: the worker owns and closes both. */
struct job {
	struct store		*store;
	const struct config	*cfg;
};

/*
 * Nonzero once SIGTERM or SIGINT is pending: finish the message in hand
 * and return. worker_run() blocks both, so that they stay pending until
 * the jobs have stopped.
 */
int	job_stopping(const struct job *);

#endif
