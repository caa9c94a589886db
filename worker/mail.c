/*
 * Digest, reminder and webhook notice emails from their outbox payload: checks it
 * (mail_doc.c), writes the subject and bodies (mail_body.c), settles the
 * header values (sender, Message-ID, period) and has mime.c build the
 * message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/buf.h"
#include "../common/json.h"
#include "../common/log.h"
#include "mail.h"
#include "mail_body.h"
#include "mail_doc.h"
#include "mail_text.h"
#include "mime.h"

#define MAIL_MSGID_MAX		250

/*
 * The Message-ID without its brackets, with a domain: an id without "@"
 * gets the domain of from_addr. NULL when the id is unusable.
 */
static char *
mail_message_id(const char *id, const char *from_addr)
{
	struct buf	 b;
	size_t		 len = strlen(id);
	char		*r = NULL;

	if (len >= 2 && id[0] == '<' && id[len - 1] == '>') {
		id++;
		len -= 2;
	}
	buf_init(&b, MAIL_MSGID_MAX);
	if (len == 0 || buf_add(&b, id, len) == -1)
		goto out;
	if (memchr(id, '@', len) == NULL &&
	    buf_adds(&b, strchr(from_addr, '@')) == -1)
		goto out;
	if (!mail_addr_valid(b.data))
		goto out;
	r = buf_steal(&b, NULL);
out:
	buf_cleanup(&b);
	return r;
}

/*
 * The sender's display name: a digest comes from the firm, so the inbox
 * shows whose summary it is; a reminder, from the portal (its Reply-To is
 * the admin who asked). firm is cleaned of control characters.
 */
static const char *
mail_from_name(const struct mail_doc *d, const char *firm)
{
	if (d->kind == MAIL_KIND_DIGEST && firm[strspn(firm, " ")] != '\0')
		return firm;
	return MAIL_BRAND;
}

/*
 * The list a message belongs to (RFC 2919): one per firm and kind of
 * email, under the sender's domain, so that a reader can filter or
 * mute a firm's digests alone. "" when the payload names no firm id
 * (queued before it did); -1 when it does not fit.
 */
static int
mail_list_id(const struct mail_doc *d, const char *from_addr, char *out,
    size_t outlen)
{
	static const char *const labels[] = {
		[MAIL_KIND_DIGEST] = "digests",
		[MAIL_KIND_REMINDER] = "reminders",
		[MAIL_KIND_WEBHOOK_DISABLED] = "webhook-alerts",
	};
	int	 n;

	out[0] = '\0';
	if (d->firm_id == 0)
		return 0;
	n = snprintf(out, outlen, "%s.firm-%lld.%s", labels[d->kind],
	    (long long)d->firm_id, strchr(from_addr, '@') + 1);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* The period as given, cleaned of control characters. */
static int
mail_period_raw(const char *period, char *out, size_t outlen)
{
	struct buf	 b;
	int		 rc = -1;

	buf_init(&b, outlen - 1);
	if (mail_clean_add(&b, period) == 0 && b.data != NULL) {
		memcpy(out, b.data, b.len + 1);
		rc = 0;
	}
	buf_cleanup(&b);
	return rc;
}

int
mail_render(const char *payload_json, const char *message_id,
    const char *from_addr, int64_t date, char **out, size_t *outlen)
{
	struct mail_doc		 d;
	struct mail_out		 o;
	struct mime_message	 m;
	cJSON			*root = NULL;
	char			*subject = NULL, *msgid = NULL, *firm = NULL;
	char			*to_name = NULL, *sender_name = NULL;
	char			 period[64], list_id[MAIL_MSGID_MAX];
	int			 rc = -1;

	*out = NULL;
	*outlen = 0;
	buf_init(&o.text, MAIL_BODY_MAX);
	buf_init(&o.html, MAIL_BODY_MAX);
	if (payload_json == NULL || message_id == NULL ||
	    !mail_addr_valid(from_addr) ||
	    date < 0 || date > 253402300799LL) {	/* up to 9999-12-31 */
		log_warnx("mail: bad message id, sender or date");
		goto out;
	}
	if (json_parse_strict(payload_json, strlen(payload_json), &root) !=
	    JSON_OK || mail_doc_parse(root, &d) == -1) {
		log_warnx("mail: malformed payload");
		goto out;
	}
	if ((msgid = mail_message_id(message_id, from_addr)) == NULL) {
		log_warnx("mail: unusable Message-ID");
		goto out;
	}
	if ((firm = mail_clean(d.firm)) == NULL ||
	    (to_name = mail_clean(d.to_name)) == NULL ||
	    (d.kind == MAIL_KIND_REMINDER &&
	    (sender_name = mail_clean(d.sender_name)) == NULL))
		goto out;
	period[0] = '\0';
	/* A period in an unknown form is shown as it is, not refused. */
	if (d.kind == MAIL_KIND_DIGEST &&
	    mail_period_format(d.locale, d.period, period,
	    sizeof(period)) == -1 && mail_period_raw(d.period, period,
	    sizeof(period)) == -1)
		goto out;
	if ((subject = mail_subject(&d, period)) == NULL)
		goto out;
	if (d.kind == MAIL_KIND_DIGEST) {
		if (mail_digest_write(&o, &d, subject, to_name, firm,
		    period) == -1)
			goto out;
	} else if (d.kind == MAIL_KIND_WEBHOOK_DISABLED) {
		if (mail_webhook_write(&o, &d, subject, to_name, firm) == -1)
			goto out;
	} else if (mail_reminder_write(&o, &d, subject, to_name, firm) == -1)
		goto out;
	memset(&m, 0, sizeof(m));
	m.subject = subject;
	m.from_name = mail_from_name(&d, firm);
	m.from_addr = from_addr;
	m.to_name = to_name;
	m.to_addr = d.to_email;
	if (d.kind == MAIL_KIND_REMINDER) {
		/* Replies reach the admin who asked, not the robot. */
		m.reply_name = sender_name;
		m.reply_addr = d.sender_email;
	}
	m.message_id = msgid;
	m.date = date;
	if (d.kind == MAIL_KIND_DIGEST) {
		m.unsubscribe_url = d.unsubscribe_url;
		m.bulk = 1;
	}
	if (mail_list_id(&d, from_addr, list_id, sizeof(list_id)) == -1)
		goto out;
	if (list_id[0] != '\0')
		m.list_id = list_id;
	m.text = &o.text;
	m.html = &o.html;
	rc = mime_build(&m, out, outlen);
out:
	buf_cleanup(&o.text);
	buf_cleanup(&o.html);
	cJSON_Delete(root);
	free(subject);
	free(msgid);
	free(firm);
	free(to_name);
	free(sender_name);
	return rc;
}
