/*
 * The benchmark's baseline: a bare civetweb server that answers every GET
 * with one fixed JSON body of a given size, set up like api/server.c
 * (same civetweb options, same reply headers, headers and body sent the
 * same way), so that the ratio of the API's throughput to this one's is
 * the cost of our own work: routing, authentication, SQLite and JSON.
 *
 *   baseline PORT SIZE [THREADS]
 *
 * Listens on 127.0.0.1:PORT until SIGTERM or SIGINT. THREADS defaults to
 * 64, the API's PORTAL_THREADS default.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include <civetweb.h>

static char	*body;
static size_t	 body_len;
static char	 body_len_text[24];

/* A JSON document of exactly len bytes: {"data":"xxx…"}. */
static char *
make_body(size_t len)
{
	static const char	 head[] = "{\"data\":\"", tail[] = "\"}";
	char			*b;
	size_t			 i, h = sizeof(head) - 1, t = sizeof(tail) - 1;

	if (len < h + t)
		len = h + t;
	if ((b = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(b, head, h);
	for (i = h; i < len - t; i++)
		b[i] = (char)('a' + (i % 26));
	memcpy(b + len - t, tail, t);
	b[len] = '\0';
	body_len = len;
	return b;
}

/* As api/server.c's server_send: the same headers, then the body. */
static int
handle(struct mg_connection *conn, void *cbdata)
{
	const struct mg_request_info	*ri = mg_get_request_info(conn);

	(void)cbdata;
	if (strcmp(ri->request_method, "GET") != 0) {
		mg_response_header_start(conn, 405);
		mg_response_header_add(conn, "Content-Length", "0", -1);
		mg_response_header_send(conn);
		return 405;
	}
	mg_response_header_start(conn, 200);
	mg_response_header_add(conn, "Content-Type", "application/json", -1);
	mg_response_header_add(conn, "Content-Length", body_len_text, -1);
	/* Same length as the API's random request ids (24 hex digits). */
	mg_response_header_add(conn, "X-Request-Id",
	    "0123456789abcdef01234567", -1);
	mg_response_header_add(conn, "Cache-Control", "no-store", -1);
	mg_response_header_add(conn, "X-Content-Type-Options", "nosniff", -1);
	mg_response_header_add(conn, "Vary", "Origin", -1);
	mg_response_header_send(conn);
	mg_write(conn, body, body_len);
	return 200;
}

int
main(int argc, char **argv)
{
	struct mg_callbacks	 cb;
	struct mg_context	*ctx;
	char			 listen[32], threads[16];
	long			 port, size, nthreads = 64;
	sigset_t		 set;
	int			 sig;
	const char		*options[] = {
		"listening_ports", listen,
		"num_threads", threads,
		"request_timeout_ms", "5000",
		"enable_keep_alive", "yes",
		"keep_alive_timeout_ms", "5000",
		"tcp_nodelay", "1",
		"max_request_size", "16384",
		"access_control_allow_origin", "",
		"access_control_allow_methods", "",
		"access_control_allow_headers", "",
		NULL
	};

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: baseline PORT SIZE [THREADS]\n");
		return 2;
	}
	port = strtol(argv[1], NULL, 10);
	size = strtol(argv[2], NULL, 10);
	if (argc == 4)
		nthreads = strtol(argv[3], NULL, 10);
	if (port < 1 || port > 65535 || size < 1 || size > 64L * 1024 * 1024 ||
	    nthreads < 1 || nthreads > 1024) {
		fprintf(stderr, "baseline: bad port, size or threads\n");
		return 2;
	}
	if ((body = make_body((size_t)size)) == NULL)
		return 1;
	(void)snprintf(body_len_text, sizeof(body_len_text), "%zu", body_len);
	(void)snprintf(listen, sizeof(listen), "127.0.0.1:%ld", port);
	(void)snprintf(threads, sizeof(threads), "%ld", nthreads);

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&cb, 0, sizeof(cb));
	mg_init_library(0);
	if ((ctx = mg_start(&cb, NULL, options)) == NULL) {
		fprintf(stderr, "baseline: cannot listen on %s\n", listen);
		mg_exit_library();
		return 1;
	}
	mg_set_request_handler(ctx, "/", handle, NULL);
	while (sigwait(&set, &sig) != 0)
		;
	mg_stop(ctx);
	mg_exit_library();
	free(body);
	return 0;
}
