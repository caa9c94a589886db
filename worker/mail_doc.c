/*
 * Checks of the outbox payload: every field with its type and bounds, the
 * URLs, addresses and currency, and what a digest's subject will name.
 */
#include <math.h>
#include <string.h>

#include "../common/alert.h"
#include "mail_doc.h"

#define MAIL_NAME_MAX		1024	/* bytes of a name or the firm */
/* Amounts and counts must survive the trip through a JSON double. */
#define MAIL_INT_MAX		9007199254740991LL

static const char *const mail_task_names[MAIL_TASK_COUNT] = {
	"missing_receipts", "export_ready", "balance"
};

static const char *const mail_freq_names[3] = {
	"daily", "weekly", "monthly"
};

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

/* An optional URL member: NULL when absent, -1 when it is no URL. */
static int
mail_url_optional(const cJSON *obj, const char *name, const char **out)
{
	*out = NULL;
	if (cJSON_GetObjectItemCaseSensitive(obj, name) == NULL)
		return 0;
	if ((*out = mail_str(obj, name, MAIL_URL_MAX, 1)) == NULL ||
	    !mail_url_valid(*out))
		return -1;
	return 0;
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

/* An optional array of alert names into bits; -1 for anything else. */
static int
mail_alerts(const cJSON *obj, const char *name, unsigned *bits)
{
	const cJSON	*a = cJSON_GetObjectItemCaseSensitive(obj, name), *v;
	unsigned	 bit;

	*bits = 0;
	if (a == NULL)
		return 0;
	if (!cJSON_IsArray(a))
		return -1;
	cJSON_ArrayForEach(v, a) {
		if (!cJSON_IsString(v) ||
		    (bit = alert_bit(v->valuestring)) == 0)
			return -1;
		*bits |= bit;
	}
	return 0;
}

/* A digest client's optional counts of this month. */
static int
mail_month(const cJSON *obj, struct mail_client *c)
{
	const cJSON	*m = cJSON_GetObjectItemCaseSensitive(obj, "month");

	c->has_month = 0;
	if (m == NULL)
		return 0;
	if (!cJSON_IsObject(m) ||
	    mail_int(m, "exported", 0, MAIL_INT_MAX, &c->month_exported) ==
	    -1 || mail_int(m, "ready", 0, MAIL_INT_MAX, &c->month_ready) ==
	    -1 || mail_int(m, "pending", 0, MAIL_INT_MAX, &c->month_pending) ==
	    -1)
		return -1;
	c->has_month = 1;
	return 0;
}

int
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
	if (mail_alerts(o, "alerts", &c->alerts) == -1 ||
	    mail_alerts(o, "new_alerts", &c->new_alerts) == -1 ||
	    mail_month(o, c) == -1)
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

int
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
	if ((cJSON_GetObjectItemCaseSensitive(root, "firm_id") != NULL &&
	    mail_int(root, "firm_id", 1, MAIL_INT_MAX, &d->firm_id) == -1) ||
	    mail_url_optional(root, "manage_url", &d->manage_url) == -1)
		return -1;
	if (strcmp(kind, "digest") == 0) {
		d->kind = MAIL_KIND_DIGEST;
		return mail_digest_parse(root, d);
	}
	if (strcmp(kind, "reminder") == 0) {
		d->kind = MAIL_KIND_REMINDER;
		return mail_reminder_parse(root, d);
	}
	if (strcmp(kind, "webhook_disabled") == 0) {
		d->kind = MAIL_KIND_WEBHOOK_DISABLED;
		/* Shown as text, never as a link: it failed for days. */
		d->webhook_url = mail_str(root, "url", 2048, 1);
		return d->webhook_url == NULL ? -1 : 0;
	}
	return -1;
}
