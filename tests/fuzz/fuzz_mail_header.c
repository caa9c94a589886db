/*
 * libFuzzer target for worker/mail.c: mail_render() of a digest or a
 * reminder whose names, firm, period, comment, locale, currency, URL tail
 * and Message-ID come from the input, in a payload the harness builds with
 * cJSON (valid JSON, valid UTF-8) so that rendering is reached. The message
 * must then have CRLF line ends only, no line over 998 bytes, a header
 * block of known fields only (each once; no field injected by a name), in
 * ASCII, with no encoded-word over 75 characters, List-Unsubscribe raw;
 * and read back with GMime, the To and Reply-To names must be the ones
 * given, with control characters as spaces, and the subject must name the
 * firm or the client.
 *
 * Input: one flag byte, 10 bytes of figures, then fields separated by NUL
 * bytes in this order: to.name, firm, sender.name, client.name, comment,
 * period, Message-ID, locale, currency, URL tail.
 */
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gmime/gmime.h>

#include "../../common/log.h"
#include "../../worker/mail.h"
#include "../../worker/mime.h"
#include "fuzz.h"

#define FROM		"portal@portal.example"
#define DATE		1775030400LL	/* 2026-04-01 08:00 UTC */
#define MAIL_INT_MAX	9007199254740991LL

enum piece {
	P_TO_NAME, P_FIRM, P_SENDER_NAME, P_CLIENT_NAME, P_COMMENT, P_PERIOD,
	P_MSGID, P_LOCALE, P_CURRENCY, P_URL, P_COUNT
};

static const char *const locales[] = { "sv", "da", "nb", "en" };
static const char *const freqs[] = { "daily", "weekly", "monthly" };
static const char *const periods[] = { "2026-03-30", "2026-W14",
    "2026-04" };


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* mail_render() logs every refused payload at warn. */
	log_init("fuzz_mail_header", LOG_LEVEL_ERROR);
	mime_init();
	return 0;
}

static cJSON *
client_json(int64_t id, const char *name, int64_t balance, int64_t missing,
    int64_t ready, const char *currency, const char *url)
{
	cJSON	*c = cJSON_CreateObject();

	cJSON_AddNumberToObject(c, "id", (double)id);
	cJSON_AddStringToObject(c, "name", name);
	cJSON_AddNumberToObject(c, "balance_minor", (double)balance);
	cJSON_AddStringToObject(c, "currency", currency);
	cJSON_AddNumberToObject(c, "missing_receipts", (double)missing);
	cJSON_AddNumberToObject(c, "export_ready", (double)ready);
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

/* What mail_clean() makes of a name: C0, DEL and C1 controls as spaces. */
static void
clean(const char *s, char *out)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 o = 0;

	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			out[o++] = ' ';
		else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			out[o++] = ' ';
			p++;
		} else
			out[o++] = (char)*p;
	}
	out[o] = '\0';
}

/*
 * Drops all white space: how names and subjects are compared. GMime folds
 * a long phrase at any space and also before "=?" inside a word (a subject
 * "a=?b" reads back "a =?b"), so spaces may come and go; letters may not.
 */
static void
squeeze(char *s)
{
	char	*r, *w = s;

	for (r = s; *r != '\0'; r++)
		if (*r != ' ' && *r != '\t' && *r != '\r' && *r != '\n')
			*w++ = *r;
	*w = '\0';
}

static int
header_known(const char *line, size_t len, int *seen)
{
	static const char *const names[] = { "From", "To", "Reply-To",
	    "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
	    "List-Unsubscribe", "List-Unsubscribe-Post" };
	size_t	 i, n;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		n = strlen(names[i]);
		if (len > n && line[n] == ':' &&
		    strncasecmp(line, names[i], n) == 0) {
			FUZZ_CHECK(seen[i] == 0);	/* each field once */
			seen[i] = 1;
			return (int)i;
		}
	}
	return -1;
}

/* The header block: lines, names, bytes and encoded-words. */
static void
check_message(const char *m, size_t len, int digest, const char *url)
{
	const char	*p, *eol, *hdr_end, *w, *q;
	int		 seen[10] = { 0 }, field = -1;
	size_t		 i;
	char		*lu;

	FUZZ_CHECK(strlen(m) == len);
	for (i = 0; i < len; i++) {
		if (m[i] == '\n')
			FUZZ_CHECK(i > 0 && m[i - 1] == '\r');
		if (m[i] == '\r')
			FUZZ_CHECK(i + 1 < len && m[i + 1] == '\n');
	}
	for (p = m; p < m + len; p = eol + 2) {
		eol = strstr(p, "\r\n");
		FUZZ_CHECK(eol != NULL);	/* ends with a line end */
		if (eol - p > 998) {
			fprintf(stderr, "line of %zu bytes: %.60s...\n",
			    (size_t)(eol - p), p);
			FUZZ_CHECK(eol - p <= 998);
		}
	}

	hdr_end = strstr(m, "\r\n\r\n");
	FUZZ_CHECK(hdr_end != NULL);
	for (p = m; p <= hdr_end; p = eol + 2) {
		eol = strstr(p, "\r\n");
		if (*p == ' ' || *p == '\t')
			FUZZ_CHECK(field != -1);	/* a continuation */
		else {
			field = header_known(p, (size_t)(eol - p), seen);
			if (field == -1) {
				fprintf(stderr, "unknown header line: %.*s\n",
				    (int)(eol - p), p);
				FUZZ_CHECK(field != -1);
			}
		}
		for (q = p; q < eol; q++)
			FUZZ_CHECK(*q == '\t' || (*q >= 0x20 && *q < 0x7f));
		/* RFC 2047: an encoded-word is at most 75 characters. */
		for (w = p; (w = strstr(w, "=?")) != NULL && w < eol; w += 2) {
			const char *e = w + 2;
			int marks = 0;
			while (e < eol && *e != ' ' && marks < 3)
				if (*e++ == '?')
					marks++;
			if (marks == 3 && e < eol && *e == '=') {
				if (e + 1 - w > 75) {
					fprintf(stderr, "encoded-word of %zu: "
					    "%.*s\n", (size_t)(e + 1 - w),
					    (int)(e + 1 - w), w);
					FUZZ_CHECK(e + 1 - w <= 75);
				}
				w = e - 1;
			}
		}
	}
	FUZZ_CHECK(seen[0] && seen[1] && seen[3] && seen[4] && seen[5] &&
	    seen[6] && seen[7]);
	FUZZ_CHECK(seen[2] == !digest);
	FUZZ_CHECK(seen[8] == digest && seen[9] == digest);
	if (digest) {
		lu = malloc(strlen(url) + 32);
		FUZZ_CHECK(lu != NULL);
		(void)snprintf(lu, strlen(url) + 32,
		    "\r\nList-Unsubscribe: <%s>\r\n", url);
		FUZZ_CHECK(memmem(m, (size_t)(hdr_end - m) + 2, lu,
		    strlen(lu)) != NULL);
		free(lu);
	}
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decodes one RFC 2047 encoded-word w[0..n) into out; the charset must be
 * UTF-8 or US-ASCII. Returns the bytes written, or -1 when w is no
 * encoded-word.
 */
static int
decode_word(const char *w, size_t n, char *out)
{
	const char	*cs, *enc, *text, *stop = w + n - 2;
	size_t		 o = 0;
	uint32_t	 v = 0;
	int		 bits = 0, a, b, pad = 0;

	if (n < 8 || strncmp(w, "=?", 2) != 0 || strncmp(stop, "?=", 2) != 0)
		return -1;
	cs = w + 2;
	if ((enc = memchr(cs, '?', (size_t)(stop - cs))) == NULL ||
	    enc + 3 > stop || enc[2] != '?')
		return -1;
	text = enc + 3;
	if (memchr(text, '?', (size_t)(stop - text)) != NULL)
		return -1;
	/* GMime was told UTF-8; any other charset is a finding. */
	FUZZ_CHECK((enc - cs == 5 && strncasecmp(cs, "utf-8", 5) == 0) ||
	    (enc - cs == 8 && strncasecmp(cs, "us-ascii", 8) == 0));
	if (enc[1] == 'Q' || enc[1] == 'q') {
		for (; text < stop; text++) {
			if (*text == '_')
				out[o++] = ' ';
			else if (*text == '=') {
				FUZZ_CHECK(text + 2 < stop + 1);
				a = hexval(text[1]);
				b = hexval(text[2]);
				if (a == -1 || b == -1) {
					fprintf(stderr, "bad Q escape in %.*s\n",
					    (int)n, w);
					FUZZ_CHECK(a != -1 && b != -1);
				}
				out[o++] = (char)(a << 4 | b);
				text += 2;
			} else
				out[o++] = *text;
		}
	} else if (enc[1] == 'B' || enc[1] == 'b') {
		FUZZ_CHECK((stop - text) % 4 == 0);
		for (; text < stop; text++) {
			if (*text == '=') {
				pad++;
				continue;
			}
			FUZZ_CHECK(pad == 0 && (a = b64val(*text)) != -1);
			v = v << 6 | (uint32_t)a;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				out[o++] = (char)(v >> bits);
			}
		}
	} else
		return -1;
	/* RFC 2047 6.3: each word holds whole characters. */
	FUZZ_CHECK(fuzz_utf8_check(out, o, NULL));
	return (int)o;
}

/*
 * Reads a phrase as RFC 5322 and RFC 2047 say (an independent reader:
 * GMime's own joins adjacent base64 words and loses text after padding):
 * unfolds, decodes encoded-words (white space between two of them
 * dropped), unquotes quoted strings when quotes is set (not in an
 * unstructured field such as Subject). out holds 3 * n + 1 bytes.
 */
static void
decode_phrase(const char *v, size_t n, int quotes, char *out)
{
	size_t		 i = 0, o = 0, j, ws_start = 0;
	int		 last_word = 0, r;

	while (i < n) {
		if (v[i] == '\r' && i + 1 < n && v[i + 1] == '\n') {
			i += 2;
			continue;
		}
		if (v[i] == ' ' || v[i] == '\t') {
			ws_start = o;
			while (i < n && (v[i] == ' ' || v[i] == '\t' ||
			    v[i] == '\r' || v[i] == '\n')) {
				if (v[i] == ' ' || v[i] == '\t')
					out[o++] = ' ';
				i++;
			}
			continue;
		}
		if (quotes && v[i] == '"') {
			for (i++; i < n && v[i] != '"'; i++) {
				if (v[i] == '\\' && i + 1 < n)
					i++;
				if (v[i] != '\r' && v[i] != '\n')
					out[o++] = v[i];
			}
			FUZZ_CHECK(i < n);	/* closed */
			i++;
			last_word = 0;
			continue;
		}
		for (j = i; j < n && v[j] != ' ' && v[j] != '\t' &&
		    v[j] != '\r' && (!quotes || v[j] != '"'); j++)
			;
		if ((r = decode_word(v + i, j - i, out + o)) >= 0) {
			if (last_word && ws_start < o) {
				/* Only white space since the last word. */
				memmove(out + ws_start, out + o, (size_t)r);
				o = ws_start;
			}
			o += (size_t)r;
			last_word = 1;
		} else {
			memcpy(out + o, v + i, j - i);
			o += j - i;
			last_word = 0;
		}
		ws_start = o;
		i = j;
	}
	out[o] = '\0';
}

/* The raw value of a header in m's header block, unfolded later; or NULL. */
static const char *
header_value(const char *m, const char *hdr_end, const char *name,
    size_t *len)
{
	const char	*p, *e;
	size_t		 n = strlen(name);

	for (p = m; p < hdr_end; p = strstr(p, "\r\n") + 2) {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			for (e = p; e < hdr_end; e += 2) {
				e = strstr(e, "\r\n");
				if (e >= hdr_end || (e[2] != ' ' &&
				    e[2] != '\t'))
					break;
			}
			*len = (size_t)(e - p);
			return p;
		}
	}
	return NULL;
}

/* The mailbox header holds the given name (cleaned) and address. */
static void
check_mailbox(const char *m, const char *hdr_end, const char *field,
    const char *given, const char *email)
{
	const char	*v, *lt;
	char		*want, *got, *addr;
	size_t		 n;

	FUZZ_CHECK((v = header_value(m, hdr_end, field, &n)) != NULL);
	addr = malloc(strlen(email) + 4);
	FUZZ_CHECK(addr != NULL);
	(void)snprintf(addr, strlen(email) + 4, "<%s>", email);
	/* "name <addr>", or the bare address when there is no name. */
	for (lt = v + n; lt > v && *lt != '<'; lt--)
		;
	want = malloc(strlen(given) + 1);
	got = malloc(3 * n + 1);
	FUZZ_CHECK(want != NULL && got != NULL);
	clean(given, want);
	squeeze(want);
	if (*lt == '<') {
		FUZZ_CHECK((size_t)(v + n - lt) == strlen(addr) &&
		    memcmp(lt, addr, strlen(addr)) == 0);
		decode_phrase(v, (size_t)(lt - v), 1, got);
	} else {
		decode_phrase(v, n, 1, got);
		squeeze(got);
		FUZZ_CHECK(strcmp(got, email) == 0);
		got[0] = '\0';
	}
	squeeze(got);
	if (strcmp(want, got) != 0) {
		fprintf(stderr, "%s: name given \"%s\", read \"%s\"\n", field,
		    want, got);
		FUZZ_CHECK(strcmp(want, got) == 0);
	}
	free(want);
	free(got);
	free(addr);
}

/* A digest comes from its firm, or from the product when it has no name. */
static const char *
firm_sender(const char *firm)
{
	char		*c = malloc(strlen(firm) + 1);
	int		 blank;

	FUZZ_CHECK(c != NULL);
	clean(firm, c);
	squeeze(c);
	blank = c[0] == '\0';
	free(c);
	return blank ? "Partner Portal" : firm;
}

/* The subject names the client (a reminder's, a one-client digest's). */
static void
check_subject(const char *m, const char *hdr_end, const char *given)
{
	const char	*v;
	char		*want, *got;
	size_t		 n;

	FUZZ_CHECK((v = header_value(m, hdr_end, "Subject", &n)) != NULL);
	want = malloc(strlen(given) + 1);
	got = malloc(3 * n + 1);
	FUZZ_CHECK(want != NULL && got != NULL);
	clean(given, want);
	squeeze(want);
	decode_phrase(v, n, 0, got);
	squeeze(got);
	if (strstr(got, want) == NULL) {
		fprintf(stderr, "subject \"%s\" lacks \"%s\"\n", got, want);
		FUZZ_CHECK(strstr(got, want) != NULL);
	}
	free(want);
	free(got);
}

/* GMime, which the worker's tests read mail with, takes the message. */
static void
check_parsed(const char *m, size_t len, int digest)
{
	GMimeStream	*stream;
	GMimeParser	*parser;
	GMimeMessage	*msg;

	stream = g_mime_stream_mem_new_with_buffer(m, len);
	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	FUZZ_CHECK(msg != NULL);
	FUZZ_CHECK(internet_address_list_length(g_mime_message_get_addresses(
	    msg, GMIME_ADDRESS_TYPE_TO)) == 1);
	FUZZ_CHECK(internet_address_list_length(g_mime_message_get_addresses(
	    msg, GMIME_ADDRESS_TYPE_REPLY_TO)) == !digest);
	FUZZ_CHECK(g_mime_message_get_subject(msg) != NULL);
	g_object_unref(msg);
	g_object_unref(parser);
	g_object_unref(stream);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*piece[P_COUNT], *payload, *out = NULL, url[1024];
	const char	*hdr_end;
	char		*q;
	const uint8_t	*p, *end, *sep;
	cJSON		*d, *clients, *tasks;
	size_t		 i, outlen = 0;
	int64_t		 balance;
	int		 flags, digest, rc;

	if (size < 11)
		return 0;
	flags = data[0];
	digest = !(flags & 1);
	balance = 0;
	for (i = 1; i <= 8; i++)
		balance = (int64_t)((uint64_t)balance << 8 | data[i]);
	balance %= MAIL_INT_MAX;

	p = data + 11;
	end = data + size;
	for (i = 0; i < P_COUNT; i++) {
		sep = p < end ? memchr(p, '\0', (size_t)(end - p)) : NULL;
		if (sep == NULL)
			sep = end;
		piece[i] = malloc((size_t)(sep - p) + 1);
		FUZZ_CHECK(piece[i] != NULL);
		(void)fuzz_utf8_repair(p, (size_t)(sep - p), piece[i]);
		/* The known findings all need an "=" in a name. */
		for (q = piece[i]; fuzz_skip_known() && *q != '\0'; q++)
			if (*q == '=')
				*q = '-';
		p = sep < end ? sep + 1 : end;
	}
	(void)snprintf(url, sizeof(url), "https://portal.example/%s",
	    piece[P_URL]);

	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "kind", digest ? "digest" : "reminder");
	cJSON_AddStringToObject(d, "locale", piece[P_LOCALE][0] != '\0' ?
	    piece[P_LOCALE] : locales[(flags >> 1) & 3]);
	cJSON_AddItemToObject(d, "to", person_json("bo@firm.example",
	    piece[P_TO_NAME]));
	cJSON_AddStringToObject(d, "firm", piece[P_FIRM]);
	if (digest) {
		cJSON_AddStringToObject(d, "frequency",
		    freqs[((flags >> 3) & 3) % 3]);
		cJSON_AddStringToObject(d, "period", flags & 0x20 ?
		    piece[P_PERIOD] : periods[((flags >> 3) & 3) % 3]);
		cJSON_AddStringToObject(d, "unsubscribe_url", url);
		clients = cJSON_AddArrayToObject(d, "clients");
		cJSON_AddItemToArray(clients, client_json(1,
		    piece[P_CLIENT_NAME], balance, data[9], data[10],
		    piece[P_CURRENCY][0] != '\0' ? piece[P_CURRENCY] : "SEK",
		    url));
		if (flags & 0x40)
			cJSON_AddItemToArray(clients, client_json(2,
			    piece[P_SENDER_NAME], -balance, 0, 1, "EUR",
			    "https://portal.example/clients/2"));
	} else {
		cJSON_AddItemToObject(d, "sender", person_json(
		    "anna@firm.example", piece[P_SENDER_NAME]));
		cJSON_AddItemToObject(d, "client", client_json(7,
		    piece[P_CLIENT_NAME], balance, data[9], data[10],
		    piece[P_CURRENCY][0] != '\0' ? piece[P_CURRENCY] : "SEK",
		    url));
		tasks = cJSON_AddArrayToObject(d, "tasks");
		if (flags & 0x08 || !(flags & 0x30))
			cJSON_AddItemToArray(tasks,
			    cJSON_CreateString("missing_receipts"));
		if (flags & 0x10)
			cJSON_AddItemToArray(tasks,
			    cJSON_CreateString("export_ready"));
		if (flags & 0x20)
			cJSON_AddItemToArray(tasks,
			    cJSON_CreateString("balance"));
		if (flags & 0x40)
			cJSON_AddNullToObject(d, "comment");
		else if (!(flags & 0x80))
			cJSON_AddStringToObject(d, "comment",
			    piece[P_COMMENT]);
	}
	payload = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	FUZZ_CHECK(payload != NULL);

	rc = mail_render(payload, piece[P_MSGID][0] != '\0' ? piece[P_MSGID] :
	    "<outbox-1@portal.example>", FROM, DATE, &out, &outlen);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == 0) {
		FUZZ_CHECK(out != NULL && outlen > 0);
		if (getenv("FUZZ_MAIL_DUMP") != NULL)
			fwrite(out, 1, outlen, stderr);
		check_message(out, outlen, digest, url);
		hdr_end = strstr(out, "\r\n\r\n") + 2;
		check_mailbox(out, hdr_end, "To", piece[P_TO_NAME],
		    "bo@firm.example");
		if (!digest)
			check_mailbox(out, hdr_end, "Reply-To",
			    piece[P_SENDER_NAME], "anna@firm.example");
		if (digest)
			check_mailbox(out, hdr_end, "From",
			    firm_sender(piece[P_FIRM]), FROM);
		/* A digest of one client names it; of two, it may count. */
		if (!digest || !(flags & 0x40))
			check_subject(out, hdr_end, piece[P_CLIENT_NAME]);
		check_parsed(out, outlen, digest);
	} else
		FUZZ_CHECK(out == NULL);
	free(out);
	free(payload);
	for (i = 0; i < P_COUNT; i++)
		free(piece[i]);
	return 0;
}
