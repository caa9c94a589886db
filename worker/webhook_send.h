/*
 * One webhook request: a signed POST (Standard Webhooks headers) to an
 * endpoint, with libcurl, never followed through a redirect and never to
 * an address webhook_address_allowed() refuses, whatever the name
 * resolved to.
 */
#ifndef WORKER_WEBHOOK_SEND_H
#define WORKER_WEBHOOK_SEND_H

#include <stddef.h>
#include <stdint.h>

#define WEBHOOK_SEND_ERROR_MAX	200

struct webhook_request {
	const char	*url;
	const char	*secret;
	const char	*id;		/* webhook-id: the same on each retry */
	int64_t		 timestamp;	/* webhook-timestamp, Unix seconds */
	const char	*body;
	size_t		 body_len;
	int		 allow_loopback;
};

struct webhook_result {
	int	 http_status;	/* 0 when no answer came */
	int	 delivered;	/* a 2xx answer */
	char	 error[WEBHOOK_SEND_ERROR_MAX];	/* "" when delivered */
	int64_t	 duration_ms;
};

/* Sends req and fills res. 0, or -1 when it could not even be tried. */
int	webhook_send(const struct webhook_request *req,
	    struct webhook_result *res);

#endif
