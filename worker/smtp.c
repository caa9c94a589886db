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

#include "../common/log.h"
#include "smtp.h"

#define SMTP_CONNECT_TIMEOUT	10L	/* seconds */
#define SMTP_TIMEOUT		60L	/* seconds, for one whole message */
#define SMTP_ADDR_MAX		254

struct smtp {
	CURL		*curl;
	char		 errbuf[CURL_ERROR_SIZE];
	/* The server's last reply line in the current transfer. */
	char		 reply[256];
	int		 replied;
	/* The message being uploaded. */
	const char	*data;
	size_t		 len;
	size_t		 off;
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

/* Sets *tls when the scheme is smtps and *loopback for a loopback host. */
static int
smtp_url_parse(const char *url, int *tls, int *loopback)
{
	CURLU	*u;
	char	*scheme = NULL, *host = NULL;
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
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

/*
 * Keeps the last line the server sent. Only CURLINFO_HEADER_IN: what curl
 * sends (HEADER_OUT) holds the AUTH exchange and must never be kept.
 */
static int
smtp_debug(CURL *curl, curl_infotype type, char *data, size_t size,
    void *arg)
{
	struct smtp	*s = arg;
	size_t		 start, end, n;

	(void)curl;
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
	return 0;
}

static size_t
smtp_read(char *ptr, size_t size, size_t nitems, void *arg)
{
	struct smtp	*s = arg;
	size_t		 n = size * nitems;

	if (n > s->len - s->off)
		n = s->len - s->off;
	memcpy(ptr, s->data + s->off, n);
	s->off += n;
	return n;
}

struct smtp *
smtp_open(const char *url, const char *user, const char *password)
{
	struct smtp	*s = NULL;
	int		 tls = 0, loopback = 0;
	long		 use_ssl;

	pthread_once(&smtp_once, smtp_global_init);
	if (smtp_global_rc == -1) {
		log_warnx("smtp: curl_global_init failed");
		return NULL;
	}
	if (url == NULL || smtp_url_parse(url, &tls, &loopback) == -1) {
		log_warnx("smtp: the URL must be smtp://host:port or "
		    "smtps://host:port");
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->curl = curl_easy_init()) == NULL)
		goto fail;

	/*
	 * smtps is TLS from the first byte. Over smtp, a login across the
	 * network must not go out in clear: CURLUSESSL_ALL fails rather
	 * than falling back as NONE and TRY would.
	 */
	if (tls || (user != NULL && !loopback))
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
	    curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, s->errbuf) !=
	    CURLE_OK ||
	    /* The debug callback runs only in verbose mode; it prints none. */
	    curl_easy_setopt(s->curl, CURLOPT_DEBUGFUNCTION, smtp_debug) !=
	    CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_DEBUGDATA, s) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_VERBOSE, 1L) != CURLE_OK)
		goto fail;
	if (user != NULL &&
	    (curl_easy_setopt(s->curl, CURLOPT_USERNAME, user) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_PASSWORD,
	    password != NULL ? password : "") != CURLE_OK))
		goto fail;
	return s;
fail:
	log_warnx("smtp: cannot set up the client");
	smtp_close(s);
	return NULL;
}

/* An address curl may put between angle brackets in MAIL or RCPT. */
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

	if (!smtp_addr_ok(from) || !smtp_addr_ok(rcpt)) {
		/* No retry makes a bad address good. */
		smtp_result_set(res, 0, 0, "invalid sender or recipient");
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
	s->errbuf[0] = '\0';
	if (curl_easy_setopt(s->curl, CURLOPT_MAIL_FROM, addr) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, rcpts) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE,
	    (curl_off_t)len) != CURLE_OK) {
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
	if (rc == CURLE_OK) {
		smtp_result_set(res, code, 0, s->reply);
		return 0;
	}
	/*
	 * MAIL, RCPT and DATA refused come back as CURLE_SEND_ERROR, the
	 * reply to the message body as CURLE_RECV_ERROR: only these with a
	 * 5xx are the server's final no. A 5xx to EHLO, STARTTLS or AUTH is
	 * our configuration and a failed login too: kept for a retry, not
	 * every queued email failed.
	 */
	temporary = !((rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR) &&
	    code >= 500 && code <= 599);
	/* A failure after a positive reply (a timeout, TLS) is curl's. */
	if (s->replied && code >= 400)
		smtp_result_set(res, code, temporary, s->reply);
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
