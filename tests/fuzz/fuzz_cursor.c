/*
 * libFuzzer target for common/cursor.c. The input is either cursor text as
 * a client sends it in ?cursor= (first byte not '\x01'), which must decode
 * to a cursor that encodes and decodes again to the same fields; or, after
 * a leading '\x01', raw fields for cursor_encode, whose text must decode
 * back to them whenever the id is positive and the count not negative.
 */
#include <stdint.h>
#include <string.h>

#include "../../common/cursor.h"
#include "fuzz.h"

static int
cursor_same(const struct cursor *a, const struct cursor *b)
{
	return a->sort == b->sort && a->query == b->query &&
	    a->count == b->count && a->id == b->id &&
	    a->keylen == b->keylen && memcmp(a->key, b->key, a->keylen) == 0;
}

/* The base64url characters cursor_encode writes. */
static int
b64url_text(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static void
check_text(const uint8_t *data, size_t size)
{
	/* The API's buffer for the parameter is CURSOR_TEXT_MAX + 1. */
	char		*text = fuzz_strndup(data, size);
	char		 again[CURSOR_TEXT_MAX + 1];
	struct cursor	 c, d;

	if (cursor_decode(text, &c) == 0) {
		FUZZ_CHECK(strlen(text) <= CURSOR_TEXT_MAX);
		FUZZ_CHECK(b64url_text(text));
		FUZZ_CHECK(c.id > 0 && c.count >= 0);
		FUZZ_CHECK(c.keylen <= COLLATE_KEY_MAX);
		FUZZ_CHECK(cursor_encode(&c, again, sizeof(again)) == 0);
		FUZZ_CHECK(strlen(again) <= CURSOR_TEXT_MAX);
		FUZZ_CHECK(cursor_decode(again, &d) == 0);
		FUZZ_CHECK(cursor_same(&c, &d));
		/*
		 * The text itself may differ: the unused low bits of the last
		 * character are not checked (see the report), so several texts
		 * name one cursor. Same length, though.
		 */
		FUZZ_CHECK(strlen(again) == strlen(text));
	}
	free(text);
}

static uint64_t
take(const uint8_t **p, size_t *left, int n)
{
	uint64_t	 v = 0;

	while (n-- > 0 && *left > 0) {
		v = (v << 8) | **p;
		(*p)++;
		(*left)--;
	}
	return v;
}

static void
check_fields(const uint8_t *data, size_t size)
{
	char		 text[CURSOR_TEXT_MAX + 1];
	struct cursor	 c, d;
	size_t		 outlen;

	memset(&c, 0, sizeof(c));
	c.sort = (uint8_t)take(&data, &size, 1);
	c.query = (uint32_t)take(&data, &size, 4);
	c.count = (int64_t)take(&data, &size, 8);
	c.id = (int64_t)take(&data, &size, 8);
	outlen = (size_t)take(&data, &size, 2);
	c.keylen = size > COLLATE_KEY_MAX ? COLLATE_KEY_MAX : size;
	memcpy(c.key, data, c.keylen);

	FUZZ_CHECK(cursor_encode(&c, text, sizeof(text)) == 0);
	FUZZ_CHECK(strlen(text) <= CURSOR_TEXT_MAX && b64url_text(text));
	if (c.id > 0 && c.count >= 0) {
		FUZZ_CHECK(cursor_decode(text, &d) == 0);
		FUZZ_CHECK(cursor_same(&c, &d));
	} else
		FUZZ_CHECK(cursor_decode(text, &d) == -1);

	/* A short buffer fails cleanly, never past its end. */
	outlen %= sizeof(text) + 1;
	if (outlen > 0) {
		char *small = malloc(outlen);
		FUZZ_CHECK(small != NULL);
		if (cursor_encode(&c, small, outlen) == 0)
			FUZZ_CHECK(strcmp(small, text) == 0);
		else
			FUZZ_CHECK(outlen <= strlen(text));
		free(small);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 0 && data[0] == 0x01)
		check_fields(data + 1, size - 1);
	else
		check_text(data, size);
	return 0;
}
