/*
 * The MIME message of an email, built with GMime 3: its header fields
 * and a multipart/alternative of its text and HTML bodies, with CRLF line
 * ends. Here too are the workarounds for what GMime gets wrong in headers
 * (legacy charsets, overlong or look-alike encoded-words, a folded URL).
 */
#ifndef WORKER_MIME_H
#define WORKER_MIME_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"

/* Largest message mime_build() writes; a longer one is refused. */
#define MIME_MESSAGE_MAX	(16 * 1024 * 1024)

/*
 * What goes into the message. Names and the subject are free of control
 * characters and may be empty (a mailbox without a display name);
 * addresses are bare and checked, and with message_id and the URL fit in
 * a header line.
 */
struct mime_message {
	const char		*subject;
	const char		*from_name;
	const char		*from_addr;
	const char		*to_name;
	const char		*to_addr;
	const char		*reply_name;
	const char		*reply_addr;	/* NULL: no Reply-To */
	const char		*message_id;	/* without angle brackets */
	int64_t			 date;		/* Unix seconds */
	/* RFC 8058 one-click unsubscribe; NULL: none. */
	const char		*unsubscribe_url;
	/* RFC 2919 list identifier, without brackets; NULL: none. */
	const char		*list_id;
	/* Sent to many alike (a digest): marked Precedence: bulk. */
	int			 bulk;
	const struct buf	*text;		/* the text/plain body */
	const struct buf	*html;		/* the text/html body */
};

/*
 * Writes the message. 0 with *out (malloc'd, NUL-terminated; the caller
 * frees) and *outlen, or -1. Calls mime_init() itself.
 */
int	mime_build(const struct mime_message *, char **out, size_t *outlen);

/*
 * Sets up GMime once; thread-safe. For whoever parses messages with GMime
 * before the first message is built (the tests).
 */
void	mime_init(void);
/*
 * Releases GMime's global tables at exit, so that LeakSanitizer sees
 * none; no GMime call may follow it.
 */
void	mime_shutdown(void);

#endif
