/*
 * Tests for worker/smtp.h against the real SMTP server of the integration
 * tests (tests/integration/smtp_server.py, run from the repository root),
 * switched between accepting, 421 and 5xx through its mode file. Skipped
 * when that server cannot start (no python3-aiosmtpd).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/log.h"
#include "../../worker/smtp.h"

#define SERVER	"tests/integration/smtp_server.py"
#define FROM	"portal@portal.example"
#define RCPT	"bo@firm.example"

struct server {
	pid_t	 pid;
	int	 port;
	char	 dir[64];
	char	 url[64];
};

/* A port nobody listens on right now, from the kernel. */
static int
free_port(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 fd, port = -1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/* Starts the server and waits for its "ready" line; -1 when it cannot. */
static int
server_start(struct server *s)
{
	char	 port[16], line[64];
	int	 fds[2];
	ssize_t	 n;
	size_t	 got = 0;

	(void)snprintf(s->dir, sizeof(s->dir), "/tmp/test_smtp.XXXXXX");
	if (mkdtemp(s->dir) == NULL || (s->port = free_port()) == -1 ||
	    pipe(fds) == -1)
		return -1;
	(void)snprintf(port, sizeof(port), "%d", s->port);
	(void)snprintf(s->url, sizeof(s->url), "smtp://127.0.0.1:%d", s->port);
	if ((s->pid = fork()) == -1)
		return -1;
	if (s->pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execlp("python3", "python3", SERVER, "--port", port, "--dir",
		    s->dir, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (got < sizeof(line) - 1 &&
	    (n = read(fds[0], line + got, sizeof(line) - 1 - got)) > 0) {
		got += (size_t)n;
		line[got] = '\0';
		if (strstr(line, "ready\n") != NULL)
			break;
	}
	close(fds[0]);
	line[got] = '\0';
	return strstr(line, "ready\n") != NULL ? 0 : -1;
}

static void
server_stop(struct server *s)
{
	char	 cmd[128];

	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
	}
	if (s->dir[0] != '\0' && strncmp(s->dir, "/tmp/test_smtp.", 15) == 0) {
		(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
		(void)system(cmd);
	}
}

static void
set_mode(const struct server *s, const char *mode)
{
	char	 path[128];
	FILE	*f;

	(void)snprintf(path, sizeof(path), "%s/mode", s->dir);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "%s\n", mode);
	assert_int_equal(fclose(f), 0);
}

/* The contents of DIR/<n>.<ext>, or NULL when it is not there. */
static char *
stored(const struct server *s, int n, const char *ext, size_t *len)
{
	char	 path[128], *data;
	FILE	*f;
	long	 size;

	(void)snprintf(path, sizeof(path), "%s/%d.%s", s->dir, n, ext);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	rewind(f);
	data = malloc((size_t)size + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
	data[size] = '\0';
	fclose(f);
	*len = (size_t)size;
	return data;
}

static const char message[] =
    "From: Partner Portal <" FROM ">\r\n"
    "To: <" RCPT ">\r\n"
    "Subject: test\r\n"
    "\r\n"
    "Line one.\r\n"
    ".A line that starts with a dot.\r\n"
    ".\r\n"
    "Last line.\r\n";

/*
 * A message with no line that starts with a dot, as MIME messages are:
 * curl escapes nothing in it, so it sends exactly the bytes it was given.
 */
static const char plain_message[] =
    "From: Partner Portal <" FROM ">\r\n"
    "To: <" RCPT ">\r\n"
    "Subject: plain\r\n"
    "\r\n"
    "No line here starts with a dot.\r\n";

static int
setup(void **state)
{
	struct server	*s = calloc(1, sizeof(*s));

	if (s == NULL)
		return -1;
	if (server_start(s) == -1) {
		server_stop(s);
		s->pid = -1;	/* each test skips */
	}
	*state = s;
	return 0;
}

static int
teardown(void **state)
{
	struct server	*s = *state;

	if (s->pid > 0)
		server_stop(s);
	free(s);
	return 0;
}

static struct server *
server_or_skip(void **state)
{
	struct server	*s = *state;

	if (s->pid <= 0)
		skip();
	return s;
}

static int
send_one(struct smtp *c, struct smtp_result *r)
{
	memset(r, 0x55, sizeof(*r));
	return smtp_send(c, FROM, RCPT, message, sizeof(message) - 1, r);
}

/* Three messages over one connection, stored byte for byte. */
static void
test_batch_one_connection(void **state)
{
	struct server		*s = server_or_skip(state);
	struct smtp		*c;
	struct smtp_result	 r;
	char			*eml, *meta, *first = NULL;
	size_t			 len;
	int			 i;

	set_mode(s, "ok");
	assert_non_null(c = smtp_open(s->url, NULL, NULL));
	for (i = 1; i <= 3; i++) {
		assert_int_equal(send_one(c, &r), 0);
		assert_int_equal(r.code, 250);
		assert_int_equal(r.temporary, 0);
		assert_non_null(strstr(r.message, "250 2.0.0 Ok: queued as"));
	}
	smtp_close(c);
	for (i = 1; i <= 3; i++) {
		/* Dot-stuffing is undone: the bytes are the message. */
		assert_non_null(eml = stored(s, i, "eml", &len));
		assert_int_equal(len, sizeof(message) - 1);
		assert_memory_equal(eml, message, len);
		free(eml);
		assert_non_null(meta = stored(s, i, "json", &len));
		assert_non_null(strstr(meta, "\"mail_from\": \"" FROM "\""));
		assert_non_null(strstr(meta, "\"rcpt_tos\": [\"" RCPT "\"]"));
		/* The same connection number in all three. */
		if (first == NULL)
			first = strdup(strstr(meta, "\"connection\""));
		else
			assert_string_equal(strstr(meta, "\"connection\""),
			    first);
		free(meta);
	}
	free(first);
}

/* How many messages the server has stored (each .json is written last). */
static int
stored_count(const struct server *s)
{
	DIR		*d;
	struct dirent	*e;
	size_t		 len;
	int		 n = 0;

	assert_non_null(d = opendir(s->dir));
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* A hook before the final dot that records what the server had then. */
struct end_hook {
	const struct server	*s;
	int			 first;		/* answer when not to wait */
	int			 answer;	/* answer when to wait */
	int			 calls;
	int			 waits;
	int			 stored;	/* messages stored at the last call */
};

static int
end_hook(void *arg, int wait)
{
	struct end_hook	*h = arg;

	h->calls++;
	if (!wait)
		return h->first;
	h->waits++;
	/* Time for a server that took the message early to store it. */
	usleep(200000);
	h->stored = stored_count(h->s);
	return h->answer;
}

/*
 * Sends msg with a hook that first says "not yet": the hook is asked
 * twice and waits once, the server has stored nothing while it waits,
 * and then stores the message byte for byte.
 */
static void
held_then_stored(struct server *s, struct smtp *c, const char *msg,
    size_t len)
{
	struct end_hook		 h;
	struct smtp_result	 r;
	char			*eml;
	size_t			 got;
	int			 before = stored_count(s);

	memset(&h, 0, sizeof(h));
	h.s = s;
	h.first = 1;
	smtp_set_before_end(c, end_hook, &h);
	assert_int_equal(smtp_send(c, FROM, RCPT, msg, len, &r), 0);
	/* h is this call's own. */
	smtp_set_before_end(c, NULL, NULL);
	assert_int_equal(h.calls, 2);
	assert_int_equal(h.waits, 1);
	assert_int_equal(h.stored, before);
	assert_int_equal(stored_count(s), before + 1);
	assert_non_null(eml = stored(s, before + 1, "eml", &got));
	assert_int_equal(got, len);
	assert_memory_equal(eml, msg, len);
	free(eml);
}

/*
 * The hook before a message's final dot, once its bytes have gone: the
 * server stores the message only once the hook lets it end; "not yet"
 * asks again, to wait; -1 abandons the message, which the server never
 * stores, and the next one goes over a new connection.
 */
static void
test_before_end(void **state)
{
	struct server		*s = server_or_skip(state);
	struct end_hook		 h;
	struct smtp		*c;
	struct smtp_result	 r;
	int			 before;

	set_mode(s, "ok");
	assert_non_null(c = smtp_open(s->url, NULL, NULL));
	before = stored_count(s);
	held_then_stored(s, c, message, sizeof(message) - 1);

	/* Let go at once: asked once, the message whole. */
	memset(&h, 0, sizeof(h));
	smtp_set_before_end(c, end_hook, &h);
	h.s = s;
	assert_int_equal(send_one(c, &r), 0);
	assert_int_equal(h.calls, 1);
	assert_int_equal(h.waits, 0);
	assert_int_equal(stored_count(s), before + 2);

	memset(&h, 0, sizeof(h));
	h.s = s;
	h.first = 1;
	h.answer = -1;
	assert_int_equal(send_one(c, &r), -1);
	assert_int_equal(r.temporary, 1);
	assert_non_null(strstr(r.message, "abandoned"));
	usleep(200000);
	assert_int_equal(stored_count(s), before + 2);

	smtp_set_before_end(c, NULL, NULL);
	assert_int_equal(send_one(c, &r), 0);
	assert_int_equal(stored_count(s), before + 3);

	/*
	 * Again with nothing for curl to escape: the hook runs all the same
	 * (told the size, curl ended such a body without asking for more).
	 */
	held_then_stored(s, c, plain_message, sizeof(plain_message) - 1);

	smtp_close(c);
}

/* 4xx and 5xx at RCPT and after the body, and recovery on one handle. */
static void
test_refusals(void **state)
{
	static const struct {
		const char	*mode;
		long		 code;
		int		 temporary;
		const char	*text;
	} cases[] = {
		{ "421", 421, 1, "421 4.3.0 Service not available" },
		{ "550", 550, 0, "550 5.1.1 Mailbox unavailable" },
		{ "421-data", 421, 1, "421 4.3.0 Service not available" },
		{ "550-data", 554, 0, "554 5.6.0 Message rejected" },
		{ "421", 421, 1, "421 4.3.0 Service not available" },
	};
	struct server		*s = server_or_skip(state);
	struct smtp		*c;
	struct smtp_result	 r;
	size_t			 i;

	assert_non_null(c = smtp_open(s->url, NULL, NULL));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		set_mode(s, cases[i].mode);
		assert_int_equal(send_one(c, &r), -1);
		assert_int_equal(r.code, cases[i].code);
		assert_int_equal(r.temporary, cases[i].temporary);
		assert_ptr_equal(strstr(r.message, cases[i].text), r.message);
		/* Back to accepting: the very next message goes through. */
		set_mode(s, "ok");
		assert_int_equal(send_one(c, &r), 0);
		assert_int_equal(r.code, 250);
	}
	smtp_close(c);
}

/* Nobody listening: temporary, no code, curl's reason. */
static void
test_connection_refused(void **state)
{
	struct smtp		*c;
	struct smtp_result	 r;
	char			 url[64];

	(void)state;
	(void)snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", free_port());
	assert_non_null(c = smtp_open(url, NULL, NULL));
	assert_int_equal(send_one(c, &r), -1);
	assert_int_equal(r.code, 0);
	assert_int_equal(r.temporary, 1);
	assert_true(r.message[0] != '\0');
	assert_non_null(memchr(r.message, '\0', sizeof(r.message)));
	smtp_close(c);
}

/* An address that could smuggle a command is refused before sending. */
static void
test_bad_addresses(void **state)
{
	struct smtp		*c;
	struct smtp_result	 r;

	(void)state;
	assert_non_null(c = smtp_open("smtp://127.0.0.1:1", NULL, NULL));
	assert_int_equal(smtp_send(c, FROM, "a@b\r\nRCPT TO:<c@d>", message,
	    sizeof(message) - 1, &r), -1);
	assert_int_equal(r.code, 0);
	assert_int_equal(r.temporary, 0);
	assert_int_equal(smtp_send(c, "<a@b>", RCPT, message,
	    sizeof(message) - 1, &r), -1);
	assert_int_equal(smtp_send(c, "", RCPT, message,
	    sizeof(message) - 1, &r), -1);
	assert_int_equal(smtp_send(c, FROM, "a b@c", message,
	    sizeof(message) - 1, &r), -1);
	smtp_close(c);
}

/*
 * Recipients follow address_valid(), the rule the API stores addresses
 * by: what it refuses fails for good before any connection. The sender is
 * configuration and may be a local name.
 */
static void
test_recipient_rule(void **state)
{
	static const char *const refused[] = {
		"bo@localhost", "bo..b@firm.example", "bo@[127.0.0.1]",
		"\"b o\"@firm.example", "bo@-firm.example",
		"bo(x)@firm.example",
	};
	struct smtp		*c;
	struct smtp_result	 r;
	size_t			 i;

	(void)state;
	/* Port 1 refuses connections: reaching it is a temporary failure. */
	assert_non_null(c = smtp_open("smtp://127.0.0.1:1", NULL, NULL));
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		memset(&r, 0, sizeof(r));
		r.temporary = 1;
		assert_int_equal(smtp_send(c, FROM, refused[i], message,
		    sizeof(message) - 1, &r), -1);
		assert_int_equal(r.code, 0);
		assert_int_equal(r.temporary, 0);
		assert_non_null(strstr(r.message, "recipient"));
	}
	memset(&r, 0, sizeof(r));
	assert_int_equal(smtp_send(c, "portal@localhost", RCPT, message,
	    sizeof(message) - 1, &r), -1);
	assert_int_equal(r.temporary, 1);
	smtp_close(c);
}

static void
test_open(void **state)
{
	struct smtp	*c;

	(void)state;
	assert_null(smtp_open(NULL, NULL, NULL));
	assert_null(smtp_open("http://127.0.0.1:25", NULL, NULL));
	assert_null(smtp_open("imap://127.0.0.1:143", NULL, NULL));
	assert_null(smtp_open("not a url", NULL, NULL));
	/* Nothing connects before the first message. */
	assert_non_null(c = smtp_open("smtps://mail.example:465", "u", "p"));
	smtp_close(c);
	assert_non_null(c = smtp_open("smtp://[::1]:25", "u", NULL));
	smtp_close(c);
	smtp_close(NULL);
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_batch_one_connection),
		cmocka_unit_test(test_before_end),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_connection_refused),
		cmocka_unit_test(test_bad_addresses),
		cmocka_unit_test(test_recipient_rule),
		cmocka_unit_test(test_open),
	};

	log_init("test_smtp", LOG_LEVEL_ERROR);
	return cmocka_run_group_tests(tests, setup, teardown);
}
