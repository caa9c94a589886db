/*
 * portal-worker: the reminder worker. It reads the configuration, opens
 * the shared database and runs its passes until SIGTERM or SIGINT, or
 * one pass with --once.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../common/config.h"
#include "../common/log.h"
#include "../common/rfc3339.h"
#include "../common/store.h"
#include "worker.h"

static void
usage(void)
{
	fprintf(stderr, "usage: portal-worker [--once] [--now RFC3339]\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "now", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct worker	 w;
	struct config	 cfg;
	char		 err[256];
	int		 ch, rc;

	memset(&w, 0, sizeof(w));
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			w.once = 1;
			break;
		case 'n':
			if (rfc3339_parse(optarg, &w.fixed_now) == -1) {
				fprintf(stderr, "--now: a time such as "
				    "2026-03-30T08:00:00Z\n");
				return 2;
			}
			break;
		case 'h':
			usage();
			return 0;
		default:
			usage();
			return 2;
		}
	}
	if (optind != argc) {
		usage();
		return 2;
	}
	if (config_load(&cfg, 1, err, sizeof(err)) == -1) {
		fprintf(stderr, "portal-worker: configuration: %s\n", err);
		return 1;
	}
	log_init("portal-worker", cfg.log_level);
	store_global_init(&(struct store_settings){ .pool = (int)cfg.db_pool,
	    .timeout_ms = (int)cfg.request_timeout_ms });
	/* --now: this process's clock reads that time and runs on from it. */
	if (w.fixed_now != 0)
		store_now_set(w.fixed_now);
	w.cfg = &cfg;
	rc = worker_run(&w);
	config_cleanup(&cfg);
	return rc;
}
