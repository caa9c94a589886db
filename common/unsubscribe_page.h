/*
 * The small HTML pages of a digest's unsubscribe link, opened in a
 * browser: the question with its form, the answer, and the page of a
 * link that cannot be used, in the firm's language. Pure: no I/O.
 */
#ifndef COMMON_UNSUBSCRIBE_PAGE_H
#define COMMON_UNSUBSCRIBE_PAGE_H

#include "buf.h"

/* Bytes of a page at most (they are about 1.5 KB). */
#define UNSUBSCRIBE_PAGE_MAX	16384

/*
 * What the pages may do, as a Content-Security-Policy: no script, no
 * request but the form's POST to their own origin, the one inline style
 * by its hash, never inside a frame.
 */
#define UNSUBSCRIBE_PAGE_CSP \
	"default-src 'none'; " \
	"style-src 'sha256-6Q5OXeF0/ve6raAffye5gLwrIs6n7DvcPQBc0LwNbIU='; " \
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
/* That style, whose SHA-256 the policy names. */
extern const char	unsubscribe_page_style[];

enum unsubscribe_page_kind {
	UNSUBSCRIBE_PAGE_CONFIRM,	/* the question and its form */
	UNSUBSCRIBE_PAGE_DONE,		/* unsubscribed */
	UNSUBSCRIBE_PAGE_INVALID,	/* bad, expired, of no user */
	UNSUBSCRIBE_PAGE_SPENT		/* used, or subscribed again since */
};

struct unsubscribe_page {
	enum unsubscribe_page_kind	 kind;
	/*
	 * The firm's language ("sv", "da", "nb", "en"); NULL (or another)
	 * when no valid link tells it: English, then Swedish.
	 */
	const char			*locale;
	/* CONFIRM and DONE: "daily", "weekly" or "monthly". */
	const char			*frequency;
	/* CONFIRM: the signed token, which the form posts back. */
	const char			*token;
	/* The web app's notification settings; NULL for no link. */
	const char			*manage_url;
};

/*
 * Writes the whole page into b (set up with UNSUBSCRIBE_PAGE_MAX or
 * more); every value is HTML-escaped. The form posts
 * "List-Unsubscribe=One-Click", what RFC 8058 mail clients send, to the
 * page's own path with ?token=. 0, or -1 for a frequency it does not
 * know, a CONFIRM without a token, or when b is full.
 */
int	unsubscribe_page_write(struct buf *b, const struct unsubscribe_page *);

#endif
