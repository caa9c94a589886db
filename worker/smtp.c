/*
 * The SMTP client: libcurl's SMTP with MAIL_FROM, MAIL_RCPT and an upload
 * read from memory, the server's reply text captured for the outbox.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "../common/address.h"
#include "../common/log.h"
#include "smtp.h"

#define SMTP_CONNECT_TIMEOUT	10L	/* seconds */
#define SMTP_TIMEOUT		60L	/* seconds, for one whole message */
#define SMTP_ADDR_MAX		254

/* The command a reply answers, as far as a 5xx means "never". */
enum smtp_phase {
	SMTP_PHASE_SESSION,	/* greeting, EHLO, STARTTLS, AUTH, QUIT */
	SMTP_PHASE_ENVELOPE	/* MAIL, RCPT, DATA and the message */
};

struct smtp {
	CURL		*curl;
	char		 errbuf[CURL_ERROR_SIZE];
	/* In the current transfer: the server's last reply line, */
	char		 reply[256];
	int		 replied;
	/* its last 4xx or 5xx line and what that line answered. */
	char		 error[256];
	enum smtp_phase	 error_phase;
	enum smtp_phase	 phase;
	/* The last message failed: the next one starts a new connection. */
	int		 fresh;
	/* The message being uploaded. */
	const char	*data;
	size_t		 len;
	size_t		 off;
	/* Called while a message is on the wire; -1 abandons it. */
	int		(*progress)(void *);
	void		*progress_arg;
	/* Called before the final dot; -1 abandons the message. */
	int		(*before_end)(void *, int);
	void		*before_end_arg;
	int		 ended;		/* the hook let the message end */
	int		 abandoned;
};

static pthread_once_t	 smtp_once = PTHREAD_ONCE_INIT;
static int		 smtp_global_rc = -1;

static void
smtp_global_init(void)
{
	smtp_global_rc = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ?
	    0 : -1;
}

/* "localhost", 127.0.0.0/8 or ::1: traffic that never leaves the host. */
static int
smtp_host_loopback(const char *host)
{
	struct in_addr	 a4;
	struct in6_addr	 a6;
	char		 h[64];
	size_t		 len = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	/* curl gives IPv6 literals in brackets. */
	if (len >= 2 && len < sizeof(h) + 2 && host[0] == '[' &&
	    host[len - 1] == ']') {
		memcpy(h, host + 1, len - 2);
		h[len - 2] = '\0';
		if (inet_pton(AF_INET6, h, &a6) == 1)
			return memcmp(&a6, &in6addr_loopback, sizeof(a6)) == 0;
	}
	return 0;
}

/*
 * Sets *tls when the scheme is smtps, *loopback for a loopback host and
 * *login when the URL itself carries a user name.
 */
static int
smtp_url_parse(const char *url, int *tls, int *loopback, int *login)
{
	CURLU	*u;
	char	*scheme = NULL, *host = NULL, *user = NULL;
	int	 rc = -1;

	if ((u = curl_url()) == NULL)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	if (strcmp(scheme, "smtps") == 0)
		*tls = 1;
	else if (strcmp(scheme, "smtp") == 0)
		*tls = 0;
	else
		goto out;
	*loopback = smtp_host_loopback(host);
	*login = curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK &&
	    user[0] != '\0';
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_url_cleanup(u);
	return rc;
}

/* Nonzero when data starts with the command word cmd. */
static int
smtp_is_command(const char *data, size_t size, const char *cmd)
{
	size_t	 n = strlen(cmd);

	return size >= n && strncasecmp(data, cmd, n) == 0;
}

/*
 * Keeps the last line the server sent, and its last error line. What
 * curl sends (HEADER_OUT) is only looked at for its command word: it
 * holds the AUTH exchange and must never be kept. "MAIL FROM:" and
 * "RCPT TO:" cannot be base64 AUTH lines (no space or colon there).
 */
static int
smtp_debug(CURL *curl, curl_infotype type, char *data, size_t size,
    void *arg)
{
	struct smtp	*s = arg;
	size_t		 start, end, n;

	(void)curl;
	if (type == CURLINFO_HEADER_OUT) {
		if (smtp_is_command(data, size, "MAIL FROM:") ||
		    smtp_is_command(data, size, "RCPT TO:") ||
		    smtp_is_command(data, size, "DATA\r\n"))
			s->phase = SMTP_PHASE_ENVELOPE;
		else
			s->phase = SMTP_PHASE_SESSION;
		return 0;
	}
	if (type != CURLINFO_HEADER_IN)
		return 0;
	/* The last non-empty line of the chunk, without its line end. */
	end = size;
	while (end > 0 && (data[end - 1] == '\r' || data[end - 1] == '\n'))
		end--;
	if (end == 0)
		return 0;
	start = end;
	while (start > 0 && data[start - 1] != '\n')
		start--;
	n = end - start;
	if (n >= sizeof(s->reply))
		n = sizeof(s->reply) - 1;
	memcpy(s->reply, data + start, n);
	s->reply[n] = '\0';
	s->replied = 1;
	/* A later "221 Bye" to curl's QUIT must not hide the refusal. */
	if (s->reply[0] == '4' || s->reply[0] == '5') {
		memcpy(s->error, s->reply, n + 1);
		s->error_phase = s->phase;
	}
	return 0;
}

static size_t
smtp_read(char *ptr, size_t size, size_t nitems, void *arg)
{
	struct smtp	*s = arg;
	size_t		 n = size * nitems;
	int		 r;

	/*
	 * Every byte has gone when curl asks for more: only once the
	 * caller's hook lets it does the answer say "the end", and curl
	 * add the final dot, so the server cannot take the message before.
	 * The hook is asked first whether it may end at once, then, when
	 * it says "not yet", to wait. The body goes whole before it, in as
	 * few segments as curl writes, not with its last byte apart.
	 */
	if (s->before_end != NULL && !s->ended && s->len > 0 &&
	    s->off == s->len) {
		if ((r = s->before_end(s->before_end_arg, 0)) == 1)
			r = s->before_end(s->before_end_arg, 1);
		if (r != 0) {
			s->abandoned = 1;
			return CURL_READFUNC_ABORT;
		}
		s->ended = 1;
	}
	if (n > s->len - s->off)
		n = s->len - s->off;
	memcpy(ptr, s->data + s->off, n);
	s->off += n;
	return n;
}

/*
 * curl calls this about once a second while it waits for the server, and
 * more often while data moves: the caller's hook runs here.
 */
static int
smtp_xferinfo(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct smtp	*s = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	if (s->progress == NULL || s->progress(s->progress_arg) == 0)
		return 0;
	s->abandoned = 1;
	return 1;	/* any nonzero value aborts the transfer */
}

void
smtp_set_progress(struct smtp *s, int (*fn)(void *), void *arg)
{
	s->progress = fn;
	s->progress_arg = arg;
}

void
smtp_set_before_end(struct smtp *s, int (*fn)(void *, int), void *arg)
{
	s->before_end = fn;
	s->before_end_arg = arg;
}

struct smtp *
smtp_open(const char *url, const char *user, const char *password)
{
	struct smtp	*s = NULL, *r = NULL;
	int		 tls = 0, loopback = 0, login = 0;
	long		 use_ssl;

	pthread_once(&smtp_once, smtp_global_init);
	if (smtp_global_rc == -1) {
		log_warnx("smtp: curl_global_init failed");
		return NULL;
	}
	if (url == NULL ||
	    smtp_url_parse(url, &tls, &loopback, &login) == -1) {
		log_warnx("smtp: the URL must be smtp://host:port or "
		    "smtps://host:port");
		return NULL;
	}
	/* An empty PORTAL_SMTP_USER is no user. */
	if (user != NULL && user[0] == '\0')
		user = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->curl = curl_easy_init()) == NULL)
		goto out;

	/*
	 * smtps is TLS from the first byte. Over smtp, a login across the
	 * network must not go out in clear: CURLUSESSL_ALL fails rather
	 * than falling back as NONE and TRY would.
	 */
	if (tls || ((user != NULL || login) && !loopback))
		use_ssl = CURLUSESSL_ALL;
	else
		use_ssl = CURLUSESSL_NONE;

	if (curl_easy_setopt(s->curl, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps") !=
	    CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_USE_SSL, use_ssl) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT,
	    SMTP_CONNECT_TIMEOUT) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_TIMEOUT, SMTP_TIMEOUT) !=
	    CURLE_OK ||
	    /* No SIGALRM for DNS timeouts: the worker owns its signals. */
	    curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_UPLOAD, 1L) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_READFUNCTION, smtp_read) !=
	    CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_READDATA, s) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_XFERINFOFUNCTION,
	    smtp_xferinfo) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_XFERINFODATA, s) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_NOPROGRESS, 0L) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, s->errbuf) !=
	    CURLE_OK ||
	    /* The debug callback runs only in verbose mode; it prints none. */
	    curl_easy_setopt(s->curl, CURLOPT_DEBUGFUNCTION, smtp_debug) !=
	    CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_DEBUGDATA, s) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_VERBOSE, 1L) != CURLE_OK)
		goto out;
	/* curl copies both strings. */
	if (user != NULL &&
	    (curl_easy_setopt(s->curl, CURLOPT_USERNAME, user) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_PASSWORD,
	    password != NULL ? password : "") != CURLE_OK))
		goto out;
	r = s;
	s = NULL;
out:
	if (r == NULL)
		log_warnx("smtp: cannot set up the client");
	smtp_close(s);
	return r;
}

/*
 * A sender curl may put between angle brackets in MAIL. The sender is
 * configuration (PORTAL_MAIL_FROM, "portal@localhost" by default), so it
 * gets this looser check; recipients get address_valid(), the rule the
 * API applies to every address it stores.
 */
static int
smtp_addr_ok(const char *a)
{
	const char	*p;

	if (a == NULL || a[0] == '\0' || strlen(a) > SMTP_ADDR_MAX)
		return 0;
	for (p = a; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    *p == '<' || *p == '>')
			return 0;
	return 1;
}

static void
smtp_result_set(struct smtp_result *res, long code, int temporary,
    const char *message)
{
	res->code = code;
	res->temporary = temporary;
	/* Cut to the field on purpose: it is a reason, not data. */
	(void)snprintf(res->message, sizeof(res->message), "%s", message);
}

int
smtp_send(struct smtp *s, const char *from, const char *rcpt,
    const char *msg, size_t len, struct smtp_result *res)
{
	struct curl_slist	*rcpts = NULL;
	char			 addr[SMTP_ADDR_MAX + 3];
	CURLcode		 rc;
	long			 code = 0;
	int			 temporary;

	/* No retry makes a bad address good. */
	if (!smtp_addr_ok(from)) {
		smtp_result_set(res, 0, 0, "invalid sender address");
		return -1;
	}
	if (!address_valid(rcpt)) {
		smtp_result_set(res, 0, 0,
		    "the recipient address cannot receive mail");
		return -1;
	}
	(void)snprintf(addr, sizeof(addr), "<%s>", rcpt);
	if ((rcpts = curl_slist_append(NULL, addr)) == NULL) {
		smtp_result_set(res, 0, 1, "out of memory");
		return -1;
	}
	(void)snprintf(addr, sizeof(addr), "<%s>", from);
	s->data = msg;
	s->len = len;
	s->off = 0;
	s->reply[0] = '\0';
	s->replied = 0;
	s->error[0] = '\0';
	s->error_phase = s->phase = SMTP_PHASE_SESSION;
	s->errbuf[0] = '\0';
	s->abandoned = 0;
	s->ended = 0;
	/*
	 * curl is not told the message's size: told it, curl ends the body
	 * once it has that many bytes, without asking for more, and the hook
	 * before the final dot would never run (smtp_read()).
	 */
	if (curl_easy_setopt(s->curl, CURLOPT_MAIL_FROM, addr) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, rcpts) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE,
	    (curl_off_t)-1) != CURLE_OK ||
	    /*
	     * curl keeps a connection whose last reply was a refusal of the
	     * message itself, even a 421 after which the server hangs up:
	     * reusing it can race that close and fail the next message.
	     */
	    curl_easy_setopt(s->curl, CURLOPT_FRESH_CONNECT, (long)s->fresh) !=
	    CURLE_OK) {
		curl_slist_free_all(rcpts);
		smtp_result_set(res, 0, 1, "out of memory");
		return -1;
	}
	rc = curl_easy_perform(s->curl);
	/* The list is curl's only during the transfer. */
	(void)curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(rcpts);
	s->data = NULL;

	/* No line from a server in this transfer: no code, whatever is left. */
	if (s->replied &&
	    curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code) !=
	    CURLE_OK)
		code = 0;
	s->fresh = rc != CURLE_OK;
	if (rc == CURLE_OK) {
		smtp_result_set(res, code, 0, s->reply);
		return 0;
	}
	if (rc == CURLE_ABORTED_BY_CALLBACK && s->abandoned) {
		smtp_result_set(res, code, 1, "abandoned by the sender");
		return -1;
	}
	/*
	 * Only a 5xx to MAIL, RCPT, DATA or the message itself is the
	 * server's final no for this message. curl reports those as
	 * CURLE_SEND_ERROR, but the reply after the body as
	 * CURLE_WEIRD_SERVER_REPLY, like a refused greeting: the command the
	 * reply answered tells them apart. A 5xx to the greeting, EHLO,
	 * STARTTLS or AUTH is about the server or our configuration and
	 * would fail every queued email: it is kept for a retry.
	 */
	temporary = !(code >= 500 && code <= 599 && s->error[0] != '\0' &&
	    s->error_phase == SMTP_PHASE_ENVELOPE);
	/* A failure after positive replies (a timeout, TLS) is curl's. */
	if (s->error[0] != '\0')
		smtp_result_set(res, code, temporary, s->error);
	else
		smtp_result_set(res, code, temporary, s->errbuf[0] != '\0' ?
		    s->errbuf : curl_easy_strerror(rc));
	return -1;
}

void
smtp_close(struct smtp *s)
{
	if (s == NULL)
		return;
	/* curl_easy_cleanup() ends a live connection with QUIT. */
	if (s->curl != NULL)
		curl_easy_cleanup(s->curl);
	free(s);
}
