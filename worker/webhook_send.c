/*
 * A webhook request with libcurl (webhook_send.h). The address check is
 * made on the socket curl is about to connect (CURLOPT_OPENSOCKETFUNCTION)
 * and not on the name before: a name can resolve to something else at
 * the time of the request than at the time of a check.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "../common/log.h"
#include "../common/netaddr.h"
#include "../common/webhook.h"
#include "webhook_send.h"

#define WEBHOOK_CONNECT_TIMEOUT	5L	/* seconds */
#define WEBHOOK_TIMEOUT		15L	/* seconds, the whole request */

struct webhook_socket {
	int	 allow_loopback;
	char	 refused[NETADDR_TEXT_MAX];	/* "" unless one was */
};

static curl_socket_t
webhook_open_socket(void *arg, curlsocktype purpose,
    struct curl_sockaddr *sa)
{
	struct webhook_socket	*ws = arg;
	char			 text[NETADDR_TEXT_MAX];
	const void		*addr = NULL;

	(void)purpose;
	if (sa->family == AF_INET)
		addr = &((const struct sockaddr_in *)&sa->addr)->sin_addr;
	else if (sa->family == AF_INET6)
		addr = &((const struct sockaddr_in6 *)&sa->addr)->sin6_addr;
	if (addr == NULL ||
	    inet_ntop(sa->family, addr, text, sizeof(text)) == NULL)
		return CURL_SOCKET_BAD;
	if (!webhook_address_allowed(text, ws->allow_loopback)) {
		(void)snprintf(ws->refused, sizeof(ws->refused), "%s", text);
		return CURL_SOCKET_BAD;
	}
	return socket(sa->family, sa->socktype, sa->protocol);
}

/* The answer's body is read and dropped: only its status counts. */
static size_t
webhook_discard(char *data, size_t size, size_t n, void *arg)
{
	(void)data;
	(void)arg;
	return size * n;
}

static int64_t
webhook_ms_since(const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (int64_t)(t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

int
webhook_send(const struct webhook_request *req, struct webhook_result *res)
{
	struct webhook_socket	 ws;
	struct curl_slist	*headers = NULL, *h;
	struct timespec		 t0;
	CURL			*curl;
	CURLcode		 cc;
	char			 sig[WEBHOOK_SIGNATURE_MAX + 1];
	char			 line[WEBHOOK_SIGNATURE_MAX + 64];
	long			 status = 0;
	int			 i, rc = -1;

	memset(res, 0, sizeof(*res));
	memset(&ws, 0, sizeof(ws));
	ws.allow_loopback = req->allow_loopback;
	if (webhook_sign(req->secret, req->id, req->timestamp, req->body,
	    req->body_len, sig, sizeof(sig)) == -1) {
		log_warnx("webhook %s: cannot sign", req->id);
		return -1;
	}
	if ((curl = curl_easy_init()) == NULL) {
		log_warnx("webhook %s: curl_easy_init failed", req->id);
		return -1;
	}
	for (i = 0; i < 4; i++) {
		switch (i) {
		case 0:
			(void)snprintf(line, sizeof(line),
			    "Content-Type: application/json");
			break;
		case 1:
			(void)snprintf(line, sizeof(line), "webhook-id: %s",
			    req->id);
			break;
		case 2:
			(void)snprintf(line, sizeof(line),
			    "webhook-timestamp: %lld",
			    (long long)req->timestamp);
			break;
		default:
			(void)snprintf(line, sizeof(line),
			    "webhook-signature: %s", sig);
		}
		if ((h = curl_slist_append(headers, line)) == NULL) {
			log_warnx("webhook %s: out of memory", req->id);
			goto out;
		}
		headers = h;
	}
	if (curl_easy_setopt(curl, CURLOPT_URL, req->url) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR,
	    req->allow_loopback ? "http,https" : "https") != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT,
	    WEBHOOK_CONNECT_TIMEOUT) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_TIMEOUT, WEBHOOK_TIMEOUT) !=
	    CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body) !=
	    CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)req->body_len) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, webhook_discard) !=
	    CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION,
	    webhook_open_socket) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &ws) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_USERAGENT,
	    "partner-portal-webhooks/1") != CURLE_OK) {
		log_warnx("webhook %s: cannot set up the request", req->id);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cc = curl_easy_perform(curl);
	res->duration_ms = webhook_ms_since(&t0);
	rc = 0;
	if (ws.refused[0] != '\0') {
		(void)snprintf(res->error, sizeof(res->error),
		    "refused: %s is a private, loopback or link-local address",
		    ws.refused);
		goto out;
	}
	if (cc != CURLE_OK) {
		(void)snprintf(res->error, sizeof(res->error), "%s",
		    curl_easy_strerror(cc));
		goto out;
	}
	(void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	res->http_status = (int)status;
	if (status >= 200 && status < 300)
		res->delivered = 1;
	else if (status >= 300 && status < 400)
		(void)snprintf(res->error, sizeof(res->error),
		    "HTTP %ld: redirects are not followed", status);
	else
		(void)snprintf(res->error, sizeof(res->error), "HTTP %ld",
		    status);
out:
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	return rc;
}
