/*
 * The outbox payload of a digest or a reminder (its form is in mail.h),
 * checked and read into a struct mail_doc. Pure: no GMime, no I/O.
 */
#ifndef WORKER_MAIL_DOC_H
#define WORKER_MAIL_DOC_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "mail_text.h"

/* Longest unsubscribe URL: its header line must stay under 998 bytes. */
#define MAIL_URL_MAX		900
#define MAIL_COMMENT_MAX	16000	/* bytes; the API allows 2000 chars */

enum mail_kind {
	MAIL_KIND_DIGEST,
	MAIL_KIND_REMINDER,
	MAIL_KIND_WEBHOOK_DISABLED	/* to a firm's admins */
};

/* The reminder's tasks, in the order the email lists them. */
enum mail_task {
	MAIL_TASK_MISSING_RECEIPTS,
	MAIL_TASK_EXPORT_READY,
	MAIL_TASK_BALANCE,
	MAIL_TASK_COUNT
};

struct mail_client {
	int64_t		 id;
	int64_t		 balance_minor;
	int64_t		 missing_receipts;
	int64_t		 export_ready;
	const char	*name;
	const char	*currency;
	const char	*url;
	/* A digest's: the alerts (common/alert.h), the new among them. */
	unsigned	 alerts, new_alerts;
	/* A digest's counts of this month, when has_month. */
	int		 has_month;
	int64_t		 month_exported, month_ready, month_pending;
};

/* The checked payload; strings point into the cJSON document. */
struct mail_doc {
	enum mail_kind		 kind;
	enum mail_locale	 locale;
	const char		*to_email;
	const char		*to_name;
	const char		*firm;
	int64_t			 firm_id;	/* 0: a payload older than it */
	/*
	 * A digest's or a reminder's link to the web app's notification
	 * settings; NULL in a payload queued before the emails had one.
	 */
	const char		*manage_url;
	/* Digest. */
	int			 frequency;	/* 0 daily, 1 weekly, 2 monthly */
	const char		*period;
	const char		*unsubscribe_url;
	const cJSON		*clients;	/* checked, item by item */
	/*
	 * What the subject names: the clients with open tasks (missing
	 * receipts or expenses ready for export), or every client when none
	 * has any; by name when that is one (subject_client), else by count.
	 */
	int64_t			 subject_count;
	const char		*subject_client;
	/* Reminder. */
	struct mail_client	 client;
	const char		*sender_name;
	const char		*sender_email;
	int			 tasks[MAIL_TASK_COUNT];	/* ticked */
	const char		*comment;	/* NULL when there is none */
	/* A webhook endpoint disabled after failing for days. */
	const char		*webhook_url;
};

/*
 * Fills d from the parsed payload root, which must outlive d; 0, or -1
 * when anything is off. Retrying cannot help a payload it refuses.
 */
int	mail_doc_parse(const cJSON *root, struct mail_doc *d);

/*
 * Checks and reads one client object of a payload, as mail_doc_parse()
 * did for each: the digest's body reads its clients again through it.
 */
int	mail_client_parse(const cJSON *, struct mail_client *);

/*
 * Nonzero when s is a plain ASCII address local@domain that is safe in a
 * header and an SMTP command: printable, no spaces, no "<>()[],;:\"\\",
 * one "@" with text on both sides, at most 254 bytes.
 */
int	mail_addr_valid(const char *s);

#endif
