/* Unit tests for common/buf.h: the bounded growable text buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../common/buf.h"

static int	test_vprintf(struct buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static int
test_vprintf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

static void
test_add_and_terminate(void **state)
{
	struct buf	 b;

	(void)state;
	buf_init(&b, 100);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_adds(&b, "abc"), 0);
	assert_int_equal(buf_addc(&b, '-'), 0);
	assert_int_equal(buf_add(&b, "xyz!!", 3), 0);
	assert_int_equal(b.len, 7);
	assert_string_equal(b.data, "abc-xyz");
	/* Bytes after a NUL are kept: len, not strlen, is the length. */
	assert_int_equal(buf_add(&b, "\0q", 2), 0);
	assert_int_equal(b.len, 9);
	assert_memory_equal(b.data, "abc-xyz\0q", 10);
	assert_int_equal(buf_add(&b, "", 0), 0);
	assert_int_equal(b.len, 9);
	buf_cleanup(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	/* A second cleanup is harmless. */
	buf_cleanup(&b);
}

static void
test_max_enforced(void **state)
{
	struct buf	 b;
	char		*before;

	(void)state;
	buf_init(&b, 10);
	/* Too much in one go: refused, nothing allocated. */
	assert_int_equal(buf_add(&b, "01234567890", 11), -1);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_adds(&b, "0123456789"), 0);
	assert_int_equal(b.len, 10);
	assert_true(b.cap <= b.max + 1);
	before = b.data;
	/* Full: one more byte is refused and the text stays as it was. */
	assert_int_equal(buf_addc(&b, 'x'), -1);
	assert_int_equal(buf_adds(&b, "x"), -1);
	assert_int_equal(buf_printf(&b, "%d", 1), -1);
	assert_ptr_equal(b.data, before);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "0123456789");
	/* Adding nothing to a full buffer is fine. */
	assert_int_equal(buf_add(&b, "", 0), 0);
	assert_int_equal(buf_printf(&b, "%s", ""), 0);
	assert_string_equal(b.data, "0123456789");
	buf_cleanup(&b);
}

static void
test_max_partial(void **state)
{
	struct buf	 b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_adds(&b, "abcde"), 0);
	/* Would end at 9: refused whole, not truncated. */
	assert_int_equal(buf_adds(&b, "fghi"), -1);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.data, "abcde");
	assert_int_equal(buf_adds(&b, "fgh"), 0);
	assert_string_equal(b.data, "abcdefgh");
	buf_cleanup(&b);
}

static void
test_max_zero(void **state)
{
	struct buf	 b;
	char		*s;
	size_t		 len = 99;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_addc(&b, 'a'), -1);
	assert_int_equal(buf_printf(&b, "x"), -1);
	assert_int_equal(buf_add(&b, "", 0), 0);
	assert_string_equal(b.data, "");
	s = buf_steal(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
	buf_cleanup(&b);
}

static void
test_growth(void **state)
{
	struct buf	 b;
	size_t		 i;

	(void)state;
	buf_init(&b, 100000);
	for (i = 0; i < 100000; i++)
		assert_int_equal(buf_addc(&b, (char)('a' + i % 26)), 0);
	assert_int_equal(buf_addc(&b, 'z'), -1);
	assert_int_equal(b.len, 100000);
	assert_int_equal(strlen(b.data), 100000);
	assert_true(b.cap <= b.max + 1);
	for (i = 0; i < 100000; i++)
		if (b.data[i] != (char)('a' + i % 26))
			fail_msg("byte %zu is wrong", i);
	buf_cleanup(&b);
}

static void
test_printf(void **state)
{
	struct buf	 b;
	char		 big[300];

	(void)state;
	buf_init(&b, 1000);
	assert_int_equal(buf_printf(&b, "%s=%d", "n", 42), 0);
	assert_int_equal(buf_printf(&b, ",%lld", (long long)INT64_MIN), 0);
	assert_int_equal(buf_printf(&b, ",%05.1f", 2.25), 0);
	assert_string_equal(b.data, "n=42,-9223372036854775808,002.2");
	assert_int_equal(b.len, strlen(b.data));
	/* Past the first allocation, in one call. */
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(buf_printf(&b, "[%s]", big), 0);
	assert_int_equal(b.len, 31 + 301);
	assert_int_equal(b.data[31], '[');
	assert_int_equal(b.data[b.len - 1], ']');
	assert_int_equal(b.data[b.len], '\0');
	assert_int_equal(test_vprintf(&b, "<%s:%u>", "v", 7u), 0);
	assert_string_equal(b.data + 332, "<v:7>");
	buf_cleanup(&b);
}

static void
test_printf_max(void **state)
{
	struct buf	 b;

	(void)state;
	buf_init(&b, 6);
	assert_int_equal(buf_printf(&b, "%d", 123), 0);
	/* Exactly to max is fine, one past is refused with the text kept. */
	assert_int_equal(buf_printf(&b, "%d", 4567), -1);
	assert_string_equal(b.data, "123");
	assert_int_equal(b.len, 3);
	assert_int_equal(buf_printf(&b, "%s", "456"), 0);
	assert_string_equal(b.data, "123456");
	assert_int_equal(test_vprintf(&b, "%c", 'x'), -1);
	assert_string_equal(b.data, "123456");
	buf_cleanup(&b);
}

static void
test_steal_empty(void **state)
{
	struct buf	 b;
	char		*s;
	size_t		 len = 99;

	(void)state;
	buf_init(&b, 16);
	s = buf_steal(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
	assert_null(b.data);
	/* Without lenp too. */
	s = buf_steal(&b, NULL);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	buf_cleanup(&b);
}

static void
test_steal(void **state)
{
	struct buf	 b;
	char		*s;
	size_t		 len = 0;

	(void)state;
	buf_init(&b, 16);
	assert_int_equal(buf_adds(&b, "hello"), 0);
	s = buf_steal(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "hello");
	assert_int_equal(len, 5);
	free(s);
	/* Left empty, with its maximum, and usable again. */
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_int_equal(b.max, 16);
	assert_int_equal(buf_adds(&b, "again"), 0);
	assert_int_equal(buf_adds(&b, "0123456789abc"), -1);
	assert_string_equal(b.data, "again");
	/* A reset buffer steals as "". */
	buf_reset(&b);
	s = buf_steal(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
	buf_cleanup(&b);
}

static void
test_reset(void **state)
{
	struct buf	 b;

	(void)state;
	buf_init(&b, 8);
	/* Reset of a buffer that never allocated. */
	buf_reset(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_adds(&b, "12345678"), 0);
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	/* The whole maximum is available again. */
	assert_int_equal(buf_adds(&b, "abcdefgh"), 0);
	assert_string_equal(b.data, "abcdefgh");
	assert_int_equal(buf_addc(&b, 'i'), -1);
	buf_cleanup(&b);
}

/*
 * "No limit" spelled SIZE_MAX: max + 1 wraps to 0 in buf_grow(), which then
 * allocates 0 bytes and writes past them. Run in a child so that a crash
 * under AddressSanitizer fails this test only.
 */
static void
test_max_size_max(void **state)
{
	struct buf	 b;
	pid_t		 pid;
	int		 status, ok;

	(void)state;
	if ((pid = fork()) == -1)
		fail_msg("fork failed");
	if (pid == 0) {
		buf_init(&b, SIZE_MAX);
		ok = buf_adds(&b, "hello") == 0 && b.cap > b.len &&
		    strcmp(b.data, "hello") == 0;
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_add_and_terminate),
		cmocka_unit_test(test_max_enforced),
		cmocka_unit_test(test_max_partial),
		cmocka_unit_test(test_max_zero),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_printf_max),
		cmocka_unit_test(test_steal_empty),
		cmocka_unit_test(test_steal),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_max_size_max),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
