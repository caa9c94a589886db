/*
 * What an email says: its subject and its text and HTML bodies, written
 * side by side in the recipient's language from a checked payload. Every
 * value is HTML-escaped in the HTML body, and names lose their control
 * characters before they reach a header.
 */
#ifndef WORKER_MAIL_BODY_H
#define WORKER_MAIL_BODY_H

#include "../common/buf.h"
#include "mail_doc.h"

#define MAIL_BODY_MAX		(6 * 1024 * 1024)	/* bytes of each body */
/* The name the emails are signed with, and a reminder's sender. */
#define MAIL_BRAND		"Partner Portal"

/* Both bodies; the caller sets up each buf with MAIL_BODY_MAX. */
struct mail_out {
	struct buf	 text;
	struct buf	 html;
};

/*
 * Writes a digest's (or a reminder's) whole bodies into o: the subject
 * is the HTML title; to_name and firm are cleaned by mail_clean(), period
 * is as the subject shows it. 0 or -1.
 */
int	mail_digest_write(struct mail_out *o, const struct mail_doc *d,
	    const char *subject, const char *to_name, const char *firm,
	    const char *period);
int	mail_reminder_write(struct mail_out *o, const struct mail_doc *d,
	    const char *subject, const char *to_name, const char *firm);
int	mail_webhook_write(struct mail_out *o, const struct mail_doc *d,
	    const char *subject, const char *to_name, const char *firm);

/*
 * The subject in the recipient's language, free of control characters;
 * period as shown in words. The caller frees it; NULL on failure.
 */
char	*mail_subject(const struct mail_doc *d, const char *period);

/*
 * Appends s with every control character, C0, DEL and C1, as a space: what
 * goes into a header can then never end it or start another. 0 or -1.
 */
int	 mail_clean_add(struct buf *, const char *s);
/* mail_clean_add() into a new string, which the caller frees. */
char	*mail_clean(const char *s);

#endif
