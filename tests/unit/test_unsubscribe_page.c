/*
 * Unit tests for common/unsubscribe_page.h and common/html.h: each page
 * in each language, the form, the escaping of every value, and the
 * policy's hash of the one inline style.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "../../common/html.h"
#include "../../common/unsubscribe_page.h"

#define MANAGE	"https://app.example/settings/notifications"

/* The page of pg, which the test frees; NULL when it was refused. */
static char *
page(enum unsubscribe_page_kind kind, const char *locale,
    const char *frequency, const char *token, const char *manage)
{
	struct unsubscribe_page	 pg;
	struct buf		 b;
	char			*s;
	int			 rc;

	memset(&pg, 0, sizeof(pg));
	pg.kind = kind;
	pg.locale = locale;
	pg.frequency = frequency;
	pg.token = token;
	pg.manage_url = manage;
	buf_init(&b, UNSUBSCRIBE_PAGE_MAX);
	rc = unsubscribe_page_write(&b, &pg);
	s = rc == 0 ? buf_steal(&b, NULL) : NULL;
	buf_cleanup(&b);
	return s;
}

static void
has(const char *s, const char *want)
{
	if (strstr(s, want) == NULL)
		fail_msg("no \"%s\" in:\n%s", want, s);
}

/* A whole document, with nothing that runs or loads. */
static void
inert(const char *s)
{
	static const char *const never[] = { "<script", "<img", "<link",
	    "<iframe", " src=", "url(", "javascript:", NULL };
	size_t	 i;

	assert_true(strncmp(s, "<!DOCTYPE html>\n<html lang=\"", 28) == 0);
	assert_true(strlen(s) > 7 &&
	    strcmp(s + strlen(s) - 8, "</html>\n") == 0);
	for (i = 0; never[i] != NULL; i++)
		assert_null(strstr(s, never[i]));
}

static void
test_html_add(void **state)
{
	struct buf	 b;

	(void)state;
	buf_init(&b, 256);
	assert_int_equal(html_add(&b, "a&b<c>\"d\"'e'\nf", 0), 0);
	assert_string_equal(b.data, "a&amp;b&lt;c&gt;&quot;d&quot;&#39;e&#39;"
	    "\nf");
	buf_reset(&b);
	assert_int_equal(html_add(&b, "x\ny", 1), 0);
	assert_string_equal(b.data, "x<br>\ny");
	buf_cleanup(&b);
}

static void
test_confirm(void **state)
{
	char	*s;

	(void)state;
	s = page(UNSUBSCRIBE_PAGE_CONFIRM, "sv", "weekly", "aa.bb.cc", MANAGE);
	assert_non_null(s);
	inert(s);
	has(s, "<html lang=\"sv\">");
	has(s, "<title>Avsluta prenumeration</title>");
	has(s, "<h1>Vill du sluta få veckosammanfattningar via e-post?</h1>");
	has(s, "<form method=\"post\" action=\"?token=aa.bb.cc\">\n"
	    "<input type=\"hidden\" name=\"List-Unsubscribe\" "
	    "value=\"One-Click\">\n<button type=\"submit\">Avsluta "
	    "prenumerationen</button>\n</form>\n");
	has(s, "<a href=\"" MANAGE "\">Hantera aviseringar</a>");
	free(s);

	s = page(UNSUBSCRIBE_PAGE_CONFIRM, "en", "daily", "t", NULL);
	assert_non_null(s);
	has(s, "<h1>Do you want to stop getting daily summaries by "
	    "email?</h1>");
	assert_null(strstr(s, "<a "));
	free(s);
	s = page(UNSUBSCRIBE_PAGE_CONFIRM, "da", "monthly", "t", NULL);
	has(s, "månedsoversigter på e-mail?");
	free(s);
	s = page(UNSUBSCRIBE_PAGE_CONFIRM, "nb", "weekly", "t", NULL);
	has(s, "<button type=\"submit\">Meld av</button>");
	free(s);

	/* A frequency it does not know, or no token to post back. */
	assert_null(page(UNSUBSCRIBE_PAGE_CONFIRM, "sv", "hourly", "t", NULL));
	assert_null(page(UNSUBSCRIBE_PAGE_CONFIRM, "sv", NULL, "t", NULL));
	assert_null(page(UNSUBSCRIBE_PAGE_CONFIRM, "sv", "weekly", NULL,
	    NULL));
}

/* Values that reach the page are escaped, in attributes as in text. */
static void
test_escaped(void **state)
{
	char	*s;

	(void)state;
	s = page(UNSUBSCRIBE_PAGE_CONFIRM, "en", "weekly",
	    "a\"><script>x</script>", "https://app.example/?a=1&b=\"2\"");
	assert_non_null(s);
	inert(s);
	has(s, "action=\"?token=a&quot;&gt;&lt;script&gt;x&lt;/script&gt;\"");
	has(s, "<a href=\"https://app.example/?a=1&amp;b=&quot;2&quot;\">");
	free(s);
}

static void
test_done(void **state)
{
	char	*s;

	(void)state;
	s = page(UNSUBSCRIBE_PAGE_DONE, "nb", "monthly", "t", MANAGE);
	assert_non_null(s);
	inert(s);
	has(s, "<h1>Du er meldt av</h1>\n<p>Du får ikke lenger "
	    "månedsoversikter på e-post.</p>");
	assert_null(strstr(s, "<form"));
	free(s);
}

/*
 * A link of no known user: English, then Swedish; one of a known user
 * that was used: its firm's language alone.
 */
static void
test_invalid_and_spent(void **state)
{
	char	*s;

	(void)state;
	s = page(UNSUBSCRIBE_PAGE_INVALID, NULL, NULL, NULL, MANAGE);
	assert_non_null(s);
	inert(s);
	has(s, "<html lang=\"en\">");
	has(s, "<title>Unsubscribe / Avsluta prenumeration</title>");
	has(s, "<h1>This link does not work</h1>");
	has(s, "<section lang=\"sv\">\n<h1>Länken fungerar inte</h1>");
	assert_true(strstr(s, "This link") < strstr(s, "Länken fungerar"));
	assert_null(strstr(s, "<form"));
	free(s);

	/* A locale it does not know reads as none. */
	s = page(UNSUBSCRIBE_PAGE_INVALID, "fi", NULL, NULL, NULL);
	assert_non_null(s);
	has(s, "<section lang=\"sv\">");
	free(s);

	s = page(UNSUBSCRIBE_PAGE_SPENT, "da", NULL, NULL, MANAGE);
	assert_non_null(s);
	inert(s);
	has(s, "<html lang=\"da\">");
	has(s, "<p>Linket er allerede brugt");
	assert_null(strstr(s, "lang=\"sv\""));
	has(s, ">Administrer notifikationer</a>");
	free(s);
}

/* The policy allows the page's style by its hash: it must be that one. */
static void
test_style_hash(void **state)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	unsigned char	 b64[64];
	char		 want[96];

	(void)state;
	assert_int_equal(EVP_Digest(unsubscribe_page_style,
	    strlen(unsubscribe_page_style), md, &mdlen, EVP_sha256(), NULL), 1);
	assert_int_equal(EVP_EncodeBlock(b64, md, (int)mdlen), 44);
	(void)snprintf(want, sizeof(want), "style-src 'sha256-%s';", b64);
	has(UNSUBSCRIBE_PAGE_CSP, want);
	has(UNSUBSCRIBE_PAGE_CSP, "default-src 'none'");
	has(UNSUBSCRIBE_PAGE_CSP, "form-action 'self'");
	has(UNSUBSCRIBE_PAGE_CSP, "frame-ancestors 'none'");
	assert_null(strstr(UNSUBSCRIBE_PAGE_CSP, "script-src"));
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_html_add),
		cmocka_unit_test(test_confirm),
		cmocka_unit_test(test_escaped),
		cmocka_unit_test(test_done),
		cmocka_unit_test(test_invalid_and_spent),
		cmocka_unit_test(test_style_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
