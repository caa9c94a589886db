/*
 * The subject and the two bodies of a digest or a reminder: sentences of
 * mail_text in the recipient's language, the clients' figures, links and
 * the comment, in plain text and in HTML side by side.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/alert.h"
#include "../common/html.h"
#include "mail_body.h"
#include "mail_text.h"

#define MAIL_SMALL_MAX		4096	/* a subject, a cleaned name */

int
mail_clean_add(struct buf *b, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			if (buf_addc(b, ' ') == -1)
				return -1;
		} else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			if (buf_addc(b, ' ') == -1)
				return -1;
			p++;
		} else if (buf_addc(b, (char)*p) == -1)
			return -1;
	}
	return 0;
}

char *
mail_clean(const char *s)
{
	struct buf	 b;
	char		*r;

	buf_init(&b, MAIL_SMALL_MAX);
	if (mail_clean_add(&b, s) == -1 || (r = buf_steal(&b, NULL)) == NULL) {
		buf_cleanup(&b);
		return NULL;
	}
	return r;
}

/*
 * Expands a sentence of mail_text: each "%s" takes the next of the n args,
 * HTML-escaped when html is set. The count must match exactly, so that a
 * translation with a missing or extra "%s" fails loudly in every test.
 */
static int
mail_expand(struct buf *b, const char *fmt, int html, const char *const *args,
    size_t n)
{
	const char	*p;
	size_t		 used = 0;

	for (p = fmt; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 's') {
			if (used == n)
				return -1;
			if ((html ? html_add(b, args[used], 0) :
			    buf_adds(b, args[used])) == -1)
				return -1;
			used++;
			p++;
		} else if (buf_addc(b, *p) == -1)
			return -1;
	}
	return used == n ? 0 : -1;
}

/*
 * A sentence in both bodies: in text ended by text_end, in HTML as the
 * paragraph p_open starts.
 */
static int
mail_sentence(struct mail_out *o, const char *text_end, const char *p_open,
    const char *fmt, const char *const *args, size_t n)
{
	if (mail_expand(&o->text, fmt, 0, args, n) == -1 ||
	    buf_adds(&o->text, text_end) == -1 ||
	    buf_adds(&o->html, p_open) == -1 ||
	    mail_expand(&o->html, fmt, 1, args, n) == -1 ||
	    buf_adds(&o->html, "</p>\n") == -1)
		return -1;
	return 0;
}

/* One paragraph in both bodies. */
static int
mail_para(struct mail_out *o, const char *fmt, const char *const *args,
    size_t n)
{
	return mail_sentence(o, "\n\n", "<p>", fmt, args, n);
}

/* One "label: value" figure: indented in text, a table row in HTML. */
static int
mail_figure(struct mail_out *o, const char *label, const char *value)
{
	if (buf_printf(&o->text, "  %s: %s\n", label, value) == -1 ||
	    buf_adds(&o->html, "<tr><td style=\"padding: 2px 16px 2px 0;\">")
	    == -1 || html_add(&o->html, label, 0) == -1 ||
	    buf_adds(&o->html, "</td><td style=\"padding: 2px 0; "
	    "text-align: right; white-space: nowrap;\">") == -1 ||
	    html_add(&o->html, value, 0) == -1 ||
	    buf_adds(&o->html, "</td></tr>\n") == -1)
		return -1;
	return 0;
}

static int
mail_html_open(struct mail_out *o, enum mail_locale l, const char *subject)
{
	if (buf_printf(&o->html, "<!DOCTYPE html>\n<html lang=\"%s\">\n"
	    "<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n"
	    /* Mail clients that darken a message leave these colours be. */
	    "<meta name=\"color-scheme\" content=\"light dark\">\n"
	    "<meta name=\"supported-color-schemes\" content=\"light dark\">\n"
	    "<title>",
	    mail_locale_tag(l)) == -1 ||
	    html_add(&o->html, subject, 0) == -1 ||
	    buf_adds(&o->html, "</title>\n</head>\n<body style=\"font-family: "
	    "Helvetica, Arial, sans-serif;\">\n") == -1)
		return -1;
	return 0;
}

/* "Hej Britt,": by the first of the names a person goes by. */
static int
mail_greeting(struct mail_out *o, const struct mail_text *t,
    const char *name)
{
	char		 first[256];
	const char	*args[1] = { name };
	size_t		 n;

	while (*name == ' ')
		name++;
	if ((n = strcspn(name, " ")) == 0)
		return mail_para(o, t->greeting_anon, NULL, 0);
	if (n < sizeof(first)) {
		memcpy(first, name, n);
		first[n] = '\0';
		args[0] = first;
	}
	return mail_para(o, t->greeting_fmt, args, 1);
}

/*
 * The links under the footer, each left out when NULL: the notification
 * settings and the unsubscribe link, a line each in text, one line of
 * anchors in HTML.
 */
static int
mail_footer_links(struct mail_out *o, const struct mail_text *t,
    const char *manage_url, const char *unsubscribe_url)
{
	const char	*label[2] = { t->manage_notifications, t->unsubscribe };
	const char	*url[2] = { manage_url, unsubscribe_url };
	int		 i, n = 0;

	for (i = 0; i < 2; i++) {
		if (url[i] == NULL)
			continue;
		if (buf_printf(&o->text, "%s: %s\n", label[i], url[i]) == -1 ||
		    buf_adds(&o->html, n++ == 0 ? "<br>\n" : " &middot;\n") ==
		    -1 || buf_adds(&o->html, "<a href=\"") == -1 ||
		    html_add(&o->html, url[i], 0) == -1 ||
		    buf_adds(&o->html, "\" style=\"color: #666666;\">") == -1 ||
		    html_add(&o->html, label[i], 0) == -1 ||
		    buf_adds(&o->html, "</a>") == -1)
			return -1;
	}
	return 0;
}

/*
 * The signature and the footer, which says why the email came, with its
 * links (mail_footer_links) under it.
 */
static int
mail_closing(struct mail_out *o, const struct mail_text *t,
    const char *footer, const char *manage_url, const char *unsubscribe_url)
{
	if (buf_printf(&o->text, "%s\n%s\n\n-- \n%s\n", t->signature,
	    MAIL_BRAND, footer) == -1 ||
	    buf_printf(&o->html, "<p>%s<br>\n%s</p>\n", t->signature,
	    MAIL_BRAND) == -1 ||
	    buf_adds(&o->html, "<p style=\"color: #666666; font-size: 12px;\">")
	    == -1 || html_add(&o->html, footer, 0) == -1 ||
	    mail_footer_links(o, t, manage_url, unsubscribe_url) == -1 ||
	    buf_adds(&o->html, "</p>\n</body>\n</html>\n") == -1)
		return -1;
	return 0;
}

/* An anchor to url reading label, inside the element open starts. */
static int
mail_html_anchor(struct buf *html, const char *open, const char *url,
    const char *label, const char *close)
{
	if (buf_adds(html, open) == -1 || buf_adds(html, "<a href=\"") == -1 ||
	    html_add(html, url, 0) == -1 ||
	    buf_adds(html, "\">") == -1 ||
	    html_add(html, label, 0) == -1 ||
	    buf_adds(html, "</a>") == -1 || buf_adds(html, close) == -1)
		return -1;
	return 0;
}

/* A link line: "label: url" in text, an anchor in HTML. */
static int
mail_link(struct mail_out *o, const char *label, const char *url)
{
	if (buf_printf(&o->text, "  %s: %s\n", label, url) == -1 ||
	    mail_html_anchor(&o->html, "<p style=\"margin: 4px 0 16px 0;\">",
	    url, label, "</p>\n") == -1)
		return -1;
	return 0;
}

/* A client's name as a heading linked to the client. */
static int
mail_client_heading(struct mail_out *o, const char *name, const char *url)
{
	if (buf_printf(&o->text, "%s\n", name) == -1 ||
	    mail_html_anchor(&o->html, "<h3 style=\"margin: 16px 0 4px 0;\">",
	    url, name, "</h3>\n") == -1)
		return -1;
	return 0;
}

static int
mail_count(char *out, size_t outlen, int64_t n)
{
	int	 w = snprintf(out, outlen, "%lld", (long long)n);

	return w < 0 || (size_t)w >= outlen ? -1 : 0;
}

/*
 * A digest client's alerts as one value, "Low balance (new), Old missing
 * receipts", in the order of common/alert.h, into v; none: v empty.
 */
static int
mail_alerts_value(struct buf *v, const struct mail_text *t,
    const struct mail_client *c)
{
	const char	*args[1];
	int		 i, n = 0;

	for (i = 0; i < ALERT_COUNT; i++) {
		if ((c->alerts & (1u << i)) == 0)
			continue;
		args[0] = t->alert[i];
		if ((n++ > 0 && buf_adds(v, ", ") == -1) ||
		    ((c->new_alerts & (1u << i)) != 0 ?
		    mail_expand(v, t->alert_new_fmt, 0, args, 1) :
		    buf_adds(v, t->alert[i])) == -1)
			return -1;
	}
	return buf_adds(v, "");
}

/* A digest client's counts of this month into v; none: v empty. */
static int
mail_month_value(struct buf *v, const struct mail_text *t,
    const struct mail_client *c)
{
	char		 e[24], r[24], p[24];
	const char	*args[3] = { e, r, p };

	if (!c->has_month)
		return buf_adds(v, "");
	if (mail_count(e, sizeof(e), c->month_exported) == -1 ||
	    mail_count(r, sizeof(r), c->month_ready) == -1 ||
	    mail_count(p, sizeof(p), c->month_pending) == -1)
		return -1;
	return mail_expand(v, t->month_fmt, 0, args, 3);
}

/* The figures of a reminder's client: its ticked tasks. */
static int
mail_client_figures(struct mail_out *o, const struct mail_text *t,
    enum mail_locale l, const struct mail_client *c, const int *tasks)
{
	char	 money[MAIL_MONEY_MAX], missing[24], ready[24];

	if (mail_money_format(l, c->balance_minor, c->currency, money,
	    sizeof(money)) == -1 ||
	    mail_count(missing, sizeof(missing), c->missing_receipts) == -1 ||
	    mail_count(ready, sizeof(ready), c->export_ready) == -1)
		return -1;
	if (buf_adds(&o->html, "<table role=\"presentation\" "
	    "style=\"border-collapse: collapse;\">\n") == -1)
		return -1;
	if ((tasks[MAIL_TASK_MISSING_RECEIPTS] &&
	    mail_figure(o, t->missing_receipts, missing) == -1) ||
	    (tasks[MAIL_TASK_EXPORT_READY] &&
	    mail_figure(o, t->export_ready, ready) == -1) ||
	    (tasks[MAIL_TASK_BALANCE] &&
	    mail_figure(o, t->balance, money) == -1))
		return -1;
	return buf_adds(&o->html, "</table>\n");
}

/* What a digest's clients add up to, for its first line. */
struct mail_digest_sums {
	int64_t	 clients_missing;	/* clients with a missing receipt */
	int64_t	 receipts;		/* missing receipts */
	int64_t	 ready;			/* expenses ready for export */
	int64_t	 clients_alert;		/* clients with an alert */
};

static int
mail_digest_sum(const struct mail_doc *d, struct mail_digest_sums *s)
{
	const cJSON		*item;
	struct mail_client	 c;

	memset(s, 0, sizeof(*s));
	cJSON_ArrayForEach(item, d->clients) {
		if (mail_client_parse(item, &c) == -1)
			return -1;
		s->clients_missing += c.missing_receipts > 0;
		s->receipts += c.missing_receipts;
		s->ready += c.export_ready;
		s->clients_alert += c.alerts != 0;
	}
	return 0;
}

/* Adds a summary sentence taking counts a (and b, when n is 2). */
static int
mail_summary_add(struct buf *b, const char *fmt, int64_t a, int64_t bn,
    size_t n)
{
	char		 x[24], y[24];
	const char	*args[2] = { x, y };

	if (mail_count(x, sizeof(x), a) == -1 ||
	    mail_count(y, sizeof(y), bn) == -1 ||
	    (b->len > 0 && buf_addc(b, ' ') == -1))
		return -1;
	return mail_expand(b, fmt, 0, args, n);
}

/*
 * The first line, what needs doing: "3 kunder har 17 saknade kvitton.
 * 5 utgifter är klara för export." Nothing when nothing is open.
 */
static int
mail_digest_summary(struct mail_out *o, const struct mail_text *t,
    const struct mail_digest_sums *s)
{
	struct buf	 b;
	int		 rc = -1;

	buf_init(&b, MAIL_SMALL_MAX);
	if ((s->receipts > 0 && mail_summary_add(&b,
	    t->summary_missing_fmt[s->clients_missing > 1][s->receipts > 1],
	    s->clients_missing, s->receipts, 2) == -1) ||
	    (s->ready > 0 && mail_summary_add(&b,
	    t->summary_ready_fmt[s->ready > 1], s->ready, 0, 1) == -1) ||
	    (s->clients_alert > 0 && mail_summary_add(&b,
	    t->summary_attention_fmt[s->clients_alert > 1], s->clients_alert,
	    0, 1) == -1))
		goto out;
	rc = 0;
	if (b.len > 0 && (buf_printf(&o->text, "%s\n\n", b.data) == -1 ||
	    buf_adds(&o->html, "<p style=\"font-size: 17px; font-weight: "
	    "bold; margin: 0 0 16px 0;\">") == -1 ||
	    html_add(&o->html, b.data, 0) == -1 ||
	    buf_adds(&o->html, "</p>\n") == -1))
		rc = -1;
out:
	buf_cleanup(&b);
	return rc;
}

/* Cell styles of the digest's table: a rule under each row. */
#define MAIL_TH		"padding: 6px 12px 6px 0; border-bottom: 2px solid " \
			"#999999; font-size: 13px;"
#define MAIL_TD		"padding: 8px 12px 8px 0; border-bottom: 1px solid " \
			"#cccccc; vertical-align: top;"
#define MAIL_TD_NUM	MAIL_TD " text-align: right; white-space: nowrap;"

static int
mail_digest_table_open(struct mail_out *o, const struct mail_text *t)
{
	const char	*heads[3] = { t->missing_receipts, t->export_ready,
			    t->balance };
	size_t		 i;

	if (buf_adds(&o->html, "<table role=\"presentation\" "
	    "cellpadding=\"0\" cellspacing=\"0\" style=\"border-collapse: "
	    "collapse; width: 100%; max-width: 640px;\">\n<tr><th style=\""
	    MAIL_TH " text-align: left;\">") == -1 ||
	    html_add(&o->html, t->client, 0) == -1 ||
	    buf_adds(&o->html, "</th>") == -1)
		return -1;
	for (i = 0; i < 3; i++)
		if (buf_adds(&o->html, "<th style=\"" MAIL_TH
		    " text-align: right;\">") == -1 ||
		    html_add(&o->html, heads[i], 0) == -1 ||
		    buf_adds(&o->html, "</th>") == -1)
			return -1;
	return buf_adds(&o->html, "</tr>\n");
}

/* A line under a client's name in the table: alerts or the month's. */
static int
mail_digest_note(struct buf *html, const char *colour, const char *label,
    const struct buf *value)
{
	if (value->len == 0)
		return 0;
	if (buf_printf(html, "<div style=\"font-size: 12px; color: %s; "
	    "margin-top: 2px;\">", colour) == -1 ||
	    html_add(html, label, 0) == -1 ||
	    buf_adds(html, ": ") == -1 ||
	    html_add(html, value->data, 0) == -1 ||
	    buf_adds(html, "</div>") == -1)
		return -1;
	return 0;
}

/*
 * One client: a row of the table in HTML, its name linked to it; in
 * text its name, a figure a line and the link.
 */
static int
mail_digest_row(struct mail_out *o, const struct mail_text *t,
    enum mail_locale l, const struct mail_client *c, const char *name)
{
	char		 money[MAIL_MONEY_MAX], missing[24], ready[24];
	const char	*cells[3] = { missing, ready, money };
	struct buf	 alerts, month;
	size_t		 i;
	int		 rc = -1;

	buf_init(&alerts, 1024);
	buf_init(&month, 256);
	if (mail_money_format(l, c->balance_minor, c->currency, money,
	    sizeof(money)) == -1 ||
	    mail_count(missing, sizeof(missing), c->missing_receipts) == -1 ||
	    mail_count(ready, sizeof(ready), c->export_ready) == -1 ||
	    mail_alerts_value(&alerts, t, c) == -1 ||
	    mail_month_value(&month, t, c) == -1)
		goto out;
	if (buf_printf(&o->text, "%s\n  %s: %s\n  %s: %s\n  %s: %s\n", name,
	    t->missing_receipts, missing, t->export_ready, ready, t->balance,
	    money) == -1 ||
	    (alerts.len > 0 && buf_printf(&o->text, "  %s: %s\n",
	    t->attention, alerts.data) == -1) ||
	    (month.len > 0 && buf_printf(&o->text, "  %s: %s\n",
	    t->this_month, month.data) == -1) ||
	    buf_printf(&o->text, "  %s: %s\n\n", t->open_client, c->url) == -1)
		goto out;
	if (mail_html_anchor(&o->html, "<tr><td style=\"" MAIL_TD "\">"
	    "<strong>", c->url, name, "</strong>") == -1 ||
	    mail_digest_note(&o->html, "#b3261e", t->attention, &alerts) == -1 ||
	    mail_digest_note(&o->html, "#777777", t->this_month, &month) == -1 ||
	    buf_adds(&o->html, "</td>") == -1)
		goto out;
	for (i = 0; i < 3; i++)
		if (buf_adds(&o->html, "<td style=\"" MAIL_TD_NUM "\">") == -1 ||
		    html_add(&o->html, cells[i], 0) == -1 ||
		    buf_adds(&o->html, "</td>") == -1)
			goto out;
	rc = buf_adds(&o->html, "</tr>\n");
out:
	buf_cleanup(&alerts);
	buf_cleanup(&month);
	return rc;
}

int
mail_digest_write(struct mail_out *o, const struct mail_doc *d,
    const char *subject, const char *to_name, const char *firm,
    const char *period)
{
	const struct mail_text	*t = mail_text_get(d->locale);
	const char		*args[2] = { firm, period };
	const cJSON		*item;
	struct mail_digest_sums	 sums;
	struct mail_client	 c;
	char			*name = NULL;
	int			 rc = -1;

	/* What needs doing first, then the clients most urgent first. */
	if (mail_digest_sum(d, &sums) == -1 ||
	    mail_html_open(o, d->locale, subject) == -1 ||
	    mail_greeting(o, t, to_name) == -1 ||
	    mail_digest_summary(o, t, &sums) == -1 ||
	    mail_para(o, t->digest_intro_fmt, args, 2) == -1 ||
	    mail_digest_table_open(o, t) == -1)
		goto out;
	cJSON_ArrayForEach(item, d->clients) {
		if (mail_client_parse(item, &c) == -1 ||
		    (name = mail_clean(c.name)) == NULL ||
		    mail_digest_row(o, t, d->locale, &c, name) == -1)
			goto out;
		free(name);
		name = NULL;
	}
	if (buf_adds(&o->html, "</table>\n") == -1)
		goto out;
	rc = mail_closing(o, t, t->digest_footer, d->manage_url,
	    d->unsubscribe_url);
out:
	free(name);
	return rc;
}

/*
 * Appends the comment to the text body with its line breaks made "\n"
 * (CRLF and lone CR too) and other controls but tab made spaces, then
 * the same HTML-escaped with <br> into the HTML body.
 */
static int
mail_comment_write(struct mail_out *o, const char *comment)
{
	struct buf	 b;
	const char	*p;
	int		 rc = -1;

	buf_init(&b, MAIL_COMMENT_MAX * 2);
	for (p = comment; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\r') {
			if (p[1] == '\n')
				p++;
			c = '\n';
		} else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			c = ' ';
		if (buf_addc(&b, (char)c) == -1)
			goto out;
	}
	if (b.data == NULL && buf_adds(&b, "") == -1)
		goto out;
	if (buf_printf(&o->text, "%s\n\n", b.data) == -1 ||
	    buf_adds(&o->html, "<blockquote style=\"margin: 0 0 16px 0; "
	    "padding: 8px 12px; border-left: 3px solid #cccccc;\">") == -1 ||
	    html_add(&o->html, b.data, 1) == -1 ||
	    buf_adds(&o->html, "</blockquote>\n") == -1)
		goto out;
	rc = 0;
out:
	buf_cleanup(&b);
	return rc;
}

int
mail_reminder_write(struct mail_out *o, const struct mail_doc *d,
    const char *subject, const char *to_name, const char *firm)
{
	const struct mail_text	*t = mail_text_get(d->locale);
	const char		*args[3];
	char			*sname = NULL, *client = NULL, *who = NULL;
	struct buf		 b;
	int			 rc = -1;

	buf_init(&b, MAIL_SMALL_MAX);
	if ((sname = mail_clean(d->sender_name)) == NULL ||
	    (client = mail_clean(d->client.name)) == NULL)
		goto out;
	/* "Anna Admin (anna@firm.example)", or the address alone. */
	if ((sname[0] != '\0' ? buf_printf(&b, "%s (%s)", sname,
	    d->sender_email) : buf_adds(&b, d->sender_email)) == -1 ||
	    (who = buf_steal(&b, NULL)) == NULL)
		goto out;
	if (sname[0] == '\0') {
		free(sname);
		if ((sname = strdup(d->sender_email)) == NULL)
			goto out;
	}
	args[0] = who;
	args[1] = firm;
	args[2] = client;
	if (mail_html_open(o, d->locale, subject) == -1 ||
	    mail_greeting(o, t, to_name) == -1 ||
	    mail_para(o, t->reminder_intro_fmt, args, 3) == -1 ||
	    mail_client_figures(o, t, d->locale, &d->client, d->tasks) == -1 ||
	    buf_addc(&o->text, '\n') == -1)
		goto out;
	args[0] = sname;
	/* The comment's heading sits close above the comment. */
	if (d->comment != NULL && d->comment[0] != '\0' &&
	    (mail_sentence(o, "\n", "<p style=\"margin-bottom: 4px;\">",
	    t->comment_fmt, args, 1) == -1 ||
	    mail_comment_write(o, d->comment) == -1))
		goto out;
	if (mail_client_heading(o, client, d->client.url) == -1 ||
	    mail_link(o, t->open_client, d->client.url) == -1 ||
	    buf_addc(&o->text, '\n') == -1)
		goto out;
	/*
	 * The footer names the sender: expanded once, used in both bodies.
	 * No unsubscribe link: a reminder reaches every bookkeeper assigned
	 * to the client (common/reminder_rule.h) and no setting turns it
	 * off, so the footer links to the notification settings alone.
	 */
	buf_reset(&b);
	if (mail_expand(&b, t->reminder_footer_fmt, 0, args, 1) == -1 ||
	    b.data == NULL)
		goto out;
	rc = mail_closing(o, t, b.data, d->manage_url, NULL);
out:
	buf_cleanup(&b);
	free(sname);
	free(client);
	free(who);
	return rc;
}

int
mail_webhook_write(struct mail_out *o, const struct mail_doc *d,
    const char *subject, const char *to_name, const char *firm)
{
	const struct mail_text	*t = mail_text_get(d->locale);
	const char		*args[2];
	char			*url;
	int			 rc = -1;

	if ((url = mail_clean(d->webhook_url)) == NULL)
		return -1;
	args[0] = url;
	args[1] = firm;
	if (mail_html_open(o, d->locale, subject) == 0 &&
	    mail_greeting(o, t, to_name) == 0 &&
	    mail_para(o, t->webhook_intro_fmt, args, 2) == 0 &&
	    mail_para(o, t->webhook_action, NULL, 0) == 0)
		rc = mail_closing(o, t, t->webhook_footer, NULL, NULL);
	free(url);
	return rc;
}

char *
mail_subject(const struct mail_doc *d, const char *period)
{
	const struct mail_text	*t = mail_text_get(d->locale);
	const char		*args[2];
	struct buf		 b;
	char			*client = NULL, *s = NULL, count[24];

	buf_init(&b, MAIL_SMALL_MAX);
	if (d->kind == MAIL_KIND_DIGEST && d->subject_count == 1) {
		if ((client = mail_clean(d->subject_client)) == NULL)
			goto out;
		args[0] = client;
		args[1] = period;
		if (mail_expand(&b, t->digest_subject_one_fmt[d->frequency], 0,
		    args, 2) == -1)
			goto out;
	} else if (d->kind == MAIL_KIND_DIGEST) {
		if (mail_count(count, sizeof(count), d->subject_count) == -1)
			goto out;
		args[0] = count;
		args[1] = period;
		if (mail_expand(&b, t->digest_subject_many_fmt, 0, args,
		    2) == -1)
			goto out;
	} else if (d->kind == MAIL_KIND_WEBHOOK_DISABLED) {
		if (buf_adds(&b, t->webhook_subject) == -1)
			goto out;
	} else {
		if ((client = mail_clean(d->client.name)) == NULL)
			goto out;
		args[0] = client;
		if (mail_expand(&b, t->reminder_subject_fmt, 0, args, 1) == -1)
			goto out;
	}
	s = buf_steal(&b, NULL);
out:
	buf_cleanup(&b);
	free(client);
	return s;
}
