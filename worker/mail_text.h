/*
 * The words of the emails in each recipient language, and amounts and
 * periods written the way that language writes them. Pure: no I/O.
 */
#ifndef WORKER_MAIL_TEXT_H
#define WORKER_MAIL_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "../common/money.h"

/*
 * The emails' languages are those common/money.h writes amounts in, so
 * that an email and the API's balance_display write one amount alike.
 */
enum mail_locale {
	MAIL_LOCALE_EN = MONEY_LOCALE_EN,
	MAIL_LOCALE_SV = MONEY_LOCALE_SV,
	MAIL_LOCALE_DA = MONEY_LOCALE_DA,
	MAIL_LOCALE_NB = MONEY_LOCALE_NB
};

/* Longest amount mail_money_format() writes, with its NUL. */
#define MAIL_MONEY_MAX	MONEY_FORMAT_MAX

/* money_locale_parse() as a mail locale. */
static inline enum mail_locale
mail_locale_parse(const char *s)
{
	return (enum mail_locale)money_locale_parse(s);
}

/* "sv", "da", "nb" or "en", for the HTML lang attribute. */
const char		*mail_locale_tag(enum mail_locale);

/* money_format() in the mail's language. */
static inline int
mail_money_format(enum mail_locale l, int64_t minor, const char *currency,
    char *out, size_t outlen)
{
	return money_format((enum money_locale)l, minor, currency, out,
	    outlen);
}

/*
 * Writes the period of a digest as words: "2026-W14" as "vecka 14",
 * "2026-04" as "april 2026", "2026-03-30" as "30 mars 2026". Returns 0, or
 * -1 when period is none of these forms (or out is too small).
 */
int	mail_period_format(enum mail_locale, const char *period, char *out,
	    size_t outlen);

/*
 * Every sentence of both emails. Members ending in _fmt are printf
 * formats taking exactly the %s arguments their comment lists, in that
 * order, in every language; none holds "<", ">" or "&", so that they go
 * into HTML as they are.
 */
struct mail_text {
	/*
	 * A digest's subject names what it holds: its one client with open
	 * tasks (daily, weekly, monthly: client, period), or how many it
	 * holds (count, period). The firm is the sender's name instead.
	 */
	const char	*digest_subject_one_fmt[3];
	const char	*digest_subject_many_fmt;
	const char	*reminder_subject_fmt;	/* client */
	const char	*greeting_fmt;		/* name */
	const char	*greeting_anon;
	const char	*digest_intro_fmt;	/* firm, period */
	const char	*balance;
	const char	*missing_receipts;
	const char	*export_ready;
	/* A digest client's alerts, by alert_names' order, and their row. */
	const char	*attention;
	const char	*alert[3];
	const char	*alert_new_fmt;		/* alert */
	const char	*this_month;
	const char	*month_fmt;		/* exported, ready, pending */
	const char	*open_client;
	/*
	 * A digest's first line says what needs doing, a sentence for each
	 * kind of task, by one (0) or several (1): [clients][receipts] with
	 * a missing receipt (clients, receipts), expenses ready for export
	 * (expenses), clients with an alert (clients).
	 */
	const char	*summary_missing_fmt[2][2];
	const char	*summary_ready_fmt[2];
	const char	*summary_attention_fmt[2];
	const char	*client;		/* the table's first column */
	const char	*digest_footer;
	const char	*reminder_intro_fmt;	/* sender, firm, client */
	const char	*comment_fmt;		/* sender */
	const char	*reminder_footer_fmt;	/* sender */
	const char	*webhook_subject;
	const char	*webhook_intro_fmt;	/* firm, url */
	const char	*webhook_action;
	const char	*webhook_footer;
	const char	*signature;
	/*
	 * The links under a digest or a reminder: the web app's notification
	 * settings, and a digest's unsubscribe link (its List-Unsubscribe).
	 */
	const char	*manage_notifications;
	const char	*unsubscribe;
};

const struct mail_text	*mail_text_get(enum mail_locale);

#endif
