/*
 * SMTP delivery over libcurl: one handle, one connection kept open for a
 * batch of messages, and each failure sorted into retry or give up.
 */
#ifndef WORKER_SMTP_H
#define WORKER_SMTP_H

#include <stddef.h>

struct smtp;

struct smtp_result {
	/* The last SMTP reply code, 0 when no server answered. */
	long	 code;
	/* 1: retry later (4xx, connection, timeout, TLS or login); 0: not. */
	int	 temporary;
	/* The server's last reply line, or curl's error text. */
	char	 message[256];
};

/*
 * Sets up a client for url, "smtp://host:port" or "smtps://host:port"
 * (implicit TLS). Over smtp:// with a user, STARTTLS is required unless
 * the host is a loopback address, so that a password never crosses the
 * network in clear. user and password may be NULL; they are copied.
 * Connects lazily, on the first smtp_send(). NULL on a bad URL or no
 * memory. The caller frees with smtp_close().
 */
struct smtp	*smtp_open(const char *url, const char *user,
		    const char *password);

/*
 * Sends one message (len bytes, CRLF line ends, as mail_render() writes
 * it) from one envelope sender to one recipient, over the connection of
 * the last call when the server kept it. Returns 0 when the server
 * accepted it (250), or -1 with res saying why not. res is filled in
 * both cases.
 */
int	smtp_send(struct smtp *, const char *from, const char *rcpt,
	    const char *msg, size_t len, struct smtp_result *res);

/*
 * Has fn(arg) called about once a second, and more often while data
 * moves, during each later smtp_send(), from its connect to the server's
 * last reply. When fn returns -1 the message in hand is abandoned:
 * smtp_send() returns -1, temporary, and the connection is not reused.
 * fn NULL: no calls.
 */
void	smtp_set_progress(struct smtp *, int (*fn)(void *), void *arg);

/*
 * Has fn(arg, wait) called in each later smtp_send() once the message's
 * bytes have gone and before the final dot that ends it: the server can
 * take the message only after fn has returned 0. fn returns 1 for "not
 * yet" when wait is 0, and is then called again with wait 1, to wait.
 * When fn returns -1 (or 1 to a wait) the message is abandoned before
 * its end (the server discards it), as for the progress hook. fn NULL:
 * no calls.
 */
void	smtp_set_before_end(struct smtp *, int (*fn)(void *, int),
	    void *arg);

/* Says QUIT when connected and frees everything; NULL is fine. */
void	smtp_close(struct smtp *);

#endif
