/*
 * The emails' words in English, Swedish, Danish and Norwegian (bokmål),
 * and the formatting of amounts and digest periods in each.
 */
#include <stdio.h>
#include <string.h>

#include "../common/money.h"
#include "mail_text.h"

static const struct mail_text mail_text_en = {
	.digest_subject_one_fmt = {
		"Daily summary: %s — %s",
		"Weekly summary: %s — %s",
		"Monthly summary: %s — %s",
	},
	.digest_subject_many_fmt = "%s clients with open tasks — %s",
	.reminder_subject_fmt = "Reminder: %s",
	.greeting_fmt = "Hello %s,",
	.greeting_anon = "Hello,",
	.digest_intro_fmt = "Here is your summary of your clients at %s "
	    "for %s.",
	.balance = "Balance",
	.missing_receipts = "Missing receipts",
	.export_ready = "Ready for export",
	.attention = "Needs attention",
	.alert = { "Low balance", "Many missing receipts",
	    "Old missing receipts" },
	.alert_new_fmt = "%s (new)",
	.this_month = "This month",
	.month_fmt = "%s exported, %s ready, %s pending",
	.open_client = "Open client",
	.summary_missing_fmt = {
		{ "%s client has %s missing receipt.",
		    "%s client has %s missing receipts." },
		{ "%s clients have %s missing receipt.",
		    "%s clients have %s missing receipts." },
	},
	.summary_ready_fmt = { "%s expense is ready for export.",
	    "%s expenses are ready for export." },
	.summary_attention_fmt = { "%s client needs attention.",
	    "%s clients need attention." },
	.client = "Client",
	.digest_footer = "You receive this email because you subscribed to "
	    "summaries for these clients. To stop them, use the unsubscribe "
	    "button of your mail program or change the client's notification "
	    "setting in the portal.",
	.reminder_intro_fmt = "%s at %s asks you to look at the client %s:",
	.comment_fmt = "Comment from %s:",
	.reminder_footer_fmt = "You receive this email because %s sent a "
	    "reminder to the bookkeepers assigned to this client.",
	.webhook_subject = "A webhook endpoint was disabled",
	.webhook_intro_fmt = "The webhook endpoint %s registered for %s has "
	    "failed to take its events for three days, and no more are sent "
	    "to it.",
	.webhook_action = "Its deliveries list in the portal shows each "
	    "attempt and why it failed. Once the endpoint answers again, "
	    "enable it: the events that waited are sent then.",
	.webhook_footer = "You receive this email because you are an "
	    "administrator of this firm.",
	.signature = "Best regards",
	.manage_notifications = "Manage notifications",
	.unsubscribe = "Unsubscribe",
};

static const struct mail_text mail_text_sv = {
	.digest_subject_one_fmt = {
		"Daglig sammanfattning: %s — %s",
		"Veckosammanfattning: %s — %s",
		"Månadssammanfattning: %s — %s",
	},
	.digest_subject_many_fmt = "%s kunder med utestående uppgifter — %s",
	.reminder_subject_fmt = "Påminnelse: %s",
	.greeting_fmt = "Hej %s,",
	.greeting_anon = "Hej,",
	.digest_intro_fmt = "Här är din sammanfattning av kunderna hos %s "
	    "för %s.",
	.balance = "Saldo",
	.missing_receipts = "Saknade kvitton",
	.export_ready = "Klara för export",
	.attention = "Behöver åtgärdas",
	.alert = { "Lågt saldo", "Många saknade kvitton",
	    "Gamla saknade kvitton" },
	.alert_new_fmt = "%s (nytt)",
	.this_month = "Denna månad",
	.month_fmt = "%s exporterade, %s klara, %s väntande",
	.open_client = "Öppna kunden",
	.summary_missing_fmt = {
		{ "%s kund har %s saknat kvitto.",
		    "%s kund har %s saknade kvitton." },
		{ "%s kunder har %s saknat kvitto.",
		    "%s kunder har %s saknade kvitton." },
	},
	.summary_ready_fmt = { "%s utgift är klar för export.",
	    "%s utgifter är klara för export." },
	.summary_attention_fmt = { "%s kund behöver åtgärdas.",
	    "%s kunder behöver åtgärdas." },
	.client = "Kund",
	.digest_footer = "Du får det här mejlet för att du prenumererar på "
	    "sammanfattningar för de här kunderna. Avsluta med knappen för "
	    "att avprenumerera i ditt e-postprogram, eller ändra "
	    "aviseringarna för kunden i portalen.",
	.reminder_intro_fmt = "%s på %s ber dig se över kunden %s:",
	.comment_fmt = "Kommentar från %s:",
	.reminder_footer_fmt = "Du får det här mejlet för att %s skickade "
	    "en påminnelse till de bokförare som är tilldelade kunden.",
	.webhook_subject = "En webhook-mottagare har stängts av",
	.webhook_intro_fmt = "Webhook-mottagaren %s, registrerad för %s, "
	    "har inte tagit emot sina händelser på tre dagar, och inga fler "
	    "skickas till den.",
	.webhook_action = "Dess leveranslista i portalen visar varje försök "
	    "och varför det misslyckades. När mottagaren svarar igen, slå på "
	    "den: händelserna som väntat skickas då.",
	.webhook_footer = "Du får det här mejlet för att du är administratör "
	    "för den här byrån.",
	.signature = "Vänliga hälsningar",
	.manage_notifications = "Hantera aviseringar",
	.unsubscribe = "Avsluta prenumerationen",
};

static const struct mail_text mail_text_da = {
	.digest_subject_one_fmt = {
		"Daglig oversigt: %s — %s",
		"Ugeoversigt: %s — %s",
		"Månedsoversigt: %s — %s",
	},
	.digest_subject_many_fmt = "%s kunder med åbne opgaver — %s",
	.reminder_subject_fmt = "Påmindelse: %s",
	.greeting_fmt = "Hej %s,",
	.greeting_anon = "Hej,",
	.digest_intro_fmt = "Her er din oversigt over kunderne hos %s for %s.",
	.balance = "Saldo",
	.missing_receipts = "Manglende bilag",
	.export_ready = "Klar til eksport",
	.attention = "Kræver handling",
	.alert = { "Lav saldo", "Mange manglende kvitteringer",
	    "Gamle manglende kvitteringer" },
	.alert_new_fmt = "%s (ny)",
	.this_month = "Denne måned",
	.month_fmt = "%s eksporteret, %s klar, %s afventer",
	.open_client = "Åbn kunden",
	.summary_missing_fmt = {
		{ "%s kunde mangler %s bilag.", "%s kunde mangler %s bilag." },
		{ "%s kunder mangler %s bilag.",
		    "%s kunder mangler %s bilag." },
	},
	.summary_ready_fmt = { "%s udgift er klar til eksport.",
	    "%s udgifter er klar til eksport." },
	.summary_attention_fmt = { "%s kunde kræver handling.",
	    "%s kunder kræver handling." },
	.client = "Kunde",
	.digest_footer = "Du modtager denne e-mail, fordi du abonnerer på "
	    "oversigter for disse kunder. Du kan afmelde dig med "
	    "afmeldingsknappen i dit mailprogram eller ændre notifikationerne "
	    "for kunden i portalen.",
	.reminder_intro_fmt = "%s hos %s beder dig se på kunden %s:",
	.comment_fmt = "Kommentar fra %s:",
	.reminder_footer_fmt = "Du modtager denne e-mail, fordi %s har sendt "
	    "en påmindelse til de bogholdere, der er tilknyttet kunden.",
	.webhook_subject = "En webhook-modtager er slået fra",
	.webhook_intro_fmt = "Webhook-modtageren %s, registreret for %s, har "
	    "ikke modtaget sine hændelser i tre dage, og der sendes ikke flere "
	    "til den.",
	.webhook_action = "Dens leveringsliste i portalen viser hvert forsøg, "
	    "og hvorfor det mislykkedes. Når modtageren svarer igen, så slå "
	    "den til: de hændelser, der har ventet, sendes da.",
	.webhook_footer = "Du modtager denne e-mail, fordi du er administrator "
	    "for dette firma.",
	.signature = "Med venlig hilsen",
	.manage_notifications = "Administrer notifikationer",
	.unsubscribe = "Afmeld",
};

static const struct mail_text mail_text_nb = {
	.digest_subject_one_fmt = {
		"Daglig oversikt: %s — %s",
		"Ukeoversikt: %s — %s",
		"Månedsoversikt: %s — %s",
	},
	.digest_subject_many_fmt = "%s kunder med åpne oppgaver — %s",
	.reminder_subject_fmt = "Påminnelse: %s",
	.greeting_fmt = "Hei %s,",
	.greeting_anon = "Hei,",
	.digest_intro_fmt = "Her er oversikten over kundene dine hos %s "
	    "for %s.",
	.balance = "Saldo",
	.missing_receipts = "Manglende kvitteringer",
	.export_ready = "Klar for eksport",
	.attention = "Trenger oppfølging",
	.alert = { "Lav saldo", "Mange manglende kvitteringer",
	    "Gamle manglende kvitteringer" },
	.alert_new_fmt = "%s (ny)",
	.this_month = "Denne måneden",
	.month_fmt = "%s eksportert, %s klare, %s venter",
	.open_client = "Åpne kunden",
	.summary_missing_fmt = {
		{ "%s kunde mangler %s kvittering.",
		    "%s kunde mangler %s kvitteringer." },
		{ "%s kunder mangler %s kvittering.",
		    "%s kunder mangler %s kvitteringer." },
	},
	.summary_ready_fmt = { "%s utgift er klar for eksport.",
	    "%s utgifter er klare for eksport." },
	.summary_attention_fmt = { "%s kunde trenger oppfølging.",
	    "%s kunder trenger oppfølging." },
	.client = "Kunde",
	.digest_footer = "Du mottar denne e-posten fordi du abonnerer på "
	    "oversikter for disse kundene. Du kan melde deg av med "
	    "avmeldingsknappen i e-postprogrammet ditt eller endre varslene "
	    "for kunden i portalen.",
	.reminder_intro_fmt = "%s hos %s ber deg se på kunden %s:",
	.comment_fmt = "Kommentar fra %s:",
	.reminder_footer_fmt = "Du mottar denne e-posten fordi %s har sendt "
	    "en påminnelse til regnskapsførerne som er tildelt kunden.",
	.webhook_subject = "En webhook-mottaker er slått av",
	.webhook_intro_fmt = "Webhook-mottakeren %s, registrert for %s, har "
	    "ikke tatt imot hendelsene sine på tre dager, og det sendes ikke "
	    "flere til den.",
	.webhook_action = "Leveringslisten i portalen viser hvert forsøk og "
	    "hvorfor det mislyktes. Når mottakeren svarer igjen, slå den på: "
	    "hendelsene som har ventet, sendes da.",
	.webhook_footer = "Du mottar denne e-posten fordi du er administrator "
	    "for dette firmaet.",
	.signature = "Med vennlig hilsen",
	.manage_notifications = "Administrer varsler",
	.unsubscribe = "Meld av",
};

static const char *const mail_months[4][12] = {
	[MAIL_LOCALE_EN] = { "January", "February", "March", "April", "May",
	    "June", "July", "August", "September", "October", "November",
	    "December" },
	[MAIL_LOCALE_SV] = { "januari", "februari", "mars", "april", "maj",
	    "juni", "juli", "augusti", "september", "oktober", "november",
	    "december" },
	[MAIL_LOCALE_DA] = { "januar", "februar", "marts", "april", "maj",
	    "juni", "juli", "august", "september", "oktober", "november",
	    "december" },
	[MAIL_LOCALE_NB] = { "januar", "februar", "mars", "april", "mai",
	    "juni", "juli", "august", "september", "oktober", "november",
	    "desember" },
};

static const char *const mail_week_word[4] = {
	[MAIL_LOCALE_EN] = "week",
	[MAIL_LOCALE_SV] = "vecka",
	[MAIL_LOCALE_DA] = "uge",
	[MAIL_LOCALE_NB] = "uke",
};

const char *
mail_locale_tag(enum mail_locale l)
{
	switch (l) {
	case MAIL_LOCALE_SV:
		return "sv";
	case MAIL_LOCALE_DA:
		return "da";
	case MAIL_LOCALE_NB:
		return "nb";
	case MAIL_LOCALE_EN:
		break;
	}
	return "en";
}

const struct mail_text *
mail_text_get(enum mail_locale l)
{
	switch (l) {
	case MAIL_LOCALE_SV:
		return &mail_text_sv;
	case MAIL_LOCALE_DA:
		return &mail_text_da;
	case MAIL_LOCALE_NB:
		return &mail_text_nb;
	case MAIL_LOCALE_EN:
		break;
	}
	return &mail_text_en;
}

/* Parses exactly n decimal digits at s into *v. */
static int
mail_digits(const char *s, int n, int *v)
{
	int	 i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int
mail_period_format(enum mail_locale l, const char *p, char *out,
    size_t outlen)
{
	const char	*dot;
	size_t		 len;
	int		 year, month, day, week, n;

	if (p == NULL || (size_t)l > MAIL_LOCALE_NB)
		return -1;
	len = strlen(p);
	if (mail_digits(p, 4, &year) == -1 || len < 7 || p[4] != '-')
		return -1;
	dot = l == MAIL_LOCALE_DA || l == MAIL_LOCALE_NB ? "." : "";
	if (len == 8 && p[5] == 'W') {
		if (mail_digits(p + 6, 2, &week) == -1 || week < 1 || week > 53)
			return -1;
		n = snprintf(out, outlen, "%s %d", mail_week_word[l], week);
	} else if (len == 7) {
		if (mail_digits(p + 5, 2, &month) == -1 || month < 1 ||
		    month > 12)
			return -1;
		n = snprintf(out, outlen, "%s %d", mail_months[l][month - 1],
		    year);
	} else if (len == 10 && p[7] == '-') {
		if (mail_digits(p + 5, 2, &month) == -1 || month < 1 ||
		    month > 12 || mail_digits(p + 8, 2, &day) == -1 ||
		    day < 1 || day > 31)
			return -1;
		n = snprintf(out, outlen, "%d%s %s %d", day, dot,
		    mail_months[l][month - 1], year);
	} else
		return -1;
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}
