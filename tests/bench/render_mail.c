/*
 * Message rendering on its own: the worker's mail_render() on the outbox
 * payloads of a benchmark run, again and again for a while, with nothing
 * else (no database, no SMTP). For scripts/bench-digest.
 *
 *   render-mail PAYLOADS SECONDS
 *
 * PAYLOADS holds one outbox payload (JSON) per line, as
 * tests/bench/digest_bench.py payloads writes them. Prints
 * "rendered=N seconds=S per_second=R bytes=B" (B the average size).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../worker/mail.h"

#define RENDER_PAYLOADS_MAX	1000000

static double
render_now(void)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int
main(int argc, char *argv[])
{
	FILE		*f;
	char		**payloads = NULL, *line = NULL, *msg, id[64];
	size_t		 cap = 0, len, n = 0, i, bytes = 0;
	ssize_t		 got;
	double		 seconds, t0, t;
	long long	 rendered = 0;
	int		 rc = 1;

	if (argc != 3 || (seconds = strtod(argv[2], NULL)) <= 0) {
		fprintf(stderr, "usage: render-mail PAYLOADS SECONDS\n");
		return 2;
	}
	if ((f = fopen(argv[1], "r")) == NULL) {
		perror(argv[1]);
		return 1;
	}
	if ((payloads = calloc(RENDER_PAYLOADS_MAX, sizeof(*payloads))) ==
	    NULL)
		goto out;
	while (n < RENDER_PAYLOADS_MAX &&
	    (got = getline(&line, &cap, f)) > 0) {
		if (line[got - 1] == '\n')
			line[got - 1] = '\0';
		if ((payloads[n++] = strdup(line)) == NULL)
			goto out;
	}
	if (n == 0) {
		fprintf(stderr, "render-mail: no payloads in %s\n", argv[1]);
		goto out;
	}
	t0 = render_now();
	do {
		for (i = 0; i < n; i++) {
			(void)snprintf(id, sizeof(id), "<bench.%lld@bench.test>",
			    rendered);
			if (mail_render(payloads[i], id, "portal@bench.test",
			    1767600000, &msg, &len) == -1) {
				fprintf(stderr, "render-mail: payload %zu does "
				    "not render\n", i + 1);
				goto out;
			}
			bytes += len;
			free(msg);
			rendered++;
		}
		t = render_now() - t0;
	} while (t < seconds);
	printf("rendered=%lld seconds=%.3f per_second=%.0f bytes=%zu\n",
	    rendered, t, (double)rendered / t, bytes / (size_t)rendered);
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(payloads[i]);
	free(payloads);
	free(line);
	fclose(f);
	return rc;
}
