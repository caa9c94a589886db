/*
 * One PostgreSQL connection: opening it without ever logging a
 * password, the session's settings, and the server's messages cleaned
 * of secrets. The pool (pool.c) keeps the connections; the store
 * (store.c) runs statements on them.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../clock.h"
#include "../log.h"
#include "pg.h"

/* The oldest server the schema is written for. */
#define PG_SERVER_MIN		150000

/* Shorter secrets are masked only where they stand as a word. */
#define PG_SCRUB_ANYWHERE	4

/* Whether c continues a word: a secret next to it is part of the word. */
static int
pg_scrub_wordish(char c)
{
	return isalnum((unsigned char)c) || (c & 0x80) != 0;
}

void
pg_scrub(const char *msg, const char *const *secrets, size_t nsecrets,
    char *out, size_t outlen)
{
	size_t	 i, j, len, o = 0;
	int	 hit;

	for (i = 0; msg[i] != '\0' && o + 4 < outlen; ) {
		hit = 0;
		for (j = 0; j < nsecrets; j++) {
			if (secrets[j] == NULL ||
			    (len = strlen(secrets[j])) == 0 ||
			    strncmp(msg + i, secrets[j], len) != 0)
				continue;
			/*
			 * A password of a letter or two is also in "port"
			 * and every other word: there it is left alone.
			 */
			if (len < PG_SCRUB_ANYWHERE &&
			    ((i > 0 && pg_scrub_wordish(msg[i - 1])) ||
			    pg_scrub_wordish(msg[i + len])))
				continue;
			memcpy(out + o, "***", 3);
			o += 3;
			i += len;
			hit = 1;
			break;
		}
		if (hit)
			continue;
		out[o++] = msg[i] == '\n' || msg[i] == '\r' ||
		    msg[i] == '\t' ? ' ' : msg[i];
		i++;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

/*
 * The password as a URI spells it: the userinfo's after its ':', and
 * the value of a password= parameter, both as written (percent-encoded
 * or not). Pieces of uri copied into raw1 and raw2 ("" when absent).
 */
static void
pg_uri_passwords(const char *uri, char *raw1, char *raw2, size_t len)
{
	const char	*host, *end, *at, *colon, *p;
	size_t		 n;

	raw1[0] = raw2[0] = '\0';
	if ((host = strstr(uri, "://")) != NULL) {
		host += 3;
		end = host + strcspn(host, "/?");
		at = NULL;
		for (p = host; p < end; p++)
			if (*p == '@')
				at = p;
		if (at != NULL &&
		    (colon = memchr(host, ':', (size_t)(at - host))) != NULL) {
			n = (size_t)(at - colon - 1);
			(void)snprintf(raw1, len, "%.*s", (int)n, colon + 1);
		}
	}
	if ((p = strstr(uri, "password=")) != NULL) {
		p += strlen("password=");
		n = strcspn(p, "& ");
		(void)snprintf(raw2, len, "%.*s", (int)n, p);
	}
}

/* Logs why conn is not open, naming the server and never the password. */
static void
pg_log_connect_error(const char *uri, PGconn *conn)
{
	char		 where[256], msg[PG_MESSAGE_MAX], raw1[256], raw2[256];
	const char	*secrets[3];

	pg_uri_passwords(uri, raw1, raw2, sizeof(raw1));
	secrets[0] = raw1;
	secrets[1] = raw2;
	secrets[2] = conn != NULL ? PQpass(conn) : NULL;
	pg_scrub(conn != NULL ? PQerrorMessage(conn) : "out of memory",
	    secrets, 3, msg, sizeof(msg));
	store_db_for_log(uri, where, sizeof(where));
	log_warnx("cannot open database %s: %s", where, msg);
}

/*
 * The server's warnings, into the log; libpq would print them on
 * stderr. Notices below warnings are not sent (client_min_messages).
 */
static void
pg_notice(void *arg, const char *message)
{
	char	 msg[PG_MESSAGE_MAX];

	(void)arg;
	pg_scrub(message, NULL, 0, msg, sizeof(msg));
	log_warnx("database: %s", msg);
}

/* What every session needs before its first statement. 0 or -1. */
static int
pg_session(PGconn *conn, int timeout_ms)
{
	PGresult	*r;
	const char	*secrets[1];
	char		 sql[96], msg[PG_MESSAGE_MAX];
	int		 v = PQserverVersion(conn), rc = 0;

	(void)PQsetNoticeProcessor(conn, pg_notice, NULL);
	if (v < PG_SERVER_MIN) {
		log_warnx("database: PostgreSQL %d.%d is older than %d, "
		    "which the schema needs", v / 10000, v % 10000,
		    PG_SERVER_MIN / 10000);
		return -1;
	}
	(void)snprintf(sql, sizeof(sql), "SET statement_timeout = %d; "
	    "SET client_min_messages = warning", timeout_ms);
	r = PQexec(conn, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		secrets[0] = PQpass(conn);
		pg_scrub(PQerrorMessage(conn), secrets, 1, msg, sizeof(msg));
		log_warnx("database session settings: %s", msg);
		rc = -1;
	}
	PQclear(r);
	return rc;
}

int
pg_poll(PGconn *conn, short events, const struct timespec *until)
{
	struct pollfd	 p;
	int64_t		 ms;
	int		 n;

	p.fd = PQsocket(conn);
	p.events = events;
	for (;;) {
		if ((ms = clock_ms_until(until)) <= 0)
			return -1;
		n = poll(&p, 1, ms > INT_MAX ? INT_MAX : (int)ms);
		if (n > 0)
			return 0;
		if (n == -1 && errno != EINTR)
			return -1;
	}
}

/*
 * Drives libpq's connection steps, waiting for the server no later than
 * until. 0; -1 with *late set past it, or when a step failed.
 */
static int
pg_connect_by(PGconn *conn, const struct timespec *until, int *late)
{
	PostgresPollingStatusType	 st = PGRES_POLLING_WRITING;

	*late = 0;
	if (PQstatus(conn) == CONNECTION_BAD)
		return -1;
	for (;;) {
		if (st == PGRES_POLLING_OK)
			return 0;
		if (st == PGRES_POLLING_FAILED)
			return -1;
		/* The socket changes as libpq tries another address. */
		if (pg_poll(conn, st == PGRES_POLLING_READING ? POLLIN :
		    POLLOUT, until) == -1) {
			*late = 1;
			return -1;
		}
		st = PQconnectPoll(conn);
	}
}

PGconn *
pg_connect(const char *uri, int timeout_ms, const struct timespec *until,
    int quiet)
{
	/*
	 * tcp_user_timeout before dbname (the URI, expanded from dbname,
	 * overrides it when it names it): a server gone from the network
	 * (no answer to what was sent) ends the connection at the deadline
	 * instead of at the kernel's minutes of retransmissions. The
	 * connection itself is driven here, to the deadline.
	 */
	static const char *const keys[] = {
		"tcp_user_timeout", "application_name", "dbname", NULL
	};
	const char	*values[4];
	char		 ms[16], where[256];
	PGconn		*conn;
	int		 late;

	(void)snprintf(ms, sizeof(ms), "%d", timeout_ms);
	values[0] = ms;
	values[1] = "portal";
	values[2] = uri;
	values[3] = NULL;
	conn = PQconnectStartParams(keys, values, 1);
	if (conn == NULL || pg_connect_by(conn, until, &late) == -1) {
		if (quiet)
			;
		else if (conn != NULL && late) {
			store_db_for_log(uri, where, sizeof(where));
			log_warnx("cannot open database %s: no answer by the "
			    "deadline", where);
		} else
			pg_log_connect_error(uri, conn);
		goto fail;
	}
	if (pg_session(conn, timeout_ms) == -1)
		goto fail;
	return conn;
fail:
	PQfinish(conn);
	return NULL;
}
