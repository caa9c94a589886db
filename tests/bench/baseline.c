/*
 * The benchmark's baseline: a bare civetweb server that answers every
 * request (GET, or PUT and POST after reading their body) with 200 and
 * one fixed JSON body of a given size, set up like api/server.c
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
#include <strings.h>
#include <time.h>
#include <pthread.h>

#include <civetweb.h>

static char	*body;
static size_t	 body_len;

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

/*
 * As api/server.c's server_send: the same headers, Date and Connection
 * included, written with the body in one mg_write. A request body is read
 * to its end first, as the API reads it before its handler runs.
 */
static int
handle(struct mg_connection *conn, void *cbdata)
{
	const char		*h = mg_get_header(conn, "Connection");
	char			 head[512], date[64], in[4096], *out;
	struct tm		 tm;
	time_t			 now = time(NULL);
	int			 n;

	(void)cbdata;
	while (mg_read(conn, in, sizeof(in)) > 0)
		;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	/* Same length as the API's random request ids (24 hex digits). */
	n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
	    "X-Request-Id: 0123456789abcdef01234567\r\n"
	    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
	    "Date: %s\r\nVary: Origin\r\nConnection: %s\r\n\r\n",
	    body_len, date, h == NULL || strcasecmp(h, "keep-alive") == 0 ?
	    "keep-alive" : "close");
	/* A copy per reply, as the API builds each reply in a buffer. */
	if (n < 0 || (size_t)n >= sizeof(head) ||
	    (out = malloc((size_t)n + body_len)) == NULL)
		return 500;
	memcpy(out, head, (size_t)n);
	memcpy(out + n, body, body_len);
	mg_write(conn, out, (size_t)n + body_len);
	free(out);
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
