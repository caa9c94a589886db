/*
 * The stop check the jobs make between two messages or steps.
 */
#include <signal.h>

#include "job.h"

int
job_stopping(const struct job *j)
{
	sigset_t	 pending;

	(void)j;
	if (sigpending(&pending) == -1)
		return 0;
	return sigismember(&pending, SIGTERM) == 1 ||
	    sigismember(&pending, SIGINT) == 1;
}
