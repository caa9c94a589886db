/*
 * Digest and reminder emails: checks the outbox payload, writes the text
 * and HTML bodies in the recipient's language and builds the MIME message
 * with GMime 3.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "../common/buf.h"
#include "../common/json.h"
#include "../common/log.h"
#include "mail.h"
#include "mail_text.h"

#define MAIL_NAME_MAX		1024	/* bytes of a name or the firm */
#define MAIL_COMMENT_MAX	16000	/* bytes; the API allows 2000 chars */
#define MAIL_MSGID_MAX		250
#define MAIL_BODY_MAX		(6 * 1024 * 1024)
#define MAIL_SMALL_MAX		4096	/* a subject, a cleaned name */
/* Amounts and counts must survive the trip through a JSON double. */
#define MAIL_INT_MAX		9007199254740991LL
#define MAIL_BRAND		"Partner Portal"
/*
 * Encoded text per encoded-word of our own: with "=?UTF-8?Q?" and "?="
 * 67 characters, within RFC 2047's 75 and, after "Reply-To: ", within 78.
 */
#define MAIL_WORD_TEXT		55
#define MAIL_WORD_MAX		75

enum mail_kind {
	MAIL_KIND_DIGEST,
	MAIL_KIND_REMINDER
};

/* The reminder's tasks, in the order the email lists them. */
enum mail_task {
	MAIL_TASK_MISSING_RECEIPTS,
	MAIL_TASK_EXPORT_READY,
	MAIL_TASK_BALANCE,
	MAIL_TASK_COUNT
};

static const char *const mail_task_names[MAIL_TASK_COUNT] = {
	"missing_receipts", "export_ready", "balance"
};

static const char *const mail_freq_names[3] = {
	"daily", "weekly", "monthly"
};

struct mail_client {
	int64_t		 id;
	int64_t		 balance_minor;
	int64_t		 missing_receipts;
	int64_t		 export_ready;
	const char	*name;
	const char	*currency;
	const char	*url;
};

/* The checked payload; strings point into the cJSON document. */
struct mail_doc {
	enum mail_kind		 kind;
	enum mail_locale	 locale;
	const char		*to_email;
	const char		*to_name;
	const char		*firm;
	/* Digest. */
	int			 frequency;	/* index in mail_freq_names */
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
};

/* Both bodies, written side by side. */
struct mail_out {
	struct buf	 text;
	struct buf	 html;
};

static pthread_once_t	 mail_once = PTHREAD_ONCE_INIT;
static int		 mail_ready;

static void
mail_gmime_init(void)
{
	g_mime_init();
	mail_ready = 1;
}

void
mail_init(void)
{
	pthread_once(&mail_once, mail_gmime_init);
}

void
mail_shutdown(void)
{
	/* g_mime_init() counts its calls: one shutdown for our one init. */
	if (mail_ready)
		g_mime_shutdown();
	mail_ready = 0;
}

int
mail_addr_valid(const char *s)
{
	const char	*at = NULL, *p;
	size_t		 len;

	if (s == NULL || (len = strlen(s)) < 3 || len > 254)
		return 0;
	for (p = s; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c >= 0x7f || strchr("<>()[],;:\"\\", c))
			return 0;
		if (c == '@') {
			if (at != NULL)
				return 0;
			at = p;
		}
	}
	return at != NULL && at != s && at[1] != '\0';
}

/*
 * An http or https URL of printable ASCII without spaces, quotes or angle
 * brackets: it goes into href attributes and, raw, into List-Unsubscribe.
 */
static int
mail_url_valid(const char *s)
{
	const char	*p;

	if (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0)
		return 0;
	if (strlen(s) > MAIL_URL_MAX)
		return 0;
	for (p = s; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' ||
		    c == '"' || c == '\\')
			return 0;
	}
	return 1;
}

/* A string member of at most max bytes, non-empty when nonempty is set. */
static const char *
mail_str(const cJSON *obj, const char *name, size_t max, int nonempty)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, name);
	size_t		 len;

	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return NULL;
	len = strlen(v->valuestring);
	if (len > max || (nonempty && len == 0))
		return NULL;
	return v->valuestring;
}

/* An integral number member in [min, max]. */
static int
mail_int(const cJSON *obj, const char *name, int64_t min, int64_t max,
    int64_t *out)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, name);
	double		 d;

	if (!cJSON_IsNumber(v))
		return -1;
	d = v->valuedouble;
	if (!isfinite(d) || d != floor(d) || d < (double)min ||
	    d > (double)max)
		return -1;
	*out = (int64_t)d;
	return 0;
}

static int
mail_client_parse(const cJSON *o, struct mail_client *c)
{
	char	 probe[MAIL_MONEY_MAX];

	if (!cJSON_IsObject(o) ||
	    mail_int(o, "id", 1, MAIL_INT_MAX, &c->id) == -1 ||
	    mail_int(o, "balance_minor", -MAIL_INT_MAX, MAIL_INT_MAX,
	    &c->balance_minor) == -1 ||
	    mail_int(o, "missing_receipts", 0, MAIL_INT_MAX,
	    &c->missing_receipts) == -1 ||
	    mail_int(o, "export_ready", 0, MAIL_INT_MAX,
	    &c->export_ready) == -1 ||
	    (c->name = mail_str(o, "name", MAIL_NAME_MAX, 1)) == NULL ||
	    (c->currency = mail_str(o, "currency", 3, 1)) == NULL ||
	    (c->url = mail_str(o, "url", MAIL_URL_MAX, 1)) == NULL)
		return -1;
	/* Formatting an amount checks the currency code. */
	if (mail_money_format(MAIL_LOCALE_EN, 0, c->currency, probe,
	    sizeof(probe)) == -1)
		return -1;
	return mail_url_valid(c->url) ? 0 : -1;
}

static int
mail_person_parse(const cJSON *o, const char **email, const char **name)
{
	if (!cJSON_IsObject(o) ||
	    (*email = mail_str(o, "email", 254, 1)) == NULL ||
	    !mail_addr_valid(*email) ||
	    (*name = mail_str(o, "name", MAIL_NAME_MAX, 0)) == NULL)
		return -1;
	return 0;
}

static int
mail_digest_parse(const cJSON *root, struct mail_doc *d)
{
	const cJSON		*c;
	const char		*freq;
	struct mail_client	 probe;
	const char		*first = NULL;
	int64_t			 open = 0;
	int			 i, n = 0;

	if ((freq = mail_str(root, "frequency", 16, 1)) == NULL ||
	    (d->period = mail_str(root, "period", 32, 1)) == NULL ||
	    (d->unsubscribe_url = mail_str(root, "unsubscribe_url",
	    MAIL_URL_MAX, 1)) == NULL ||
	    !mail_url_valid(d->unsubscribe_url))
		return -1;
	d->frequency = -1;
	for (i = 0; i < 3; i++)
		if (strcmp(freq, mail_freq_names[i]) == 0)
			d->frequency = i;
	if (d->frequency == -1)
		return -1;
	d->clients = cJSON_GetObjectItemCaseSensitive(root, "clients");
	if (!cJSON_IsArray(d->clients))
		return -1;
	cJSON_ArrayForEach(c, d->clients) {
		if (mail_client_parse(c, &probe) == -1)
			return -1;
		if (n++ == 0)
			first = probe.name;
		if (probe.missing_receipts > 0 || probe.export_ready > 0) {
			if (open++ == 0)
				d->subject_client = probe.name;
		}
	}
	/* An empty digest is skipped before it reaches the outbox. */
	if (n == 0)
		return -1;
	/* The worker skips a digest with nothing open; others name all. */
	d->subject_count = open > 0 ? open : n;
	if (open == 0)
		d->subject_client = first;
	return 0;
}

static int
mail_reminder_parse(const cJSON *root, struct mail_doc *d)
{
	const cJSON	*tasks, *t, *comment;
	int		 i, found, n = 0;

	if (mail_person_parse(cJSON_GetObjectItemCaseSensitive(root, "sender"),
	    &d->sender_email, &d->sender_name) == -1 ||
	    mail_client_parse(cJSON_GetObjectItemCaseSensitive(root, "client"),
	    &d->client) == -1)
		return -1;
	tasks = cJSON_GetObjectItemCaseSensitive(root, "tasks");
	if (!cJSON_IsArray(tasks))
		return -1;
	cJSON_ArrayForEach(t, tasks) {
		if (!cJSON_IsString(t))
			return -1;
		found = 0;
		for (i = 0; i < MAIL_TASK_COUNT; i++)
			if (strcmp(t->valuestring, mail_task_names[i]) == 0) {
				if (d->tasks[i])
					return -1;	/* twice */
				d->tasks[i] = found = 1;
			}
		if (!found)
			return -1;
		n++;
	}
	if (n == 0)
		return -1;
	comment = cJSON_GetObjectItemCaseSensitive(root, "comment");
	if (comment == NULL || cJSON_IsNull(comment))
		d->comment = NULL;
	else if ((d->comment = mail_str(root, "comment", MAIL_COMMENT_MAX,
	    0)) == NULL)
		return -1;
	return 0;
}

/* Fills d from the parsed payload; 0, or -1 when anything is off. */
static int
mail_doc_parse(const cJSON *root, struct mail_doc *d)
{
	const char	*kind, *locale;

	memset(d, 0, sizeof(*d));
	if (!cJSON_IsObject(root) ||
	    (kind = mail_str(root, "kind", 16, 1)) == NULL ||
	    (locale = mail_str(root, "locale", 35, 1)) == NULL ||
	    mail_person_parse(cJSON_GetObjectItemCaseSensitive(root, "to"),
	    &d->to_email, &d->to_name) == -1 ||
	    (d->firm = mail_str(root, "firm", MAIL_NAME_MAX, 1)) == NULL)
		return -1;
	d->locale = mail_locale_parse(locale);
	if (strcmp(kind, "digest") == 0) {
		d->kind = MAIL_KIND_DIGEST;
		return mail_digest_parse(root, d);
	}
	if (strcmp(kind, "reminder") == 0) {
		d->kind = MAIL_KIND_REMINDER;
		return mail_reminder_parse(root, d);
	}
	return -1;
}

/*
 * Appends s with every control character, C0, DEL and C1, as a space: what
 * goes into a header can then never end it or start another.
 */
static int
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

/* mail_clean_add() into a new string, which the caller frees. */
static char *
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
 * Appends s escaped for HTML text and attribute values; with br, line
 * breaks become <br> so that a comment keeps its lines.
 */
static int
mail_html_add(struct buf *b, const char *s, int br)
{
	const char	*rep;
	int		 rc = 0;

	for (; *s != '\0' && rc == 0; s++) {
		switch (*s) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		case '\n':
			rep = br ? "<br>\n" : "\n";
			break;
		default:
			rep = NULL;
			break;
		}
		rc = rep != NULL ? buf_adds(b, rep) : buf_addc(b, *s);
	}
	return rc;
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
			if ((html ? mail_html_add(b, args[used], 0) :
			    buf_adds(b, args[used])) == -1)
				return -1;
			used++;
			p++;
		} else if (buf_addc(b, *p) == -1)
			return -1;
	}
	return used == n ? 0 : -1;
}

/* One paragraph in both bodies. */
static int
mail_para(struct mail_out *o, const char *fmt, const char *const *args,
    size_t n)
{
	if (mail_expand(&o->text, fmt, 0, args, n) == -1 ||
	    buf_adds(&o->text, "\n\n") == -1 ||
	    buf_adds(&o->html, "<p>") == -1 ||
	    mail_expand(&o->html, fmt, 1, args, n) == -1 ||
	    buf_adds(&o->html, "</p>\n") == -1)
		return -1;
	return 0;
}

/* One "label: value" figure: indented in text, a table row in HTML. */
static int
mail_figure(struct mail_out *o, const char *label, const char *value)
{
	if (buf_printf(&o->text, "  %s: %s\n", label, value) == -1 ||
	    buf_adds(&o->html, "<tr><td style=\"padding: 2px 16px 2px 0;\">")
	    == -1 || mail_html_add(&o->html, label, 0) == -1 ||
	    buf_adds(&o->html, "</td><td style=\"padding: 2px 0; "
	    "text-align: right; white-space: nowrap;\">") == -1 ||
	    mail_html_add(&o->html, value, 0) == -1 ||
	    buf_adds(&o->html, "</td></tr>\n") == -1)
		return -1;
	return 0;
}

static int
mail_html_open(struct mail_out *o, enum mail_locale l, const char *subject)
{
	if (buf_printf(&o->html, "<!DOCTYPE html>\n<html lang=\"%s\">\n"
	    "<head>\n<meta charset=\"utf-8\">\n<title>",
	    mail_locale_tag(l)) == -1 ||
	    mail_html_add(&o->html, subject, 0) == -1 ||
	    buf_adds(&o->html, "</title>\n</head>\n<body style=\"font-family: "
	    "Helvetica, Arial, sans-serif; color: #222222;\">\n") == -1)
		return -1;
	return 0;
}

static int
mail_greeting(struct mail_out *o, const struct mail_text *t,
    const char *name)
{
	const char	*args[1] = { name };

	if (name[0] == '\0')
		return mail_para(o, t->greeting_anon, NULL, 0);
	return mail_para(o, t->greeting_fmt, args, 1);
}

static int
mail_closing(struct mail_out *o, const struct mail_text *t,
    const char *footer)
{
	if (buf_printf(&o->text, "%s\n%s\n\n-- \n%s\n", t->signature,
	    MAIL_BRAND, footer) == -1 ||
	    buf_printf(&o->html, "<p>%s<br>\n%s</p>\n", t->signature,
	    MAIL_BRAND) == -1 ||
	    buf_adds(&o->html, "<p style=\"color: #666666; font-size: 12px;\">")
	    == -1 || mail_html_add(&o->html, footer, 0) == -1 ||
	    buf_adds(&o->html, "</p>\n</body>\n</html>\n") == -1)
		return -1;
	return 0;
}

/* A link line: "label: url" in text, an anchor in HTML. */
static int
mail_link(struct mail_out *o, const char *label, const char *url)
{
	if (buf_printf(&o->text, "  %s: %s\n", label, url) == -1 ||
	    buf_adds(&o->html, "<p style=\"margin: 4px 0 16px 0;\"><a href=\"")
	    == -1 || mail_html_add(&o->html, url, 0) == -1 ||
	    buf_adds(&o->html, "\">") == -1 ||
	    mail_html_add(&o->html, label, 0) == -1 ||
	    buf_adds(&o->html, "</a></p>\n") == -1)
		return -1;
	return 0;
}

/* A client's name as a heading linked to the client. */
static int
mail_client_heading(struct mail_out *o, const char *name, const char *url)
{
	if (buf_printf(&o->text, "%s\n", name) == -1 ||
	    buf_adds(&o->html, "<h3 style=\"margin: 16px 0 4px 0;\"><a href=\"")
	    == -1 || mail_html_add(&o->html, url, 0) == -1 ||
	    buf_adds(&o->html, "\">") == -1 ||
	    mail_html_add(&o->html, name, 0) == -1 ||
	    buf_adds(&o->html, "</a></h3>\n") == -1)
		return -1;
	return 0;
}

static int
mail_count(char *out, size_t outlen, int64_t n)
{
	int	 w = snprintf(out, outlen, "%lld", (long long)n);

	return w < 0 || (size_t)w >= outlen ? -1 : 0;
}

/* The figures of one client; for a reminder only its ticked tasks. */
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
	if ((tasks == NULL || tasks[MAIL_TASK_MISSING_RECEIPTS]) &&
	    mail_figure(o, t->missing_receipts, missing) == -1)
		return -1;
	if ((tasks == NULL || tasks[MAIL_TASK_EXPORT_READY]) &&
	    mail_figure(o, t->export_ready, ready) == -1)
		return -1;
	if ((tasks == NULL || tasks[MAIL_TASK_BALANCE]) &&
	    mail_figure(o, t->balance, money) == -1)
		return -1;
	return buf_adds(&o->html, "</table>\n");
}

static int
mail_digest_write(struct mail_out *o, const struct mail_doc *d,
    const char *subject, const char *to_name, const char *firm,
    const char *period)
{
	const struct mail_text	*t = mail_text_get(d->locale);
	const char		*args[2] = { firm, period };
	const cJSON		*item;
	struct mail_client	 c;
	char			*name = NULL;
	int			 rc = -1;

	if (mail_html_open(o, d->locale, subject) == -1 ||
	    mail_greeting(o, t, to_name) == -1 ||
	    mail_para(o, t->digest_intro_fmt, args, 2) == -1)
		goto out;
	cJSON_ArrayForEach(item, d->clients) {
		if (mail_client_parse(item, &c) == -1 ||
		    (name = mail_clean(c.name)) == NULL ||
		    mail_client_heading(o, name, c.url) == -1 ||
		    mail_client_figures(o, t, d->locale, &c, NULL) == -1 ||
		    mail_link(o, t->open_client, c.url) == -1 ||
		    buf_addc(&o->text, '\n') == -1)
			goto out;
		free(name);
		name = NULL;
	}
	rc = mail_closing(o, t, t->digest_footer);
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
	    mail_html_add(&o->html, b.data, 1) == -1 ||
	    buf_adds(&o->html, "</blockquote>\n") == -1)
		goto out;
	rc = 0;
out:
	buf_cleanup(&b);
	return rc;
}

static int
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
	if (d->comment != NULL && d->comment[0] != '\0' &&
	    (mail_expand(&o->text, t->comment_fmt, 0, args, 1) == -1 ||
	    buf_addc(&o->text, '\n') == -1 ||
	    buf_adds(&o->html, "<p style=\"margin-bottom: 4px;\">") == -1 ||
	    mail_expand(&o->html, t->comment_fmt, 1, args, 1) == -1 ||
	    buf_adds(&o->html, "</p>\n") == -1 ||
	    mail_comment_write(o, d->comment) == -1))
		goto out;
	if (mail_client_heading(o, client, d->client.url) == -1 ||
	    mail_link(o, t->open_client, d->client.url) == -1 ||
	    buf_addc(&o->text, '\n') == -1)
		goto out;
	/* The footer names the sender: expanded once, used in both bodies. */
	buf_reset(&b);
	if (mail_expand(&b, t->reminder_footer_fmt, 0, args, 1) == -1 ||
	    b.data == NULL)
		goto out;
	rc = mail_closing(o, t, b.data);
out:
	buf_cleanup(&b);
	free(sname);
	free(client);
	free(who);
	return rc;
}

/* The subject in the recipient's language, free of control characters. */
static char *
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

/* A UTF-8 text part holding the given body as it is. */
static GMimeObject *
mail_part(const char *subtype, const struct buf *body)
{
	GMimeTextPart	*part;
	GMimeStream	*stream;
	GMimeDataWrapper *content;

	part = g_mime_text_part_new_with_subtype(subtype);
	/*
	 * g_mime_text_part_set_text() would pick the "best" charset and turn
	 * Swedish text into ISO-8859-1: the bytes go in as UTF-8 instead.
	 */
	stream = g_mime_stream_mem_new_with_buffer(body->data, body->len);
	content = g_mime_data_wrapper_new_with_stream(stream,
	    GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(GMIME_PART(part), content);
	g_object_unref(content);
	g_object_unref(stream);
	g_mime_text_part_set_charset(part, "utf-8");
	g_mime_part_set_content_encoding(GMIME_PART(part),
	    g_mime_part_get_best_content_encoding(GMIME_PART(part),
	    GMIME_ENCODING_CONSTRAINT_7BIT));
	return GMIME_OBJECT(part);
}

static void
mail_add_mailbox(GMimeMessage *msg, GMimeAddressType type, const char *name,
    const char *addr)
{
	InternetAddress	*ia;

	ia = internet_address_mailbox_new(name[0] != '\0' ? name : NULL, addr);
	/* Encoded-words in UTF-8, not GMime's guess of a legacy charset. */
	internet_address_set_charset(ia, "utf-8");
	internet_address_list_add(g_mime_message_get_addresses(msg, type), ia);
	g_object_unref(ia);
}

/*
 * RFC 8058 one-click unsubscribe. GMime's default formatter turns a long
 * value into a run of "=?us-ascii?Q?...?=" words, which no mail client
 * reads as a URL: the raw value is set by hand, unfolded.
 */
static int
mail_unsubscribe_headers(GMimeMessage *msg, const char *url)
{
	GMimeObject	*obj = GMIME_OBJECT(msg);
	GMimeHeader	*h;
	struct buf	 b;
	int		 rc = -1;

	buf_init(&b, MAIL_URL_MAX + 8);
	if (buf_printf(&b, "<%s>", url) == -1)
		goto out;
	g_mime_object_set_header(obj, "List-Unsubscribe", b.data, NULL);
	h = g_mime_header_list_get_header(g_mime_object_get_header_list(obj),
	    "List-Unsubscribe");
	buf_reset(&b);
	/* A raw value starts after the colon and ends with the newline. */
	if (h == NULL || buf_printf(&b, " <%s>\n", url) == -1)
		goto out;
	g_mime_header_set_raw_value(h, b.data);
	g_mime_object_set_header(obj, "List-Unsubscribe-Post",
	    "List-Unsubscribe=One-Click", NULL);
	rc = 0;
out:
	buf_cleanup(&b);
	return rc;
}

/*
 * Nonzero when text can stand in a header as it is: printable ASCII with
 * nothing an encoded-word is made of ('=', '?') and no quote. Anything
 * else is written by mail_words_add(), never by GMime, whose Q words let
 * '=' through raw and which copies "=?...?=" look-alikes unencoded.
 */
static int
mail_text_plain(const char *text)
{
	const unsigned char	*p;
	size_t			 word = 0;

	for (p = (const unsigned char *)text; *p != '\0'; p++) {
		if (*p < 0x20 || *p >= 0x7f || *p == '=' || *p == '?' ||
		    *p == '"')
			return 0;
		/* GMime encodes a long unbroken word, in words too long. */
		word = *p == ' ' ? 0 : word + 1;
		if (word > 40)
			return 0;
	}
	return 1;
}

/*
 * Appends text as Q encoded-words of at most MAIL_WORD_TEXT encoded
 * characters, each on its own folded line, never cutting a character in
 * two: adjacent encoded-words join up again without the white space.
 * Q rather than B: GMime's decoder runs adjacent base64 words together,
 * and loses what follows the padding of the first.
 */
static int
mail_words_add(struct buf *b, const char *text)
{
	const unsigned char	*p = (const unsigned char *)text;
	char			 enc[4 * 3];
	size_t			 clen, i, n, used = 0;
	int			 open = 0, first = 1;

	while (*p != '\0') {
		/* The text is valid UTF-8: the lead byte gives the length. */
		clen = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;
		for (i = n = 0; i < clen && p[i] != '\0'; i++) {
			if (p[i] == ' ')
				enc[n++] = '_';
			else if ((p[i] >= 'a' && p[i] <= 'z') ||
			    (p[i] >= 'A' && p[i] <= 'Z') ||
			    (p[i] >= '0' && p[i] <= '9') ||
			    strchr("!*+-/", p[i]) != NULL)
				enc[n++] = (char)p[i];	/* safe in a phrase */
			else {
				enc[n++] = '=';
				enc[n++] = "0123456789ABCDEF"[p[i] >> 4];
				enc[n++] = "0123456789ABCDEF"[p[i] & 15];
			}
		}
		if (open && used + n > MAIL_WORD_TEXT) {
			if (buf_adds(b, "?=") == -1)
				return -1;
			open = 0;
		}
		if (!open) {
			if (buf_adds(b, first ? " =?UTF-8?Q?" : "\n =?UTF-8?Q?")
			    == -1)
				return -1;
			open = 1;
			first = 0;
			used = 0;
		}
		if (buf_add(b, enc, n) == -1)
			return -1;
		used += n;
		p += i;
	}
	return open ? buf_adds(b, "?=") : 0;
}

/*
 * A header with a phrase that is not plain (the subject, or an address
 * with its display name when addr is set) is written again in our own
 * short Q words: GMime 3.2 splits long words by characters, not bytes
 * (words of 120 characters, past RFC 2047's 75), leaves '=' raw inside
 * them, and copies text shaped like an encoded-word unencoded.
 */
static int
mail_header_words(GMimeObject *obj, const char *name, const char *text,
    const char *addr)
{
	GMimeHeader	*h;
	struct buf	 b;
	int		 rc = -1;

	h = g_mime_header_list_get_header(g_mime_object_get_header_list(obj),
	    name);
	if (h == NULL)
		return -1;
	if (mail_text_plain(text))
		return 0;
	buf_init(&b, MAIL_SMALL_MAX * 2);
	if (mail_words_add(&b, text) == -1 ||
	    (addr != NULL && buf_printf(&b, " <%s>", addr) == -1) ||
	    buf_addc(&b, '\n') == -1)
		goto out;
	g_mime_header_set_raw_value(h, b.data);
	rc = 0;
out:
	buf_cleanup(&b);
	return rc;
}

/* Finds needle in the header block of the message only. */
static int
mail_header_has(const char *msg, size_t len, const char *needle)
{
	const char	*end;
	size_t		 n = strlen(needle);

	end = memmem(msg, len, "\r\n\r\n", 4);
	if (end == NULL)
		return 0;
	return memmem(msg, (size_t)(end - msg) + 2, needle, n) != NULL;
}

static int
mail_build(const struct mail_doc *d, const char *subject,
    const struct mail_out *o, const char *msgid, const char *from_name,
    const char *from_addr, int64_t date, char **out, size_t *outlen)
{
	GMimeMessage		*msg;
	GMimeMultipart		*alt;
	GMimeObject		*part;
	GMimeFormatOptions	*opts;
	GMimeStream		*stream;
	GByteArray		*bytes;
	GDateTime		*dt;
	struct buf		 check;
	char			*to_name = NULL, *sname = NULL;
	int			 rc = -1;

	buf_init(&check, MAIL_URL_MAX + 64);
	msg = g_mime_message_new(TRUE);
	opts = g_mime_format_options_new();
	stream = g_mime_stream_mem_new();

	if ((to_name = mail_clean(d->to_name)) == NULL)
		goto out;
	mail_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, from_name, from_addr);
	mail_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, to_name, d->to_email);
	if (d->kind == MAIL_KIND_REMINDER) {
		/* Replies reach the admin who asked, not the robot. */
		if ((sname = mail_clean(d->sender_name)) == NULL)
			goto out;
		mail_add_mailbox(msg, GMIME_ADDRESS_TYPE_REPLY_TO, sname,
		    d->sender_email);
	}
	g_mime_message_set_subject(msg, subject, "utf-8");
	/* GMime quotes specials itself; quotes and non-ASCII are ours. */
	if (mail_header_words(GMIME_OBJECT(msg), "Subject", subject,
	    NULL) == -1 ||
	    mail_header_words(GMIME_OBJECT(msg), "From", from_name,
	    from_addr) == -1 ||
	    (to_name[0] != '\0' && mail_header_words(GMIME_OBJECT(msg), "To",
	    to_name, d->to_email) == -1) ||
	    (sname != NULL && sname[0] != '\0' &&
	    mail_header_words(GMIME_OBJECT(msg), "Reply-To", sname,
	    d->sender_email) == -1))
		goto out;
	dt = g_date_time_new_from_unix_utc(date);
	if (dt == NULL)
		goto out;
	g_mime_message_set_date(msg, dt);
	g_date_time_unref(dt);
	/* Set by name: g_mime_message_set_message_id() spells "Message-Id". */
	if (buf_printf(&check, "<%s>", msgid) == -1)
		goto out;
	g_mime_object_set_header(GMIME_OBJECT(msg), "Message-ID", check.data,
	    NULL);
	buf_reset(&check);
	if (d->kind == MAIL_KIND_DIGEST &&
	    mail_unsubscribe_headers(msg, d->unsubscribe_url) == -1)
		goto out;

	alt = g_mime_multipart_new_with_subtype("alternative");
	part = mail_part("plain", &o->text);
	g_mime_multipart_add(alt, part);
	g_object_unref(part);
	part = mail_part("html", &o->html);
	g_mime_multipart_add(alt, part);
	g_object_unref(part);
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(alt));
	g_object_unref(alt);

	/* SMTP wants CRLF; GMime converts every line end it writes. */
	g_mime_format_options_set_newline_format(opts,
	    GMIME_NEWLINE_FORMAT_DOS);
	if (g_mime_object_write_to_stream(GMIME_OBJECT(msg), opts,
	    stream) == -1)
		goto out;
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
	if (bytes == NULL || bytes->len == 0 || bytes->len > MAIL_MESSAGE_MAX)
		goto out;

	/* The raw bytes, in case a GMime update starts encoding again. */
	if (d->kind == MAIL_KIND_DIGEST &&
	    (buf_printf(&check, "\r\nList-Unsubscribe: <%s>\r\n",
	    d->unsubscribe_url) == -1 ||
	    !mail_header_has((const char *)bytes->data, bytes->len,
	    check.data))) {
		log_warnx("mail: GMime did not keep List-Unsubscribe raw");
		goto out;
	}
	if ((*out = malloc(bytes->len + 1)) == NULL)
		goto out;
	memcpy(*out, bytes->data, bytes->len);
	(*out)[bytes->len] = '\0';
	*outlen = bytes->len;
	rc = 0;
out:
	buf_cleanup(&check);
	free(to_name);
	free(sname);
	g_object_unref(stream);
	g_mime_format_options_free(opts);
	g_object_unref(msg);
	return rc;
}

int
mail_render(const char *payload_json, const char *message_id,
    const char *from_addr, int64_t date, char **out, size_t *outlen)
{
	struct mail_doc	 d;
	struct mail_out	 o;
	cJSON		*root = NULL;
	char		*subject = NULL, *msgid = NULL, *firm = NULL;
	char		*to_name = NULL;
	char		 period[64];
	int		 rc = -1;

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
	mail_init();

	if ((firm = mail_clean(d.firm)) == NULL ||
	    (to_name = mail_clean(d.to_name)) == NULL)
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
	} else if (mail_reminder_write(&o, &d, subject, to_name, firm) == -1)
		goto out;
	rc = mail_build(&d, subject, &o, msgid, mail_from_name(&d, firm),
	    from_addr, date, out, outlen);
out:
	buf_cleanup(&o.text);
	buf_cleanup(&o.html);
	cJSON_Delete(root);
	free(subject);
	free(msgid);
	free(firm);
	free(to_name);
	return rc;
}
