/*
 * Unit tests for worker/mail_text.h and worker/mail.h with its parts
 * (mail_doc.h, mime.h): periods per locale, and the bytes of
 * rendered digests and reminders, read back both as raw text and through
 * GMime's parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <gmime/gmime.h>

#include <cjson/cJSON.h>

#include "../../common/log.h"
#include "../../worker/mail.h"
#include "../../worker/mail_doc.h"
#include "../../worker/mail_text.h"
#include "../../worker/mime.h"

#define FROM		"portal@portal.example"
#define MSGID		"outbox-42.1775462400@portal.example"
#define DATE		1775462400	/* Mon, 06 Apr 2026 08:00:00 +0000 */
#define APP		"http://127.0.0.1:3000/clients/"

/* --- periods, locales, the text table ---------------------------------- */

static void
period_is(enum mail_locale l, const char *period, const char *want)
{
	char	 out[64];

	assert_int_equal(mail_period_format(l, period, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void
test_period(void **state)
{
	char	 out[64];

	(void)state;
	period_is(MAIL_LOCALE_SV, "2026-W14", "vecka 14");
	period_is(MAIL_LOCALE_EN, "2026-W01", "week 1");
	period_is(MAIL_LOCALE_DA, "2026-W53", "uge 53");
	period_is(MAIL_LOCALE_NB, "2026-W14", "uke 14");
	period_is(MAIL_LOCALE_SV, "2026-04", "april 2026");
	period_is(MAIL_LOCALE_EN, "2026-04", "April 2026");
	period_is(MAIL_LOCALE_NB, "2026-05", "mai 2026");
	period_is(MAIL_LOCALE_SV, "2026-03-30", "30 mars 2026");
	period_is(MAIL_LOCALE_DA, "2026-03-30", "30. marts 2026");
	period_is(MAIL_LOCALE_EN, "2026-12-01", "1 December 2026");
	assert_int_equal(mail_period_format(MAIL_LOCALE_SV, "2026-W54", out,
	    sizeof(out)), -1);
	assert_int_equal(mail_period_format(MAIL_LOCALE_SV, "2026-W00", out,
	    sizeof(out)), -1);
	assert_int_equal(mail_period_format(MAIL_LOCALE_SV, "2026-13", out,
	    sizeof(out)), -1);
	assert_int_equal(mail_period_format(MAIL_LOCALE_SV, "2026-04-32", out,
	    sizeof(out)), -1);
	assert_int_equal(mail_period_format(MAIL_LOCALE_SV, "2026/04", out,
	    sizeof(out)), -1);
	assert_int_equal(mail_period_format(MAIL_LOCALE_SV, "", out,
	    sizeof(out)), -1);
	assert_int_equal(mail_period_format(MAIL_LOCALE_SV, "2026-W14x", out,
	    sizeof(out)), -1);
}

static int
count_s(const char *fmt)
{
	int	 n = 0;

	for (; (fmt = strchr(fmt, '%')) != NULL; fmt++) {
		assert_int_equal(fmt[1], 's');	/* no other conversion */
		n++;
	}
	return n;
}

static void
text_safe(const char *s)
{
	assert_non_null(s);
	assert_null(strpbrk(s, "<>&\r\n"));
}

/* Every translation takes its arguments in the same number. */
static void
test_text_table(void **state)
{
	const struct mail_text	*t;
	int			 l, i;

	(void)state;
	for (l = MAIL_LOCALE_EN; l <= MAIL_LOCALE_NB; l++) {
		t = mail_text_get((enum mail_locale)l);
		for (i = 0; i < 3; i++) {
			assert_int_equal(count_s(t->digest_subject_one_fmt[i]),
			    2);
			text_safe(t->digest_subject_one_fmt[i]);
		}
		assert_int_equal(count_s(t->digest_subject_many_fmt), 2);
		text_safe(t->digest_subject_many_fmt);
		assert_int_equal(count_s(t->reminder_subject_fmt), 1);
		assert_int_equal(count_s(t->greeting_fmt), 1);
		assert_int_equal(count_s(t->greeting_anon), 0);
		assert_int_equal(count_s(t->digest_intro_fmt), 2);
		for (i = 0; i < 4; i++) {
			assert_int_equal(count_s(
			    t->summary_missing_fmt[i / 2][i % 2]), 2);
			text_safe(t->summary_missing_fmt[i / 2][i % 2]);
		}
		for (i = 0; i < 2; i++) {
			assert_int_equal(count_s(t->summary_ready_fmt[i]), 1);
			assert_int_equal(count_s(t->summary_attention_fmt[i]),
			    1);
			text_safe(t->summary_ready_fmt[i]);
			text_safe(t->summary_attention_fmt[i]);
		}
		text_safe(t->client);
		assert_int_equal(count_s(t->reminder_intro_fmt), 3);
		assert_int_equal(count_s(t->comment_fmt), 1);
		assert_int_equal(count_s(t->reminder_footer_fmt), 1);
		assert_int_equal(count_s(t->digest_footer), 0);
		assert_int_equal(count_s(t->webhook_subject), 0);
		assert_int_equal(count_s(t->webhook_intro_fmt), 2);
		assert_int_equal(count_s(t->webhook_action), 0);
		assert_int_equal(count_s(t->webhook_footer), 0);
		text_safe(t->webhook_subject);
		text_safe(t->webhook_intro_fmt);
		text_safe(t->webhook_action);
		text_safe(t->webhook_footer);
		text_safe(t->reminder_subject_fmt);
		text_safe(t->greeting_fmt);
		text_safe(t->greeting_anon);
		text_safe(t->digest_intro_fmt);
		text_safe(t->balance);
		text_safe(t->missing_receipts);
		text_safe(t->export_ready);
		text_safe(t->open_client);
		text_safe(t->digest_footer);
		text_safe(t->reminder_intro_fmt);
		text_safe(t->comment_fmt);
		text_safe(t->reminder_footer_fmt);
		text_safe(t->signature);
		text_safe(t->manage_notifications);
		text_safe(t->unsubscribe);
		assert_int_equal(count_s(t->manage_notifications), 0);
		assert_int_equal(count_s(t->unsubscribe), 0);
	}
}

/* --- payloads ---------------------------------------------------------- */

/* A 300+ character unsubscribe URL, longer than any header line GMime folds. */
static const char *
long_url(void)
{
	static char	 url[512];
	size_t		 n;

	if (url[0] == '\0') {
		n = (size_t)snprintf(url, sizeof(url), "%s",
		    "http://127.0.0.1:8080/v1/unsubscribe?token=");
		while (n < 340) {
			url[n] = "AbCdEfGhIjKlMnOpQrStUvWxYz0123-_"[n % 32];
			n++;
		}
		url[n] = '\0';
	}
	return url;
}

static cJSON *
client_json(int id, const char *name, int64_t balance, int missing,
    int ready)
{
	cJSON	*c = cJSON_CreateObject();
	char	 url[128];

	(void)snprintf(url, sizeof(url), APP "%d", id);
	cJSON_AddNumberToObject(c, "id", id);
	cJSON_AddStringToObject(c, "name", name);
	cJSON_AddNumberToObject(c, "balance_minor", (double)balance);
	cJSON_AddStringToObject(c, "currency", "SEK");
	cJSON_AddNumberToObject(c, "missing_receipts", missing);
	cJSON_AddNumberToObject(c, "export_ready", ready);
	cJSON_AddStringToObject(c, "url", url);
	return c;
}

static cJSON *
person_json(const char *email, const char *name)
{
	cJSON	*p = cJSON_CreateObject();

	cJSON_AddStringToObject(p, "email", email);
	cJSON_AddStringToObject(p, "name", name);
	return p;
}

static cJSON *
digest_json(const char *locale)
{
	cJSON	*d = cJSON_CreateObject(), *clients;

	cJSON_AddStringToObject(d, "kind", "digest");
	cJSON_AddStringToObject(d, "locale", locale);
	cJSON_AddItemToObject(d, "to", person_json("bo@firm.example",
	    "Bo Bokföraren"));
	cJSON_AddStringToObject(d, "firm", "Nordisk Redovisning AB");
	cJSON_AddStringToObject(d, "frequency", "weekly");
	cJSON_AddStringToObject(d, "period", "2026-W14");
	cJSON_AddStringToObject(d, "unsubscribe_url", long_url());
	clients = cJSON_AddArrayToObject(d, "clients");
	cJSON_AddItemToArray(clients, client_json(1, "Åkesson Bygg AB", 123450,
	    3, 2));
	cJSON_AddItemToArray(clients, client_json(2,
	    "Örn & <Söner> \"HB\"", -99, 0, 12));
	return d;
}

static cJSON *
reminder_json(const char *locale)
{
	cJSON	*d = cJSON_CreateObject(), *tasks;

	cJSON_AddStringToObject(d, "kind", "reminder");
	cJSON_AddStringToObject(d, "locale", locale);
	cJSON_AddItemToObject(d, "to", person_json("bo@firm.example",
	    "Bo Bokföraren"));
	cJSON_AddStringToObject(d, "firm", "Nordisk Redovisning AB");
	cJSON_AddItemToObject(d, "sender", person_json("anna@firm.example",
	    "Anna Admin"));
	cJSON_AddItemToObject(d, "client", client_json(7, "Åkesson Bygg AB",
	    123450, 3, 2));
	tasks = cJSON_AddArrayToObject(d, "tasks");
	cJSON_AddItemToArray(tasks, cJSON_CreateString("missing_receipts"));
	cJSON_AddItemToArray(tasks, cJSON_CreateString("balance"));
	cJSON_AddStringToObject(d, "comment", "Hej!\r\nKolla "
	    "<script>alert(1)</script> & svara.\r\nBcc: evil@attacker.example"
	    "\n.\nTack");
	return d;
}

/* Renders doc (deleted here); the message or NULL, with its length. */
static char *
render_id(cJSON *doc, const char *msgid, size_t *len)
{
	char	*payload, *out = (char *)&out;
	int	 rc;

	payload = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	assert_non_null(payload);
	rc = mail_render(payload, msgid, FROM, DATE, &out, len);
	free(payload);
	if (rc == -1) {
		assert_null(out);
		return NULL;
	}
	assert_int_equal(rc, 0);
	assert_non_null(out);
	assert_int_equal(strlen(out), *len);
	return out;
}

static char *
render(cJSON *doc, size_t *len)
{
	return render_id(doc, MSGID, len);
}

static void
refused(cJSON *doc)
{
	size_t	 len = 0;

	assert_null(render(doc, &len));
	assert_int_equal(len, 0);
}

/* --- reading the bytes back -------------------------------------------- */

/* Every line ends in CRLF, none is longer than RFC 5322's 998. */
static void
assert_crlf(const char *m, size_t len)
{
	size_t	 i, line = 0;

	for (i = 0; i < len; i++) {
		if (m[i] == '\r') {
			assert_true(i + 1 < len && m[i + 1] == '\n');
			assert_true(line <= 998);
			line = 0;
			i++;
			continue;
		}
		assert_true(m[i] != '\n');
		line++;
	}
	assert_int_equal(line, 0);	/* ends with CRLF */
}

/* The header block, up to and with the CRLF before the empty line. */
static char *
header_block(const char *m)
{
	const char	*end = strstr(m, "\r\n\r\n");

	assert_non_null(end);
	return strndup(m, (size_t)(end - m) + 2);
}

/* The unfolded value of header name in the block, or NULL. */
static char *
header_value(const char *block, const char *name)
{
	const char	*p = block, *v;
	size_t		 n = strlen(name);
	char		*out, *o;

	for (;;) {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			break;
		if ((p = strstr(p, "\r\n")) == NULL || p[2] == '\0')
			return NULL;
		p += 2;
	}
	v = p + n + 1;
	while (*v == ' ')
		v++;
	out = o = malloc(strlen(v) + 1);
	assert_non_null(out);
	/* Up to a CRLF not followed by white space; folds are dropped. */
	while (*v != '\0') {
		if (v[0] == '\r' && v[1] == '\n') {
			if (v[2] != ' ' && v[2] != '\t')
				break;
			v += 2;
			continue;
		}
		*o++ = *v++;
	}
	*o = '\0';
	return out;
}

/* Each encoded-word of the value is at most 75 characters (RFC 2047). */
static void
assert_encoded_words_short(const char *v)
{
	const char	*p = v, *end;

	while ((p = strstr(p, "=?")) != NULL) {
		end = strstr(p + 2, "?=");
		assert_non_null(end);
		/* "=?charset?X?text?=": skip the two inner "?". */
		end = strchr(p + 2, '?');
		assert_non_null(end);
		end = strchr(end + 1, '?');
		assert_non_null(end);
		end = strstr(end + 1, "?=");
		assert_non_null(end);
		assert_true(end + 2 - p <= 75);
		p = end + 2;
	}
}

static GMimeMessage *
parse(const char *m, size_t len)
{
	GMimeStream	*stream;
	GMimeParser	*parser;
	GMimeMessage	*msg;

	stream = g_mime_stream_mem_new_with_buffer(m, len);
	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	assert_non_null(msg);
	return msg;
}

/* The decoded text of part i of the multipart/alternative, CR removed. */
static char *
part_text(GMimeMessage *msg, int i, const char *subtype)
{
	GMimeObject		*body = g_mime_message_get_mime_part(msg);
	GMimeObject		*part;
	GMimeContentEncoding	 enc;
	char			*text, *r, *w;

	assert_true(GMIME_IS_MULTIPART(body));
	assert_true(g_mime_content_type_is_type(
	    g_mime_object_get_content_type(body), "multipart", "alternative"));
	assert_int_equal(g_mime_multipart_get_count(GMIME_MULTIPART(body)), 2);
	part = g_mime_multipart_get_part(GMIME_MULTIPART(body), i);
	assert_true(GMIME_IS_TEXT_PART(part));
	assert_true(g_mime_content_type_is_type(
	    g_mime_object_get_content_type(part), "text", subtype));
	assert_string_equal(g_mime_object_get_content_type_parameter(part,
	    "charset"), "utf-8");
	enc = g_mime_part_get_content_encoding(GMIME_PART(part));
	assert_true(enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
	    enc == GMIME_CONTENT_ENCODING_BASE64);
	text = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
	assert_non_null(text);
	for (r = w = text; *r != '\0'; r++)
		if (*r != '\r')
			*w++ = *r;
	*w = '\0';
	return text;
}

/* The raw Subject is ASCII encoded-words that decode to want. */
static void
assert_subject(const char *block, const char *want)
{
	char		*raw, *decoded;
	const char	*p;

	raw = header_value(block, "Subject");
	assert_non_null(raw);
	for (p = raw; *p != '\0'; p++)
		assert_true((unsigned char)*p < 0x80);
	assert_non_null(strstr(raw, "=?UTF-8?"));
	assert_encoded_words_short(raw);
	decoded = g_mime_utils_header_decode_text(NULL, raw);
	assert_string_equal(decoded, want);
	g_free(decoded);
	free(raw);
}

/* --- rendering --------------------------------------------------------- */

static void
test_digest_headers(void **state)
{
	char	*m, *block, *want;
	size_t	 len;

	(void)state;
	m = render(digest_json("sv"), &len);
	assert_non_null(m);
	assert_crlf(m, len);
	block = header_block(m);
	assert_subject(block, "2 kunder med utestående uppgifter "
	    "\xe2\x80\x94 vecka 14");

	/* The exact raw bytes: one line, the URL untouched and unencoded. */
	assert_true(asprintf(&want, "\r\nList-Unsubscribe: <%s>\r\n",
	    long_url()) > 0);
	assert_true(strlen(long_url()) >= 300);
	assert_non_null(strstr(block, want));
	free(want);
	assert_non_null(strstr(block,
	    "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
	assert_null(strstr(block, "=?us-ascii?"));

	assert_non_null(strstr(block, "\r\nMessage-ID: <" MSGID ">\r\n"));
	assert_non_null(strstr(block,
	    "Date: Mon, 06 Apr 2026 08:00:00 +0000\r\n"));
	assert_non_null(strstr(block, "\r\nMIME-Version: 1.0\r\n"));
	/* The firm sends its digests. */
	assert_non_null(strstr(block, "\r\nFrom: Nordisk Redovisning AB <"
	    FROM ">\r\n"));
	assert_null(strstr(block, "Reply-To:"));
	free(block);
	free(m);
}

static void
test_digest_parsed(void **state)
{
	GMimeMessage		*msg;
	InternetAddressList	*to;
	InternetAddress		*ia;
	char			*m, *text, *html;
	size_t			 len;

	(void)state;
	m = render(digest_json("sv"), &len);
	assert_non_null(m);
	msg = parse(m, len);
	assert_string_equal(g_mime_message_get_subject(msg),
	    "2 kunder med utestående uppgifter \xe2\x80\x94 vecka 14");
	assert_string_equal(g_mime_message_get_message_id(msg), MSGID);
	to = g_mime_message_get_to(msg);
	assert_int_equal(internet_address_list_length(to), 1);
	ia = internet_address_list_get_address(to, 0);
	assert_string_equal(internet_address_get_name(ia), "Bo Bokföraren");
	assert_string_equal(internet_address_mailbox_get_addr(
	    INTERNET_ADDRESS_MAILBOX(ia)), "bo@firm.example");
	assert_string_equal(g_mime_object_get_header(GMIME_OBJECT(msg),
	    "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");

	text = part_text(msg, 0, "plain");
	assert_non_null(strstr(text, "Hej Bo,"));
	assert_non_null(strstr(text, "Åkesson Bygg AB\n"));
	assert_non_null(strstr(text, "Saldo: 1 234,50 kr\n"));
	assert_non_null(strstr(text, "Saknade kvitton: 3\n"));
	assert_non_null(strstr(text, "Klara för export: 2\n"));
	assert_non_null(strstr(text, APP "1\n"));
	assert_non_null(strstr(text, "Saldo: \xe2\x88\x92" "0,99 kr\n"));
	assert_non_null(strstr(text, "Klara för export: 12\n"));
	assert_non_null(strstr(text, APP "2\n"));
	assert_non_null(strstr(text, "vecka 14"));

	html = part_text(msg, 1, "html");
	assert_non_null(strstr(html, "<html lang=\"sv\">"));
	assert_non_null(strstr(html,
	    "<a href=\"" APP "1\">Åkesson Bygg AB</a>"));
	assert_non_null(strstr(html,
	    "Örn &amp; &lt;Söner&gt; &quot;HB&quot;"));
	assert_null(strstr(html, "<Söner>"));
	assert_non_null(strstr(html, ">1 234,50 kr<"));
	assert_non_null(strstr(html, ">3<"));
	g_free(text);
	g_free(html);
	g_object_unref(msg);
	free(m);
}

/*
 * A digest client's alerts, the new ones marked, and its month, in each
 * part; an alert the worker does not know is refused.
 */
static void
test_digest_alerts_and_month(void **state)
{
	GMimeMessage	*msg;
	cJSON		*d, *c, *a, *month;
	char		*m, *text, *html;
	size_t		 len;

	(void)state;
	d = digest_json("sv");
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "clients"), 0);
	a = cJSON_AddArrayToObject(c, "alerts");
	cJSON_AddItemToArray(a, cJSON_CreateString("low_balance"));
	cJSON_AddItemToArray(a, cJSON_CreateString("old_missing_receipts"));
	a = cJSON_AddArrayToObject(c, "new_alerts");
	cJSON_AddItemToArray(a, cJSON_CreateString("low_balance"));
	month = cJSON_AddObjectToObject(c, "month");
	cJSON_AddNumberToObject(month, "exported", 2);
	cJSON_AddNumberToObject(month, "ready", 1);
	cJSON_AddNumberToObject(month, "pending", 0);
	cJSON_AddNumberToObject(month, "missing_receipts", 1);
	m = render(d, &len);
	assert_non_null(m);
	msg = parse(m, len);
	text = part_text(msg, 0, "plain");
	assert_non_null(strstr(text, "Behöver åtgärdas: Lågt saldo (nytt), "
	    "Gamla saknade kvitton\n"));
	assert_non_null(strstr(text, "Denna månad: 2 exporterade, 1 klara, "
	    "0 väntande\n"));
	html = part_text(msg, 1, "html");
	assert_non_null(strstr(html, "Lågt saldo (nytt), Gamla saknade "
	    "kvitton"));
	/* The second client has neither: no such rows. */
	assert_null(strstr(strstr(text, "Behöver åtgärdas") + 1,
	    "Behöver åtgärdas"));
	g_free(text);
	g_free(html);
	g_object_unref(msg);
	free(m);

	d = digest_json("en");
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "clients"), 1);
	a = cJSON_AddArrayToObject(c, "alerts");
	cJSON_AddItemToArray(a, cJSON_CreateString("sad_balance"));
	assert_null(render(d, &len));
}

static void
test_digest_english(void **state)
{
	GMimeMessage	*msg;
	char		*m, *block, *text;
	size_t		 len;

	(void)state;
	m = render(digest_json("fi"), &len);	/* unknown: English */
	assert_non_null(m);
	block = header_block(m);
	assert_subject(block, "2 clients with open tasks \xe2\x80\x94 "
	    "week 14");
	msg = parse(m, len);
	text = part_text(msg, 0, "plain");
	assert_non_null(strstr(text, "Hello Bo,"));
	assert_non_null(strstr(text, "Balance: SEK 1,234.50\n"));
	assert_non_null(strstr(text, "Missing receipts: 3\n"));
	g_free(text);
	g_object_unref(msg);
	free(block);
	free(m);
}

static void
test_digest_danish_norwegian(void **state)
{
	cJSON	*doc;
	char	*m, *block;
	size_t	 len;

	(void)state;
	doc = digest_json("da");
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "frequency",
	    cJSON_CreateString("monthly"));
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "period",
	    cJSON_CreateString("2026-04"));
	m = render(doc, &len);
	assert_non_null(m);
	block = header_block(m);
	assert_subject(block, "2 kunder med åbne opgaver \xe2\x80\x94 "
	    "april 2026");
	free(block);
	free(m);

	doc = digest_json("nb");
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "frequency",
	    cJSON_CreateString("daily"));
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "period",
	    cJSON_CreateString("2026-03-30"));
	m = render(doc, &len);
	assert_non_null(m);
	block = header_block(m);
	assert_subject(block, "2 kunder med åpne oppgaver \xe2\x80\x94 "
	    "30. mars 2026");
	free(block);
	free(m);
}

/* A period in a form the worker does not write is shown as it is. */
static void
test_digest_unknown_period(void **state)
{
	cJSON	*doc;
	char	*m, *block;
	size_t	 len;

	(void)state;
	doc = digest_json("sv");
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "period",
	    cJSON_CreateString("Q2\r\nBcc: x@y.example"));
	m = render(doc, &len);
	assert_non_null(m);
	block = header_block(m);
	assert_subject(block, "2 kunder med utestående uppgifter "
	    "\xe2\x80\x94 Q2  Bcc: x@y.example");
	assert_null(strstr(block, "\r\nBcc:"));
	free(block);
	free(m);
}

/* CR and LF in names never end a header line or start another. */
static void
test_header_injection(void **state)
{
	GMimeMessage	*msg;
	cJSON		*doc, *clients;
	char		*m, *block, *v;
	size_t		 len;

	(void)state;
	doc = digest_json("sv");
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "to",
	    person_json("bo@firm.example", "Bo\r\nBcc: evil@attacker.example"));
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "firm",
	    cJSON_CreateString("Firm\r\nX-Injected: 1\nX-Other: 2\r"));
	clients = cJSON_GetObjectItemCaseSensitive(doc, "clients");
	cJSON_ReplaceItemInArray(clients, 0, client_json(1,
	    "Kund\r\n\r\n<b>body</b>", 1, 1, 1));
	m = render(doc, &len);
	assert_non_null(m);
	assert_crlf(m, len);
	block = header_block(m);
	assert_null(strstr(block, "\r\nBcc:"));
	assert_null(strstr(block, "\r\nX-Injected:"));
	assert_null(strstr(block, "\r\nX-Other:"));
	assert_null(strstr(block, "\nX-"));
	msg = parse(m, len);
	assert_null(g_mime_object_get_header(GMIME_OBJECT(msg), "Bcc"));
	assert_null(g_mime_object_get_header(GMIME_OBJECT(msg), "X-Injected"));
	assert_int_equal(internet_address_list_length(
	    g_mime_message_get_bcc(msg)), 0);
	assert_int_equal(internet_address_list_length(
	    g_mime_message_get_to(msg)), 1);
	v = header_value(block, "Subject");
	assert_non_null(v);
	free(v);
	assert_string_equal(g_mime_message_get_subject(msg),
	    "2 kunder med utestående uppgifter \xe2\x80\x94 vecka 14");
	/* The firm, in From now, is cleaned the same way. */
	assert_string_equal(internet_address_get_name(
	    internet_address_list_get_address(g_mime_message_get_from(msg),
	    0)), "Firm  X-Injected: 1 X-Other: 2");
	g_object_unref(msg);
	free(block);
	free(m);
}

/* The notice to an admin that a webhook endpoint was disabled. */
static cJSON *
webhook_json(const char *locale, const char *url)
{
	cJSON	*d = cJSON_CreateObject();

	cJSON_AddStringToObject(d, "kind", "webhook_disabled");
	cJSON_AddStringToObject(d, "locale", locale);
	cJSON_AddItemToObject(d, "to", person_json("anna@firm.example",
	    "Anna Admin"));
	cJSON_AddStringToObject(d, "firm", "Nordisk Redovisning AB");
	cJSON_AddStringToObject(d, "url", url);
	return d;
}

static void
test_webhook_disabled(void **state)
{
	static const char *const subjects[][2] = {
		{ "sv", "En webhook-mottagare har stängts av" },
		{ "da", "En webhook-modtager er slået fra" },
		{ "nb", "En webhook-mottaker er slått av" },
	};
	GMimeMessage	*msg;
	char		*m, *text, *html, *block, *raw;
	size_t		 len, i;

	(void)state;
	for (i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
		m = render(webhook_json(subjects[i][0],
		    "https://hooks.example.com/p?a=1&b=<2>"), &len);
		assert_non_null(m);
		assert_crlf(m, len);
		block = header_block(m);
		assert_subject(block, subjects[i][1]);
		assert_null(strstr(block, "List-Unsubscribe"));
		free(block);
		msg = parse(m, len);
		text = part_text(msg, 0, "plain");
		assert_non_null(strstr(text,
		    "https://hooks.example.com/p?a=1&b=<2>"));
		assert_non_null(strstr(text, "Nordisk Redovisning AB"));
		html = part_text(msg, 1, "html");
		/* Named, escaped, and never a link: it failed for days. */
		assert_non_null(strstr(html,
		    "https://hooks.example.com/p?a=1&amp;b=&lt;2&gt;"));
		assert_null(strstr(html, "<a href=\"https://hooks"));
		g_free(text);
		g_free(html);
		g_object_unref(msg);
		free(m);
	}
	/* In English the subject is ASCII, with no encoded-word. */
	m = render(webhook_json("en", "https://hooks.example.com/p"), &len);
	assert_non_null(m);
	block = header_block(m);
	raw = header_value(block, "Subject");
	assert_string_equal(raw, "A webhook endpoint was disabled");
	free(raw);
	free(block);
	free(m);
	refused(webhook_json("sv", ""));
}

static void
test_reminder(void **state)
{
	GMimeMessage	*msg;
	char		*m, *block, *text, *html;
	size_t		 len;

	(void)state;
	m = render(reminder_json("sv"), &len);
	assert_non_null(m);
	assert_crlf(m, len);
	block = header_block(m);
	assert_subject(block, "Påminnelse: Åkesson Bygg AB");
	assert_null(strstr(block, "List-Unsubscribe"));
	assert_non_null(strstr(block, "\r\nMessage-ID: <" MSGID ">\r\n"));
	assert_non_null(strstr(block,
	    "\r\nReply-To: Anna Admin <anna@firm.example>\r\n"));
	/* The comment's "Bcc:" line stays in the body. */
	assert_null(strstr(block, "\r\nBcc:"));

	msg = parse(m, len);
	assert_null(g_mime_object_get_header(GMIME_OBJECT(msg),
	    "List-Unsubscribe"));
	assert_null(g_mime_object_get_header(GMIME_OBJECT(msg),
	    "List-Unsubscribe-Post"));
	assert_int_equal(internet_address_list_length(
	    g_mime_message_get_bcc(msg)), 0);

	text = part_text(msg, 0, "plain");
	assert_non_null(strstr(text, "Anna Admin (anna@firm.example) på "
	    "Nordisk Redovisning AB ber dig se över kunden Åkesson Bygg AB:"));
	/* Only the ticked tasks, with their current figures. */
	assert_non_null(strstr(text, "Saknade kvitton: 3\n"));
	assert_non_null(strstr(text, "Saldo: 1 234,50 kr\n"));
	assert_null(strstr(text, "Klara för export"));
	/* The comment keeps its lines, CRLF and LF alike. */
	assert_non_null(strstr(text, "Kommentar från Anna Admin:\nHej!\n"
	    "Kolla <script>alert(1)</script> & svara.\n"
	    "Bcc: evil@attacker.example\n.\nTack\n"));
	assert_non_null(strstr(text, APP "7\n"));

	html = part_text(msg, 1, "html");
	assert_null(strstr(html, "<script>"));
	assert_non_null(strstr(html, "Hej!<br>\nKolla &lt;script&gt;alert(1)"
	    "&lt;/script&gt; &amp; svara.<br>\nBcc: evil@attacker.example<br>\n"
	    ".<br>\nTack"));
	assert_non_null(strstr(html, "<a href=\"" APP "7\">"));
	assert_null(strstr(html, "Klara för export"));
	g_free(text);
	g_free(html);
	g_object_unref(msg);
	free(block);
	free(m);
}

/*
 * Headers for filters and responders: every email is marked
 * auto-generated, a digest is bulk, and each firm's kind of email is a
 * list of its own; a payload queued before it named the firm has none.
 */
static void
test_list_headers(void **state)
{
	static const struct {
		const char	*kind;
		const char	*list_id;
		int		 bulk;
	} kinds[] = {
		{ "digest", "<digests.firm-42.portal.example>", 1 },
		{ "reminder", "<reminders.firm-42.portal.example>", 0 },
		{ "webhook_disabled",
		    "<webhook-alerts.firm-42.portal.example>", 0 },
	};
	cJSON	*doc;
	char	*m, *block, *v;
	size_t	 len, i;

	(void)state;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		doc = i == 0 ? digest_json("sv") : i == 1 ?
		    reminder_json("sv") : webhook_json("sv",
		    "https://hooks.example.com/p");
		cJSON_AddNumberToObject(doc, "firm_id", 42);
		m = render(doc, &len);
		assert_non_null(m);
		block = header_block(m);
		v = header_value(block, "List-Id");
		assert_string_equal(v, kinds[i].list_id);
		free(v);
		v = header_value(block, "Auto-Submitted");
		assert_string_equal(v, "auto-generated");
		free(v);
		if (kinds[i].bulk) {
			v = header_value(block, "Precedence");
			assert_string_equal(v, "bulk");
			free(v);
		} else
			assert_null(strstr(block, "\r\nPrecedence:"));
		free(block);
		free(m);
	}
	m = render(reminder_json("sv"), &len);
	assert_non_null(m);
	block = header_block(m);
	assert_null(strstr(block, "\r\nList-Id:"));
	v = header_value(block, "Auto-Submitted");
	assert_string_equal(v, "auto-generated");
	free(v);
	free(block);
	free(m);
	/* A firm id that is no id is a malformed payload. */
	doc = reminder_json("sv");
	cJSON_AddStringToObject(doc, "firm_id", "42");
	refused(doc);
}

#define MANAGE	"https://app.example/settings/notifications?a=1&b=2"

/* The text and HTML parts of a rendered payload (doc deleted here). */
static void
render_parts(cJSON *doc, char **text, char **html)
{
	GMimeMessage	*msg;
	char		*m;
	size_t		 len;

	m = render(doc, &len);
	assert_non_null(m);
	msg = parse(m, len);
	*text = part_text(msg, 0, "plain");
	*html = part_text(msg, 1, "html");
	g_object_unref(msg);
	free(m);
}

/*
 * A digest's first line says what needs doing, one sentence a kind of
 * task, counted over its clients, in one or several; then a table with a
 * header row and a row a client, its name linking to it.
 */
static void
test_digest_summary(void **state)
{
	cJSON	*doc, *clients, *c;
	char	*text, *html;

	(void)state;
	render_parts(digest_json("sv"), &text, &html);
	/* Clients 3 and 0 missing, 2 and 12 ready, no alert. */
	assert_non_null(strstr(text, "Hej Bo,\n\n1 kund har 3 saknade kvitton. "
	    "14 utgifter är klara för export.\n\n"));
	assert_non_null(strstr(html, ">1 kund har 3 saknade kvitton. 14 "
	    "utgifter är klara för export.</p>"));
	assert_non_null(strstr(html, "<th style="));
	assert_non_null(strstr(html, "<a href=\"" APP "1\">Åkesson Bygg "
	    "AB</a>"));
	assert_non_null(strstr(html, "Örn &amp; &lt;Söner&gt; &quot;HB&quot;"));
	assert_true(strstr(html, "Åkesson") < strstr(html, "Örn &amp;"));
	g_free(text);
	g_free(html);

	doc = digest_json("en");
	clients = cJSON_GetObjectItem(doc, "clients");
	c = client_json(3, "Third Ltd", 0, 1, 0);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(c, "alerts"),
	    cJSON_CreateString("low_balance"));
	cJSON_AddItemToArray(clients, c);
	render_parts(doc, &text, &html);
	assert_non_null(strstr(text, "2 clients have 4 missing receipts. "
	    "14 expenses are ready for export. 1 client needs attention."));
	assert_non_null(strstr(text, "Third Ltd\n  Missing receipts: 1\n"
	    "  Ready for export: 0\n  Balance: SEK 0.00\n"
	    "  Needs attention: Low balance\n"));
	g_free(text);
	g_free(html);
}

/*
 * Under a digest's footer, in both parts: the notification settings and
 * the unsubscribe link of its List-Unsubscribe; under a reminder's, the
 * settings alone. A payload without manage_url (queued before it had
 * one) still renders; one with a bad URL is refused.
 */
static void
test_footer_links(void **state)
{
	cJSON	*doc;
	char	*text, *html, *want;

	(void)state;
	doc = digest_json("sv");
	cJSON_AddStringToObject(doc, "manage_url", MANAGE);
	render_parts(doc, &text, &html);
	assert_non_null(strstr(text, "\n-- \n"));
	assert_non_null(strstr(strstr(text, "\n-- \n"),
	    "Hantera aviseringar: " MANAGE "\n"));
	assert_true(asprintf(&want, "Avsluta prenumerationen: %s\n",
	    long_url()) > 0);
	assert_non_null(strstr(text, want));
	free(want);
	assert_non_null(strstr(html, "<a href=\"https://app.example/settings/"
	    "notifications?a=1&amp;b=2\" style=\"color: #666666;\">"
	    "Hantera aviseringar</a>"));
	assert_true(asprintf(&want, "<a href=\"%s\" style=\"color: "
	    "#666666;\">Avsluta prenumerationen</a>", long_url()) > 0);
	assert_non_null(strstr(html, want));
	free(want);
	g_free(text);
	g_free(html);

	render_parts(digest_json("en"), &text, &html);
	assert_null(strstr(text, "Manage notifications"));
	assert_non_null(strstr(text, "Unsubscribe: "));
	assert_non_null(strstr(html, ">Unsubscribe</a>"));
	g_free(text);
	g_free(html);

	doc = reminder_json("en");
	cJSON_AddStringToObject(doc, "manage_url", MANAGE);
	render_parts(doc, &text, &html);
	assert_non_null(strstr(text, "Manage notifications: " MANAGE "\n"));
	assert_null(strstr(text, "Unsubscribe"));
	assert_non_null(strstr(html, ">Manage notifications</a>"));
	assert_null(strstr(html, "Unsubscribe"));
	g_free(text);
	g_free(html);

	doc = reminder_json("da");
	cJSON_AddStringToObject(doc, "manage_url", "javascript:alert(1)");
	refused(doc);
	doc = digest_json("nb");
	cJSON_AddStringToObject(doc, "manage_url", "https://a.example/\"x");
	refused(doc);
}

static void
test_reminder_no_comment(void **state)
{
	GMimeMessage	*msg;
	cJSON		*doc, *tasks;
	char		*m, *text;
	size_t		 len;

	(void)state;
	doc = reminder_json("en");
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "comment",
	    cJSON_CreateNull());
	tasks = cJSON_CreateArray();
	cJSON_AddItemToArray(tasks, cJSON_CreateString("export_ready"));
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "tasks", tasks);
	m = render(doc, &len);
	assert_non_null(m);
	msg = parse(m, len);
	assert_string_equal(g_mime_message_get_subject(msg),
	    "Reminder: Åkesson Bygg AB");
	text = part_text(msg, 0, "plain");
	assert_null(strstr(text, "Comment from"));
	assert_non_null(strstr(text, "Ready for export: 2\n"));
	assert_null(strstr(text, "Balance"));
	assert_null(strstr(text, "Missing receipts"));
	g_free(text);
	g_object_unref(msg);
	free(m);

	doc = reminder_json("sv");
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "comment");
	m = render(doc, &len);
	assert_non_null(m);
	free(m);
}

static void
test_message_id_forms(void **state)
{
	char	*m;
	size_t	 len;

	(void)state;
	m = render_id(reminder_json("sv"), "<abc.1@host.example>", &len);
	assert_non_null(m);
	assert_non_null(strstr(m, "\r\nMessage-ID: <abc.1@host.example>\r\n"));
	free(m);
	/* Without a domain it takes the sender's. */
	m = render_id(reminder_json("sv"), "outbox-9", &len);
	assert_non_null(m);
	assert_non_null(strstr(m,
	    "\r\nMessage-ID: <outbox-9@portal.example>\r\n"));
	free(m);
	assert_null(render_id(reminder_json("sv"), "<>", &len));
	assert_null(render_id(reminder_json("sv"), "", &len));
	assert_null(render_id(reminder_json("sv"), "a b@c", &len));
	assert_null(render_id(reminder_json("sv"), "a\r\nX: y@c", &len));
}

/*
 * Long names without spaces (GMime alone makes encoded-words of 120
 * characters of them) fold into short encoded-words, lines under 998.
 */
static void
test_long_words(void **state)
{
	GMimeMessage	*msg;
	InternetAddress	*ia;
	cJSON		*doc;
	char		 name[401], *m, *block, *want, *v;
	size_t		 len, i;

	(void)state;
	for (i = 0; i < 300; i += 2)
		memcpy(name + i, "ö", 2);
	/* A three-byte character too, wherever the cuts fall. */
	memcpy(name + i, "€x", 5);
	doc = reminder_json("sv");
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "client", client_json(7,
	    name, 1, 1, 1));
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "to",
	    person_json("bo@firm.example", name));
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "sender",
	    person_json("anna@firm.example", name));
	m = render(doc, &len);
	assert_non_null(m);
	assert_crlf(m, len);
	block = header_block(m);
	assert_true(asprintf(&want, "Påminnelse: %s", name) > 0);
	assert_subject(block, want);
	free(want);
	v = header_value(block, "To");
	assert_non_null(v);
	assert_encoded_words_short(v);
	free(v);
	v = header_value(block, "Reply-To");
	assert_non_null(v);
	assert_encoded_words_short(v);
	free(v);
	msg = parse(m, len);
	ia = internet_address_list_get_address(g_mime_message_get_to(msg), 0);
	assert_string_equal(internet_address_get_name(ia), name);
	assert_string_equal(internet_address_mailbox_get_addr(
	    INTERNET_ADDRESS_MAILBOX(ia)), "bo@firm.example");
	ia = internet_address_list_get_address(
	    g_mime_message_get_reply_to(msg), 0);
	assert_string_equal(internet_address_get_name(ia), name);
	g_object_unref(msg);
	free(block);
	free(m);
}

/* --- digest subjects and sender ---------------------------------------- */

/*
 * A digest of locale, frequency and period from firm, holding the n
 * clients named, each with open tasks when open[i] is set.
 */
static cJSON *
digest_of(const char *locale, const char *frequency, const char *period,
    const char *firm, size_t n, const char *const *names, const int *open)
{
	cJSON	*doc = digest_json(locale), *clients;
	size_t	 i;

	cJSON_ReplaceItemInObjectCaseSensitive(doc, "frequency",
	    cJSON_CreateString(frequency));
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "period",
	    cJSON_CreateString(period));
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "firm",
	    cJSON_CreateString(firm));
	clients = cJSON_CreateArray();
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(clients, client_json((int)i + 1, names[i],
		    1000, open[i] ? 2 : 0, open[i] ? 1 : 0));
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "clients", clients);
	return doc;
}

/* The digest renders; its Subject decodes to want, in short words. */
static void
subject_is(cJSON *doc, const char *want)
{
	char	*m, *block;
	size_t	 len;

	m = render(doc, &len);
	assert_non_null(m);
	assert_crlf(m, len);
	block = header_block(m);
	assert_subject(block, want);
	free(block);
	free(m);
}

static const char *const one_name[] = { "Ödmjuk Åkeri AB" };
static const int one_open[] = { 1 };
static const char *const three_names[] = {
	"Ödmjuk Åkeri AB", "Bergs Bageri", "Cederlund & Dotter"
};
static const int three_open[] = { 1, 1, 1 };

/* One client: the subject names it, in each language and frequency. */
static void
test_digest_subject_names_its_one_client(void **state)
{
	(void)state;
	subject_is(digest_of("sv", "weekly", "2026-W50", "Nordisk AB", 1,
	    one_name, one_open),
	    "Veckosammanfattning: Ödmjuk Åkeri AB \xe2\x80\x94 vecka 50");
	subject_is(digest_of("sv", "daily", "2026-12-08", "Nordisk AB", 1,
	    one_name, one_open),
	    "Daglig sammanfattning: Ödmjuk Åkeri AB \xe2\x80\x94 "
	    "8 december 2026");
	subject_is(digest_of("sv", "monthly", "2026-12", "Nordisk AB", 1,
	    one_name, one_open),
	    "Månadssammanfattning: Ödmjuk Åkeri AB \xe2\x80\x94 "
	    "december 2026");
	subject_is(digest_of("en", "weekly", "2026-W50", "Nordisk AB", 1,
	    one_name, one_open),
	    "Weekly summary: Ödmjuk Åkeri AB \xe2\x80\x94 week 50");
	subject_is(digest_of("en", "daily", "2026-12-08", "Nordisk AB", 1,
	    one_name, one_open),
	    "Daily summary: Ödmjuk Åkeri AB \xe2\x80\x94 8 December 2026");
	subject_is(digest_of("en", "monthly", "2026-12", "Nordisk AB", 1,
	    one_name, one_open),
	    "Monthly summary: Ödmjuk Åkeri AB \xe2\x80\x94 December 2026");
	subject_is(digest_of("da", "weekly", "2026-W01", "Nordisk AB", 1,
	    one_name, one_open),
	    "Ugeoversigt: Ödmjuk Åkeri AB \xe2\x80\x94 uge 1");
	subject_is(digest_of("nb", "weekly", "2026-W53", "Nordisk AB", 1,
	    one_name, one_open),
	    "Ukeoversikt: Ödmjuk Åkeri AB \xe2\x80\x94 uke 53");
}

/* Several clients with open tasks: the subject counts them. */
static void
test_digest_subject_counts_its_clients(void **state)
{
	(void)state;
	subject_is(digest_of("sv", "weekly", "2026-W50", "Nordisk AB", 3,
	    three_names, three_open),
	    "3 kunder med utestående uppgifter \xe2\x80\x94 vecka 50");
	subject_is(digest_of("en", "weekly", "2026-W50", "Nordisk AB", 3,
	    three_names, three_open),
	    "3 clients with open tasks \xe2\x80\x94 week 50");
	subject_is(digest_of("en", "daily", "2026-12-08", "Nordisk AB", 3,
	    three_names, three_open),
	    "3 clients with open tasks \xe2\x80\x94 8 December 2026");
	subject_is(digest_of("sv", "monthly", "2026-12", "Nordisk AB", 3,
	    three_names, three_open),
	    "3 kunder med utestående uppgifter \xe2\x80\x94 december 2026");
	subject_is(digest_of("da", "weekly", "2026-W50", "Nordisk AB", 3,
	    three_names, three_open),
	    "3 kunder med åbne opgaver \xe2\x80\x94 uge 50");
	subject_is(digest_of("nb", "weekly", "2026-W50", "Nordisk AB", 3,
	    three_names, three_open),
	    "3 kunder med åpne oppgaver \xe2\x80\x94 uke 50");
}

/*
 * The subject counts the clients with open tasks, not those listed with
 * nothing to do; the one with open tasks among quiet ones is named. A
 * digest with none open (the worker writes none such) counts them all.
 */
static void
test_digest_subject_counts_open_clients(void **state)
{
	static const int one_of_three[] = { 0, 1, 0 };
	static const int two_of_three[] = { 1, 0, 1 };
	static const int none[] = { 0, 0, 0 };

	(void)state;
	subject_is(digest_of("sv", "weekly", "2026-W50", "Nordisk AB", 3,
	    three_names, one_of_three),
	    "Veckosammanfattning: Bergs Bageri \xe2\x80\x94 vecka 50");
	subject_is(digest_of("en", "weekly", "2026-W50", "Nordisk AB", 3,
	    three_names, two_of_three),
	    "2 clients with open tasks \xe2\x80\x94 week 50");
	subject_is(digest_of("en", "weekly", "2026-W50", "Nordisk AB", 3,
	    three_names, none),
	    "3 clients with open tasks \xe2\x80\x94 week 50");
	subject_is(digest_of("en", "weekly", "2026-W50", "Nordisk AB", 1,
	    three_names, none),
	    "Weekly summary: Ödmjuk Åkeri AB \xe2\x80\x94 week 50");
}

/*
 * A client's name in the subject: controls become spaces, and a long one
 * folds into encoded-words of at most 75 characters, never cutting a
 * character.
 */
static void
test_digest_subject_client_name_is_clean(void **state)
{
	const char	*names[1];
	char		 name[401], *want;
	size_t		 i;

	(void)state;
	names[0] = "Kund\r\nBcc: evil@attacker.example";
	subject_is(digest_of("sv", "weekly", "2026-W50", "Nordisk AB", 1,
	    names, one_open),
	    "Veckosammanfattning: Kund  Bcc: evil@attacker.example "
	    "\xe2\x80\x94 vecka 50");
	for (i = 0; i < 300; i += 2)
		memcpy(name + i, "å", 2);
	memcpy(name + i, "€ =?x?= \"q\"", 14);
	names[0] = name;
	assert_true(asprintf(&want, "Weekly summary: %s \xe2\x80\x94 week 50",
	    name) > 0);
	subject_is(digest_of("en", "weekly", "2026-W50", "Nordisk AB", 1,
	    names, one_open), want);
	free(want);
}

/* The display name of From, parsed back, and its raw value. */
static void
from_is(cJSON *doc, const char *want_name, const char *want_raw)
{
	GMimeMessage	*msg;
	InternetAddress	*ia;
	char		*m, *block, *v;
	const char	*p;
	size_t		 len;

	m = render(doc, &len);
	assert_non_null(m);
	assert_crlf(m, len);
	block = header_block(m);
	v = header_value(block, "From");
	assert_non_null(v);
	/* Printable ASCII; GMime folds with a tab. */
	for (p = v; *p != '\0'; p++)
		assert_true(*p == '\t' || ((unsigned char)*p >= 0x20 &&
		    (unsigned char)*p < 0x7f));
	assert_encoded_words_short(v);
	if (want_raw != NULL)
		assert_string_equal(v, want_raw);
	msg = parse(m, len);
	assert_int_equal(internet_address_list_length(
	    g_mime_message_get_from(msg)), 1);
	ia = internet_address_list_get_address(g_mime_message_get_from(msg),
	    0);
	assert_string_equal(internet_address_get_name(ia), want_name);
	assert_string_equal(internet_address_mailbox_get_addr(
	    INTERNET_ADDRESS_MAILBOX(ia)), FROM);
	assert_null(strstr(block, "\r\nX-"));
	g_object_unref(msg);
	free(v);
	free(block);
	free(m);
}

/*
 * A digest comes from the firm: its name is From's display name, encoded
 * when not ASCII, quoted for specials, controls made spaces, in short
 * encoded-words when long; a reminder still comes from the portal.
 */
static void
test_digest_from_is_the_firm(void **state)
{
	char	 firm[501];
	size_t	 i;

	(void)state;
	from_is(digest_of("sv", "weekly", "2026-W50", "Ödmjuk Åkeri AB", 1,
	    one_name, one_open), "Ödmjuk Åkeri AB",
	    "=?UTF-8?Q?=C3=96dmjuk_=C3=85keri_AB?= <" FROM ">");
	from_is(digest_of("en", "weekly", "2026-W50", "Plain Books Ltd", 1,
	    one_name, one_open), "Plain Books Ltd",
	    "Plain Books Ltd <" FROM ">");
	from_is(digest_of("en", "weekly", "2026-W50", "Hart, Lowe & Co. "
	    "(Nordic) <x@y>", 1, one_name, one_open),
	    "Hart, Lowe & Co. (Nordic) <x@y>", NULL);
	from_is(digest_of("en", "weekly", "2026-W50", "The \"Best\" \\ "
	    "Books; =?utf-8?q?x?=", 1, one_name, one_open),
	    "The \"Best\" \\ Books; =?utf-8?q?x?=", NULL);
	from_is(digest_of("en", "weekly", "2026-W50",
	    "Firm\r\nBcc: evil@attacker.example\r\nX-Injected: 1", 1,
	    one_name, one_open),
	    "Firm  Bcc: evil@attacker.example  X-Injected: 1", NULL);
	for (i = 0; i < 450; i += 3)
		memcpy(firm + i, "\xe2\x82\xac", 3);	/* euro signs */
	firm[i] = '\0';
	from_is(digest_of("en", "weekly", "2026-W50", firm, 1, one_name,
	    one_open), firm, NULL);
	/* Nothing but controls: the portal's name rather than none. */
	from_is(digest_of("en", "weekly", "2026-W50", "\r\n", 1, one_name,
	    one_open), "Partner Portal", "Partner Portal <" FROM ">");
	from_is(reminder_json("sv"), "Partner Portal",
	    "Partner Portal <" FROM ">");
}

/* An ordinary subject keeps GMime's own encoding, short words and all. */
static void
test_subject_words(void **state)
{
	cJSON	*doc;
	char	*m, *block, *v;
	size_t	 len;

	(void)state;
	doc = reminder_json("sv");
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "client", client_json(7,
	    "Fastighetsförvaltningsaktiebolaget Älvsjö Öresund Åre", 1, 1,
	    1));
	m = render(doc, &len);
	assert_non_null(m);
	block = header_block(m);
	assert_subject(block, "Påminnelse: Fastighetsförvaltningsaktiebolaget "
	    "Älvsjö Öresund Åre");
	v = header_value(block, "To");
	/* A name that is not plain ASCII goes out in our own Q words. */
	assert_string_equal(v, "=?UTF-8?Q?Bo_Bokf=C3=B6raren?= "
	    "<bo@firm.example>");
	free(v);
	free(block);
	free(m);
}

static void
test_url_limits(void **state)
{
	char	 url[MAIL_URL_MAX + 2];
	cJSON	*doc;
	char	*m;
	size_t	 len;

	(void)state;
	memset(url, 'a', sizeof(url) - 1);
	url[sizeof(url) - 1] = '\0';
	memcpy(url, "https://x.example/", 18);
	url[MAIL_URL_MAX] = '\0';		/* exactly the maximum */
	doc = digest_json("sv");
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "unsubscribe_url",
	    cJSON_CreateString(url));
	m = render(doc, &len);
	assert_non_null(m);
	assert_crlf(m, len);
	free(m);
	url[MAIL_URL_MAX] = 'a';		/* one more */
	doc = digest_json("sv");
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "unsubscribe_url",
	    cJSON_CreateString(url));
	refused(doc);
}

/* Replaces key in the object at path ("" for the root) and expects -1. */
static void
refused_with(cJSON *doc, const char *obj, const char *key, cJSON *value)
{
	cJSON	*o = doc;

	if (obj[0] != '\0') {
		o = cJSON_GetObjectItemCaseSensitive(doc, obj);
		if (cJSON_IsArray(o))
			o = cJSON_GetArrayItem(o, 0);
	}
	assert_non_null(o);
	if (value == NULL)
		cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	else if (cJSON_GetObjectItemCaseSensitive(o, key) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(o, key, value);
	else
		cJSON_AddItemToObject(o, key, value);
	refused(doc);
}

static void
test_malformed_digest(void **state)
{
	(void)state;
	refused_with(digest_json("sv"), "", "kind", cJSON_CreateString("x"));
	refused_with(digest_json("sv"), "", "kind", NULL);
	refused_with(digest_json("sv"), "", "locale", cJSON_CreateNumber(1));
	refused_with(digest_json("sv"), "", "to", NULL);
	refused_with(digest_json("sv"), "", "to", cJSON_CreateString("a@b.c"));
	refused_with(digest_json("sv"), "to", "email",
	    cJSON_CreateString("not an address"));
	refused_with(digest_json("sv"), "to", "email",
	    cJSON_CreateString("a@b.c>\r\nRCPT TO:<x@y.z"));
	refused_with(digest_json("sv"), "to", "name", NULL);
	refused_with(digest_json("sv"), "", "firm", cJSON_CreateString(""));
	refused_with(digest_json("sv"), "", "frequency",
	    cJSON_CreateString("hourly"));
	refused_with(digest_json("sv"), "", "period", NULL);
	refused_with(digest_json("sv"), "", "unsubscribe_url", NULL);
	refused_with(digest_json("sv"), "", "unsubscribe_url",
	    cJSON_CreateString("javascript:alert(1)"));
	refused_with(digest_json("sv"), "", "unsubscribe_url",
	    cJSON_CreateString("https://x.example/a b"));
	refused_with(digest_json("sv"), "", "unsubscribe_url",
	    cJSON_CreateString("https://x.example/\r\nBcc: x@y.z"));
	refused_with(digest_json("sv"), "", "clients", cJSON_CreateArray());
	refused_with(digest_json("sv"), "", "clients", cJSON_CreateObject());
	refused_with(digest_json("sv"), "clients", "balance_minor", NULL);
	refused_with(digest_json("sv"), "clients", "balance_minor",
	    cJSON_CreateString("1234"));
	refused_with(digest_json("sv"), "clients", "balance_minor",
	    cJSON_CreateNumber(12.5));
	refused_with(digest_json("sv"), "clients", "balance_minor",
	    cJSON_CreateNumber(1e300));
	refused_with(digest_json("sv"), "clients", "missing_receipts",
	    cJSON_CreateNumber(-1));
	refused_with(digest_json("sv"), "clients", "export_ready",
	    cJSON_CreateTrue());
	refused_with(digest_json("sv"), "clients", "currency",
	    cJSON_CreateString("sek"));
	refused_with(digest_json("sv"), "clients", "id", cJSON_CreateNumber(0));
	refused_with(digest_json("sv"), "clients", "name",
	    cJSON_CreateString(""));
	refused_with(digest_json("sv"), "clients", "url",
	    cJSON_CreateString("javascript:alert(1)"));
	refused_with(digest_json("sv"), "clients", "url",
	    cJSON_CreateString("http://x.example/\"onmouseover=\"x"));
}

static void
test_malformed_reminder(void **state)
{
	cJSON	*tasks;

	(void)state;
	refused_with(reminder_json("sv"), "", "sender", NULL);
	refused_with(reminder_json("sv"), "sender", "email",
	    cJSON_CreateString("anna"));
	refused_with(reminder_json("sv"), "", "client", NULL);
	refused_with(reminder_json("sv"), "client", "url", NULL);
	refused_with(reminder_json("sv"), "", "tasks", NULL);
	refused_with(reminder_json("sv"), "", "tasks", cJSON_CreateArray());
	refused_with(reminder_json("sv"), "", "tasks",
	    cJSON_CreateString("balance"));
	tasks = cJSON_CreateArray();
	cJSON_AddItemToArray(tasks, cJSON_CreateString("vat"));
	refused_with(reminder_json("sv"), "", "tasks", tasks);
	tasks = cJSON_CreateArray();
	cJSON_AddItemToArray(tasks, cJSON_CreateString("balance"));
	cJSON_AddItemToArray(tasks, cJSON_CreateString("balance"));
	refused_with(reminder_json("sv"), "", "tasks", tasks);
	tasks = cJSON_CreateArray();
	cJSON_AddItemToArray(tasks, cJSON_CreateNumber(1));
	refused_with(reminder_json("sv"), "", "tasks", tasks);
	refused_with(reminder_json("sv"), "", "comment", cJSON_CreateNumber(1));
}

static void
test_malformed_arguments(void **state)
{
	char	*out = (char *)&out;
	size_t	 len = 7;
	char	*payload;
	cJSON	*doc = reminder_json("sv");

	(void)state;
	payload = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	assert_int_equal(mail_render("not json", MSGID, FROM, DATE, &out,
	    &len), -1);
	assert_null(out);
	assert_int_equal(len, 0);
	assert_int_equal(mail_render("[]", MSGID, FROM, DATE, &out, &len), -1);
	assert_int_equal(mail_render("{\"kind\":\"reminder\"} x", MSGID, FROM,
	    DATE, &out, &len), -1);
	assert_int_equal(mail_render(NULL, MSGID, FROM, DATE, &out, &len), -1);
	assert_int_equal(mail_render(payload, MSGID, "portal", DATE, &out,
	    &len), -1);
	assert_int_equal(mail_render(payload, MSGID, "a@b\r\nBcc: c@d", DATE,
	    &out, &len), -1);
	assert_int_equal(mail_render(payload, NULL, FROM, DATE, &out, &len),
	    -1);
	assert_int_equal(mail_render(payload, MSGID, FROM, -1, &out, &len),
	    -1);
	assert_null(out);
	assert_int_equal(mail_render(payload, MSGID, FROM, DATE, &out, &len),
	    0);
	free(out);
	free(payload);
}

static void
test_addr_valid(void **state)
{
	(void)state;
	assert_true(mail_addr_valid("a@b"));
	assert_true(mail_addr_valid("portal@localhost"));
	assert_true(mail_addr_valid("first.last+tag@sub.example.com"));
	assert_false(mail_addr_valid(NULL));
	assert_false(mail_addr_valid(""));
	assert_false(mail_addr_valid("@b.c"));
	assert_false(mail_addr_valid("a@"));
	assert_false(mail_addr_valid("a@@b"));
	assert_false(mail_addr_valid("a@b@c"));
	assert_false(mail_addr_valid("a b@c"));
	assert_false(mail_addr_valid("<a@b>"));
	assert_false(mail_addr_valid("a@b,c@d"));
	assert_false(mail_addr_valid("a@b\r\n"));
	assert_false(mail_addr_valid("å@b.se"));
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_period),
		cmocka_unit_test(test_text_table),
		cmocka_unit_test(test_digest_headers),
		cmocka_unit_test(test_digest_parsed),
		cmocka_unit_test(test_digest_english),
		cmocka_unit_test(test_digest_alerts_and_month),
		cmocka_unit_test(test_digest_danish_norwegian),
		cmocka_unit_test(test_digest_unknown_period),
		cmocka_unit_test(test_header_injection),
		cmocka_unit_test(test_reminder),
		cmocka_unit_test(test_list_headers),
		cmocka_unit_test(test_digest_summary),
		cmocka_unit_test(test_webhook_disabled),
		cmocka_unit_test(test_reminder_no_comment),
		cmocka_unit_test(test_footer_links),
		cmocka_unit_test(test_message_id_forms),
		cmocka_unit_test(test_long_words),
		cmocka_unit_test(test_subject_words),
		cmocka_unit_test(test_digest_subject_names_its_one_client),
		cmocka_unit_test(test_digest_subject_counts_its_clients),
		cmocka_unit_test(test_digest_subject_counts_open_clients),
		cmocka_unit_test(test_digest_subject_client_name_is_clean),
		cmocka_unit_test(test_digest_from_is_the_firm),
		cmocka_unit_test(test_url_limits),
		cmocka_unit_test(test_malformed_digest),
		cmocka_unit_test(test_malformed_reminder),
		cmocka_unit_test(test_malformed_arguments),
		cmocka_unit_test(test_addr_valid),
	};
	int	 rc;

	/* Refusals log a warning each: only errors here. */
	log_init("test_mail", LOG_LEVEL_ERROR);
	/* The parser in these tests needs GMime before any render runs. */
	mime_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	/* Frees GMime's charset and type tables, for LeakSanitizer. */
	mime_shutdown();
	return rc;
}
