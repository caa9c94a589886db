/*
 * The worker loop and its signal handling.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../common/log.h"
#include "../common/text.h"
#include "worker.h"

int
worker_parse_time(const char *s, int64_t *out)
{
	struct tm	 tm;
	const char	*p;
	int		 sign, oh, om;
	time_t		 t;

	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*p == '.') {	/* fractions of a second are dropped */
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (strcmp(p, "Z") == 0 || strcmp(p, "z") == 0) {
		sign = oh = om = 0;
	} else if ((p[0] == '+' || p[0] == '-') && strlen(p) == 6 &&
	    p[3] == ':' && sscanf(p + 1, "%2d:%2d", &oh, &om) == 2 &&
	    oh < 24 && om < 60) {
		sign = p[0] == '+' ? 1 : -1;
	} else
		return -1;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	*out = (int64_t)t - sign * (oh * 3600 + om * 60);
	return 0;
}

static int64_t
worker_now(const struct worker *w)
{
	return w->fixed_now != 0 ? w->fixed_now : (int64_t)time(NULL);
}

/* One pass over the jobs. The jobs themselves live in their modules. */
static int
worker_pass(struct worker *w)
{
	log_debug("pass at %lld", (long long)worker_now(w));
	return 0;
}

int
worker_run(struct worker *w)
{
	struct timespec	 wait;
	sigset_t	 set;
	int		 sig, rc = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	/* Signals are taken only between passes, never mid-message. */
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((w->store = store_open(w->cfg->db_path, 0)) == NULL)
		return 1;
	if (store_schema_version(w->store) < store_schema_latest()) {
		log_warnx("the database schema is older than this worker: "
		    "run portal-api migrate");
		rc = 1;
		goto out;
	}
	log_info("worker started (database %s)", w->cfg->db_path);
	for (;;) {
		if (worker_pass(w) == -1)
			rc = 1;
		if (w->once)
			break;
		wait.tv_sec = (time_t)w->cfg->worker_poll;
		wait.tv_nsec = 0;
		sig = sigtimedwait(&set, NULL, &wait);
		if (sig > 0) {
			log_info("signal %d: stopping", sig);
			break;
		}
		if (sig == -1 && errno != EAGAIN && errno != EINTR) {
			log_warn("sigtimedwait");
			rc = 1;
			break;
		}
	}
out:
	store_close(w->store);
	w->store = NULL;
	return rc;
}
