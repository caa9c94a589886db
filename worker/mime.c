/*
 * The MIME message with GMime 3, and the header fields GMime would get
 * wrong written by hand: encoded-words of our own and a raw, unfolded
 * List-Unsubscribe.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "../common/log.h"
#include "mime.h"

/* RFC 5322's longest line; a raw header value of ours fits one. */
#define MIME_LINE_MAX		998
/* A phrase as encoded-words: twice the longest subject or name. */
#define MIME_PHRASE_MAX		(2 * 4096)
/*
 * Encoded text per encoded-word of our own: with "=?UTF-8?Q?" and "?="
 * 67 characters, within RFC 2047's 75 and, after "Reply-To: ", within 78.
 */
#define MIME_WORD_TEXT		55

static pthread_once_t	 mime_once = PTHREAD_ONCE_INIT;
static int		 mime_ready;

static void
mime_gmime_init(void)
{
	g_mime_init();
	mime_ready = 1;
}

void
mime_init(void)
{
	pthread_once(&mime_once, mime_gmime_init);
}

void
mime_shutdown(void)
{
	/* g_mime_init() counts its calls: one shutdown for our one init. */
	if (mime_ready)
		g_mime_shutdown();
	mime_ready = 0;
}

/* A UTF-8 text part holding the given body as it is. */
static GMimeObject *
mime_part(const char *subtype, const struct buf *body)
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
mime_add_mailbox(GMimeMessage *msg, GMimeAddressType type, const char *name,
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
mime_unsubscribe_headers(GMimeMessage *msg, const char *url)
{
	GMimeObject	*obj = GMIME_OBJECT(msg);
	GMimeHeader	*h;
	struct buf	 b;
	int		 rc = -1;

	buf_init(&b, MIME_LINE_MAX);
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
 * else is written by mime_words_add(), never by GMime, whose Q words let
 * '=' through raw and which copies "=?...?=" look-alikes unencoded.
 */
static int
mime_text_plain(const char *text)
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
 * Appends text as Q encoded-words of at most MIME_WORD_TEXT encoded
 * characters, each on its own folded line, never cutting a character in
 * two: adjacent encoded-words join up again without the white space.
 * Q rather than B: GMime's decoder runs adjacent base64 words together,
 * and loses what follows the padding of the first.
 */
static int
mime_words_add(struct buf *b, const char *text)
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
		if (open && used + n > MIME_WORD_TEXT) {
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
mime_header_words(GMimeObject *obj, const char *name, const char *text,
    const char *addr)
{
	GMimeHeader	*h;
	struct buf	 b;
	int		 rc = -1;

	h = g_mime_header_list_get_header(g_mime_object_get_header_list(obj),
	    name);
	if (h == NULL)
		return -1;
	if (mime_text_plain(text))
		return 0;
	buf_init(&b, MIME_PHRASE_MAX);
	if (mime_words_add(&b, text) == -1 ||
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
mime_header_has(const char *msg, size_t len, const char *needle)
{
	const char	*end;
	size_t		 n = strlen(needle);

	end = memmem(msg, len, "\r\n\r\n", 4);
	if (end == NULL)
		return 0;
	return memmem(msg, (size_t)(end - msg) + 2, needle, n) != NULL;
}

int
mime_build(const struct mime_message *m, char **out, size_t *outlen)
{
	GMimeMessage		*msg;
	GMimeMultipart		*alt;
	GMimeObject		*part;
	GMimeFormatOptions	*opts;
	GMimeStream		*stream;
	GByteArray		*bytes;
	GDateTime		*dt;
	struct buf		 check;
	int			 rc = -1;

	mime_init();
	buf_init(&check, MIME_LINE_MAX);
	msg = g_mime_message_new(TRUE);
	opts = g_mime_format_options_new();
	stream = g_mime_stream_mem_new();

	mime_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, m->from_name,
	    m->from_addr);
	mime_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, m->to_name, m->to_addr);
	if (m->reply_addr != NULL)
		mime_add_mailbox(msg, GMIME_ADDRESS_TYPE_REPLY_TO,
		    m->reply_name, m->reply_addr);
	g_mime_message_set_subject(msg, m->subject, "utf-8");
	/* GMime quotes specials itself; quotes and non-ASCII are ours. */
	if (mime_header_words(GMIME_OBJECT(msg), "Subject", m->subject,
	    NULL) == -1 ||
	    mime_header_words(GMIME_OBJECT(msg), "From", m->from_name,
	    m->from_addr) == -1 ||
	    (m->to_name[0] != '\0' && mime_header_words(GMIME_OBJECT(msg),
	    "To", m->to_name, m->to_addr) == -1) ||
	    (m->reply_addr != NULL && m->reply_name[0] != '\0' &&
	    mime_header_words(GMIME_OBJECT(msg), "Reply-To", m->reply_name,
	    m->reply_addr) == -1))
		goto out;
	dt = g_date_time_new_from_unix_utc(m->date);
	if (dt == NULL)
		goto out;
	g_mime_message_set_date(msg, dt);
	g_date_time_unref(dt);
	/* Set by name: g_mime_message_set_message_id() spells "Message-Id". */
	if (buf_printf(&check, "<%s>", m->message_id) == -1)
		goto out;
	g_mime_object_set_header(GMIME_OBJECT(msg), "Message-ID", check.data,
	    NULL);
	buf_reset(&check);
	if (m->unsubscribe_url != NULL &&
	    mime_unsubscribe_headers(msg, m->unsubscribe_url) == -1)
		goto out;
	/*
	 * Every email here is sent by a program: RFC 3834 asks for
	 * Auto-Submitted, which keeps vacation responders from answering.
	 */
	g_mime_object_set_header(GMIME_OBJECT(msg), "Auto-Submitted",
	    "auto-generated", NULL);
	if (m->bulk)
		g_mime_object_set_header(GMIME_OBJECT(msg), "Precedence",
		    "bulk", NULL);
	if (m->list_id != NULL) {
		if (buf_printf(&check, "<%s>", m->list_id) == -1)
			goto out;
		g_mime_object_set_header(GMIME_OBJECT(msg), "List-Id",
		    check.data, NULL);
		buf_reset(&check);
	}

	alt = g_mime_multipart_new_with_subtype("alternative");
	part = mime_part("plain", m->text);
	g_mime_multipart_add(alt, part);
	g_object_unref(part);
	part = mime_part("html", m->html);
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
	if (bytes == NULL || bytes->len == 0 || bytes->len > MIME_MESSAGE_MAX)
		goto out;

	/* The raw bytes, in case a GMime update starts encoding again. */
	if (m->unsubscribe_url != NULL &&
	    (buf_printf(&check, "\r\nList-Unsubscribe: <%s>\r\n",
	    m->unsubscribe_url) == -1 ||
	    !mime_header_has((const char *)bytes->data, bytes->len,
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
	g_object_unref(stream);
	g_mime_format_options_free(opts);
	g_object_unref(msg);
	return rc;
}
