/*
 * The unsubscribe pages' words in English, Swedish, Danish and Norwegian
 * (bokmål), and their HTML.
 */
#include <string.h>

#include "html.h"
#include "unsubscribe_page.h"

const char unsubscribe_page_style[] =
    "body{font-family:Helvetica,Arial,sans-serif;color:#222222;"
    "max-width:36em;margin:3em auto;padding:0 1em;line-height:1.4}"
    "button{font-size:1em;padding:0.5em 1.2em;cursor:pointer}"
    "section+section{margin-top:2em;border-top:1px solid #cccccc}";

struct unsubscribe_words {
	const char	*tag;
	const char	*title;
	const char	*what[3];	/* daily, weekly, monthly */
	const char	*confirm_fmt;	/* what */
	const char	*button;
	const char	*done_title;
	const char	*done_fmt;	/* what */
	const char	*invalid_title;
	const char	*invalid;
	const char	*spent;
	const char	*manage;
};

/* None holds "<", ">" or "&": they go into HTML as they are. */
static const struct unsubscribe_words unsubscribe_words[] = {
	{
		.tag = "en",
		.title = "Unsubscribe",
		.what = { "daily summaries", "weekly summaries",
		    "monthly summaries" },
		.confirm_fmt = "Do you want to stop getting %s by email?",
		.button = "Unsubscribe",
		.done_title = "You are unsubscribed",
		.done_fmt = "You no longer get %s by email.",
		.invalid_title = "This link does not work",
		.invalid = "The unsubscribe link is invalid or has expired. "
		    "You can turn summaries off in the notification settings "
		    "of the portal.",
		.spent = "This unsubscribe link has been used already, or you "
		    "subscribed again after it was sent. Nothing was changed.",
		.manage = "Manage notifications",
	},
	{
		.tag = "sv",
		.title = "Avsluta prenumeration",
		.what = { "dagliga sammanfattningar", "veckosammanfattningar",
		    "månadssammanfattningar" },
		.confirm_fmt = "Vill du sluta få %s via e-post?",
		.button = "Avsluta prenumerationen",
		.done_title = "Prenumerationen är avslutad",
		.done_fmt = "Du får inte längre %s via e-post.",
		.invalid_title = "Länken fungerar inte",
		.invalid = "Länken för att avsluta prenumerationen är ogiltig "
		    "eller har gått ut. Du kan stänga av sammanfattningarna "
		    "under aviseringar i portalen.",
		.spent = "Länken har redan använts, eller så har du "
		    "prenumererat igen sedan den skickades. Ingenting har "
		    "ändrats.",
		.manage = "Hantera aviseringar",
	},
	{
		.tag = "da",
		.title = "Afmeld",
		.what = { "daglige oversigter", "ugeoversigter",
		    "månedsoversigter" },
		.confirm_fmt = "Vil du ikke længere modtage %s på e-mail?",
		.button = "Afmeld",
		.done_title = "Du er afmeldt",
		.done_fmt = "Du modtager ikke længere %s på e-mail.",
		.invalid_title = "Linket virker ikke",
		.invalid = "Afmeldingslinket er ugyldigt eller udløbet. Du kan "
		    "slå oversigterne fra under notifikationer i portalen.",
		.spent = "Linket er allerede brugt, eller du har tilmeldt dig "
		    "igen, efter det blev sendt. Intet er ændret.",
		.manage = "Administrer notifikationer",
	},
	{
		.tag = "nb",
		.title = "Meld av",
		.what = { "daglige oversikter", "ukeoversikter",
		    "månedsoversikter" },
		.confirm_fmt = "Vil du slutte å motta %s på e-post?",
		.button = "Meld av",
		.done_title = "Du er meldt av",
		.done_fmt = "Du får ikke lenger %s på e-post.",
		.invalid_title = "Lenken virker ikke",
		.invalid = "Avmeldingslenken er ugyldig eller utløpt. Du kan slå "
		    "av oversiktene under varsler i portalen.",
		.spent = "Lenken er allerede brukt, eller du har abonnert på "
		    "nytt etter at den ble sendt. Ingenting er endret.",
		.manage = "Administrer varsler",
	},
};

#define UNSUBSCRIBE_N_WORDS \
	(sizeof(unsubscribe_words) / sizeof(unsubscribe_words[0]))

static const struct unsubscribe_words *
unsubscribe_words_of(const char *tag)
{
	size_t	 i;

	for (i = 0; i < UNSUBSCRIBE_N_WORDS; i++)
		if (strcmp(unsubscribe_words[i].tag, tag) == 0)
			return &unsubscribe_words[i];
	return NULL;
}

static int
unsubscribe_frequency(const char *f)
{
	static const char *const names[3] = { "daily", "weekly", "monthly" };
	int	 i;

	for (i = 0; f != NULL && i < 3; i++)
		if (strcmp(f, names[i]) == 0)
			return i;
	return -1;
}

/* fmt with its one "%s" as arg, escaped, in an element. */
static int
unsubscribe_sentence(struct buf *b, const char *open, const char *fmt,
    const char *arg, const char *close)
{
	const char	*s = strstr(fmt, "%s");

	if (s == NULL || buf_adds(b, open) == -1 ||
	    buf_add(b, fmt, (size_t)(s - fmt)) == -1 ||
	    html_add(b, arg, 0) == -1 || buf_adds(b, s + 2) == -1 ||
	    buf_adds(b, close) == -1)
		return -1;
	return 0;
}

/* The page's heading, text, form and link in one language. */
static int
unsubscribe_section(struct buf *b, const struct unsubscribe_page *pg,
    const struct unsubscribe_words *w, int freq, int own_lang)
{
	const char	*title, *text;

	if ((own_lang ? buf_adds(b, "<section>\n") :
	    buf_printf(b, "<section lang=\"%s\">\n", w->tag)) == -1)
		return -1;
	switch (pg->kind) {
	case UNSUBSCRIBE_PAGE_CONFIRM:
		if (unsubscribe_sentence(b, "<h1>", w->confirm_fmt,
		    w->what[freq], "</h1>\n") == -1 ||
		    buf_adds(b, "<form method=\"post\" action=\"?token=") ==
		    -1 || html_add(b, pg->token, 0) == -1 ||
		    buf_adds(b, "\">\n<input type=\"hidden\" "
		    "name=\"List-Unsubscribe\" value=\"One-Click\">\n"
		    "<button type=\"submit\">") == -1 ||
		    html_add(b, w->button, 0) == -1 ||
		    buf_adds(b, "</button>\n</form>\n") == -1)
			return -1;
		break;
	case UNSUBSCRIBE_PAGE_DONE:
		if (buf_adds(b, "<h1>") == -1 ||
		    html_add(b, w->done_title, 0) == -1 ||
		    unsubscribe_sentence(b, "</h1>\n<p>", w->done_fmt,
		    w->what[freq], "</p>\n") == -1)
			return -1;
		break;
	case UNSUBSCRIBE_PAGE_INVALID:
	case UNSUBSCRIBE_PAGE_SPENT:
		title = w->invalid_title;
		text = pg->kind == UNSUBSCRIBE_PAGE_SPENT ? w->spent :
		    w->invalid;
		if (buf_adds(b, "<h1>") == -1 || html_add(b, title, 0) == -1 ||
		    buf_adds(b, "</h1>\n<p>") == -1 ||
		    html_add(b, text, 0) == -1 || buf_adds(b, "</p>\n") == -1)
			return -1;
		break;
	}
	if (pg->manage_url != NULL && (buf_adds(b, "<p><a href=\"") == -1 ||
	    html_add(b, pg->manage_url, 0) == -1 || buf_adds(b, "\">") == -1 ||
	    html_add(b, w->manage, 0) == -1 || buf_adds(b, "</a></p>\n") ==
	    -1))
		return -1;
	return buf_adds(b, "</section>\n");
}

int
unsubscribe_page_write(struct buf *b, const struct unsubscribe_page *pg)
{
	const struct unsubscribe_words	*w[2];
	size_t				 n, i;
	int				 freq = 0;

	if (pg->locale != NULL &&
	    (w[0] = unsubscribe_words_of(pg->locale)) != NULL)
		n = 1;
	else {
		w[0] = unsubscribe_words_of("en");
		w[1] = unsubscribe_words_of("sv");
		n = 2;
	}
	if ((pg->kind == UNSUBSCRIBE_PAGE_CONFIRM ||
	    pg->kind == UNSUBSCRIBE_PAGE_DONE) &&
	    (freq = unsubscribe_frequency(pg->frequency)) == -1)
		return -1;
	if (pg->kind == UNSUBSCRIBE_PAGE_CONFIRM && pg->token == NULL)
		return -1;
	if (buf_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"robots\" content=\"noindex\">\n<title>",
	    w[0]->tag) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if ((i > 0 && buf_adds(b, " / ") == -1) ||
		    html_add(b, w[i]->title, 0) == -1)
			return -1;
	if (buf_printf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n"
	    "<main>\n", unsubscribe_page_style) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (unsubscribe_section(b, pg, w[i], freq, i == 0) == -1)
			return -1;
	return buf_adds(b, "</main>\n</body>\n</html>\n");
}
