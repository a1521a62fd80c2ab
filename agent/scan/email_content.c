// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * EMAIL_CONTENT scoring (model in email_content.h).  One pass over the
 * lines for headers, markers and MIME; phrase lookups for the body cues.
 * Evidence positions are kept so the finding spans the e-mail block, not
 * the whole prompt around it.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "email_content.h"

enum email_sig {
	SIG_HEADERS = 0,
	SIG_FORWARD,
	SIG_MIME,
	SIG_FIELDS,
	SIG_SALUTATION,
	SIG_SIGNOFF,
	SIG_PHRASE,             /* counted per distinct phrase, see below */
	SIG_MAILBOX,
	SIG__COUNT,
};

static const char *const sig_name[SIG__COUNT] = {
	"rfc5322-headers", "forwarded-message", "mime", "email-fields",
	"email-body", "email-body", "email-body", "email-body",
};

#define PHRASES_MAX 8

struct email_state {
	double w[SIG__COUNT];
	double phrase_w[PHRASES_MAX];
	size_t start;           /* evidence extent */
	size_t end;
	int any;
};

static void evidence(struct email_state *st, enum email_sig s, double w, size_t b, size_t e)
{
	if (w > st->w[s])
		st->w[s] = w;
	if (!st->any || b < st->start)
		st->start = b;
	if (!st->any || e > st->end)
		st->end = e;
	st->any = 1;
}

static int ci_prefix(const char *s, size_t n, const char *p)
{
	size_t l = strlen(p);

	return n >= l && !strncasecmp(s, p, l);
}

static const char *ci_find(const char *s, size_t n, const char *w)
{
	size_t l = strlen(w), i;

	unsigned char f = (unsigned char)tolower((unsigned char)w[0]);

	/* w starts with a letter: (c | 0x20) folds ASCII case without a call */
	for (i = 0; i + l <= n; i++)
		if (((unsigned char)s[i] | 0x20) == f && !strncasecmp(s + i, w, l))
			return s + i;
	return NULL;
}

/* --- header lines ------------------------------------------------------------ */

static const char *const header_names[] = {
	"from", "to", "cc", "bcc", "subject", "date", "sent", "reply-to", "message-id",
	"received", "return-path", "mime-version", "content-type", "in-reply-to",
	"references", "delivered-to", "importance", "x-mailer", "x-originating-ip",
	"thread-topic", "dkim-signature", "authentication-results", NULL
};

/* Index+1 of the header name a line starts with ("Subject: ..."), or 0. */
static int header_line(const char *s, size_t n)
{
	size_t i, k;

	for (i = 0; i < n && (isalnum((unsigned char)s[i]) || s[i] == '-'); i++)
		;
	if (!i || i >= n || s[i] != ':' || (i + 1 < n && s[i + 1] != ' ' && s[i + 1] != '\t'))
		return 0;
	for (k = 0; header_names[k]; k++)
		if (strlen(header_names[k]) == i && !strncasecmp(s, header_names[k], i))
			return (int)k + 1;
	if (i > 2 && (s[0] == 'X' || s[0] == 'x') && s[1] == '-')
		return 100;    /* X-Something: a mail header of some agent */
	return 0;
}

static void scan_lines(struct email_state *st, const char *t, size_t n)
{
	size_t i = 0, run_b = 0, run_e = 0;
	unsigned long seen = 0;        /* header names in the current run (bit per name) */
	int run = 0;

	while (i <= n) {
		size_t b = i, e, s;
		int h;

		while (i < n && t[i] != '\n')
			i++;
		e = i++;
		for (s = b; s < e && (t[s] == ' ' || t[s] == '\t' || t[s] == '>'); s++)
			;
		h = header_line(t + s, e - s);
		if (h) {
			if (!run)
				run_b = b;
			run_e = e;
			seen |= 1ul << (h % 63);
			run++;
		} else if (run && (e == s || t[b] == ' ' || t[b] == '\t') && e > s) {
			/* a folded header continues on an indented line */
			run_e = e;
		} else if (run) {
			int names = __builtin_popcountl(seen);

			if (names >= 3)
				evidence(st, SIG_HEADERS, 0.90, run_b, run_e);
			else if (names == 2)
				evidence(st, SIG_HEADERS, 0.60, run_b, run_e);
			run = 0;
			seen = 0;
		}
		/* markers: a dashed rule, "Begin forwarded message:", "On <date>, <name> wrote:" */
		if (e - s >= 10 && memmem(t + s, e - s, "---", 3) &&
		    (ci_find(t + s, e - s, "forwarded message") || ci_find(t + s, e - s, "original message")))
			evidence(st, SIG_FORWARD, 0.75, b, e);
		else if (ci_prefix(t + s, e - s, "begin forwarded message"))
			evidence(st, SIG_FORWARD, 0.75, b, e);
		else if (ci_prefix(t + s, e - s, "on ") && e - s < 200 && e - s > 10 &&
			 e - s >= 6 && !strncasecmp(t + e - 6 - (t[e - 1] == '\r'), "wrote:", 6))
			evidence(st, SIG_FORWARD, 0.75, b, e);
		/* MIME */
		if (ci_prefix(t + s, e - s, "content-type: multipart/") ||
		    ci_prefix(t + s, e - s, "content-transfer-encoding:") ||
		    (ci_prefix(t + s, e - s, "content-type") && ci_find(t + s, e - s, "boundary=")))
			evidence(st, SIG_MIME, 0.80, b, e);
		if (i > n)
			break;
	}
}

/* --- labelled fields (data-set exports: "SUBJECT: x|EMAIL_FROM: y|CONTENT: z") ---- */

static void scan_fields(struct email_state *st, const char *t, size_t n)
{
	static const char *const labels[] = {
		"SUBJECT:", "EMAIL_FROM:", "EMAIL_TO:", "RECEIVED DATE:", "SENT DATE:", "CONTENT:",
		"FROM_EMAIL:", "TO_EMAIL:", NULL
	};
	unsigned int seen = 0;
	size_t i, k, found = 0, b = n, e = 0;

	/* a label starts the text, a line, or follows a '|' separator */
	for (i = 0; i < n; i++) {
		if (i && t[i - 1] != '\n' && t[i - 1] != '|')
			continue;
		for (k = 0; labels[k]; k++) {
			size_t l = strlen(labels[k]);

			if ((seen & (1u << k)) || l > n - i || strncasecmp(t + i, labels[k], l))
				continue;
			seen |= 1u << k;
			found++;
			b = i < b ? i : b;
			e = i + l > e ? i + l : e;
		}
	}
	if (found >= 2)
		evidence(st, SIG_FIELDS, 0.90, b, e);
}

/* --- body cues ------------------------------------------------------------- */

static int is_name_char(unsigned char c)
{
	return isalpha(c) || c == '-' || c == '\'' || c == '.' || c >= 0x80;
}

/* "Hi ChatGPT," "Hello everyone,": a chat greeting as much as a letter's. */
static int generic_addressee(const char *s, size_t n)
{
	static const char *const names[] = {
		"chatgpt", "gpt", "claude", "gemini", "copilot", "assistant", "bot", "ai", "there",
		"everyone", "all", "team", "folks", "guys", "friend", NULL
	};
	const char *const *w;

	while (n && s[0] == ' ') {
		s++;
		n--;
	}
	for (w = names; *w; w++)
		if (strlen(*w) == n && !strncasecmp(s, *w, n))
			return 1;
	return 0;
}

/* "Hi David," "Dear Ms. Smith," "Hello team," at the start of a line. */
static void scan_salutation(struct email_state *st, const char *t, size_t n)
{
	static const char *const greet[] = {
		"hi ", "hello ", "dear ", "hey ", "greetings", "good morning", "good afternoon",
		"good evening", "hi,", "hello,", "hi!", NULL
	};
	size_t i = 0;

	while (i < n) {
		size_t s = i, k;

		while (s < n && (t[s] == ' ' || t[s] == '\t' || t[s] == '\r'))
			s++;
		for (k = 0; greet[k]; k++) {
			size_t l = strlen(greet[k]), j = s + l, words = 0;

			if (!ci_prefix(t + s, n - s, greet[k]))
				continue;
			if (greet[k][l - 1] == ',' || greet[k][l - 1] == '!') {
				evidence(st, SIG_SALUTATION, 0.15, s, j);    /* nameless */
				break;
			}
			/* up to three name words, then ',' (or '!' / ':') */
			while (j < n && words < 4) {
				while (j < n && t[j] == ' ')
					j++;
				if (j >= n || !is_name_char((unsigned char)t[j]))
					break;
				while (j < n && is_name_char((unsigned char)t[j]))
					j++;
				words++;
			}
			if (words && words <= 3 && j < n && (t[j] == ',' || t[j] == '!' || t[j] == ':'))
				evidence(st, SIG_SALUTATION, generic_addressee(t + s + l, j - s - l) ? 0.15 : 0.30,
					  s, j + 1);
			break;
		}
		while (i < n && t[i] != '\n')
			i++;
		i++;
	}
}

static const char *const signoffs[] = {
	"best regards", "kind regards", "warm regards", "regards,", "sincerely,", "yours truly",
	"yours sincerely", "best wishes", "cheers,", "thanks,", "thank you,", "many thanks",
	"best,", "sent from my iphone", "sent from my android", "sent from outlook", NULL
};

static const char *const phrases[PHRASES_MAX + 1] = {
	"reply to this email", "unsubscribe", "this email was sent", "do not reply to this",
	"if you have any questions", "view in browser", "this e-mail and any attachments",
	"the information contained in this email", NULL
};

/*
 * A signature after a sign-off: a short capitalised name on the next line
 * ("Best regards,\nTom Baker"), or closing the text ("Kind regards, HR").
 * A chat ending in "Thanks," has none.
 */
static int signature_after(const char *t, size_t n, size_t i)
{
	size_t words = 0, e;

	while (i < n && (t[i] == ',' || t[i] == ' ' || t[i] == '\t' || t[i] == '\r'))
		i++;
	if (i < n && t[i] == '\n')
		i++;
	for (e = i; e < n && t[e] != '\n' && e - i < 48; e++)
		words += t[e] != ' ' && (e == i || t[e - 1] == ' ');
	return e > i && words <= 4 && isupper((unsigned char)t[i]);
}

/* One pass for the sign-offs and mail phrases: position -> phrases starting with its letter. */
static void scan_body(struct email_state *st, const char *t, size_t n)
{
	const char *p;
	size_t i, k;
	int seen_phrase[PHRASES_MAX] = { 0 }, seen_signoff = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i] | 0x20;

		if (c < 'a' || c > 'z' || (i && isalpha((unsigned char)t[i - 1])))
			continue;
		for (k = 0; !seen_signoff && signoffs[k]; k++) {
			size_t l;

			/* a sign-off starts its line or sentence */
			if ((unsigned char)signoffs[k][0] != c)
				continue;
			l = strlen(signoffs[k]);
			if (l > n - i || strncasecmp(t + i, signoffs[k], l))
				continue;
			if (i && t[i - 1] != '\n' && t[i - 1] != ' ' && t[i - 1] != '.')
				continue;
			evidence(st, SIG_SIGNOFF, signature_after(t, n, i + l) ? 0.35 : 0.20, i, i + l);
			seen_signoff = 1;
		}
		for (k = 0; phrases[k]; k++) {
			size_t l;

			if (seen_phrase[k] || (unsigned char)phrases[k][0] != c)
				continue;
			l = strlen(phrases[k]);
			if (l > n - i || strncasecmp(t + i, phrases[k], l))
				continue;
			seen_phrase[k] = 1;
			st->phrase_w[k] = 0.30;
			evidence(st, SIG_PHRASE, 0.30, i, i + l);
		}
	}
	/* a mailbox: Name <local@domain> */
	for (p = memchr(t, '<', n); p; p = memchr(p + 1, '<', n - (size_t)(p + 1 - t))) {
		size_t rest = n - (size_t)(p - t);
		const char *gt = memchr(p, '>', rest < 80 ? rest : 80), *at;

		if (!gt)
			continue;
		at = memchr(p, '@', (size_t)(gt - p));
		if (at && at > p + 1 && memchr(at, '.', (size_t)(gt - at)) && p > t && p[-1] == ' ') {
			evidence(st, SIG_MAILBOX, 0.20, (size_t)(p - t), (size_t)(gt - t) + 1);
			break;
		}
	}
}

static double combine(const struct email_state *st)
{
	double keep = 1;
	size_t i;

	for (i = 0; i < SIG__COUNT; i++)
		if (i != SIG_PHRASE)
			keep *= 1 - st->w[i];
	for (i = 0; i < PHRASES_MAX; i++)
		keep *= 1 - st->phrase_w[i];
	return 1 - keep;
}

static double analyse(const char *t, size_t n, struct email_state *st)
{
	memset(st, 0, sizeof(*st));
	scan_lines(st, t, n);
	scan_fields(st, t, n);
	scan_salutation(st, t, n);
	scan_body(st, t, n);
	return combine(st);
}

/* The block: from the first evidence line to the end of the paragraph after the last. */
static void block(const char *t, size_t n, const struct email_state *st, size_t *b, size_t *e)
{
	size_t s = st->start, f = st->end;

	while (s > 0 && t[s - 1] != '\n')
		s--;
	/* the body runs on to a blank line after the last cue, or the end */
	while (f < n && !(t[f] == '\n' && f + 1 < n && t[f + 1] == '\n'))
		f++;
	while (f > s && isspace((unsigned char)t[f - 1]))
		f--;
	*b = s;
	*e = f;
}

int email_content_scan(const char *text, size_t len, struct scan_result *out)
{
	struct email_state st;
	struct scan_finding f = { .category = SCAN_CAT_EMAIL_CONTENT };
	double score;
	size_t i, best = 0;
	int err;

	if (!text && len)
		return -EINVAL;
	if (!len)
		return 0;
	score = analyse(text, len, &st);
	if (score < EMAIL_SCORE_MIN || !st.any)
		return 0;
	for (i = 1; i < SIG__COUNT; i++)
		if (st.w[i] > st.w[best])
			best = i;
	block(text, len, &st, &f.start, &f.end);
	if (f.end <= f.start)
		return 0;
	f.score = score;
	f.confidence = score >= 0.85 ? SCAN_CONF_HIGH : score >= 0.65 ? SCAN_CONF_MEDIUM : SCAN_CONF_LOW;
	memcpy(f.type, EMAIL_TYPE, sizeof(EMAIL_TYPE));
	strncpy(f.detail, sig_name[best], sizeof(f.detail) - 1);
	err = out ? scan_result_push(out, &f) : 0;
	return err ? err : 1;
}

double email_content_score(const char *text, size_t len)
{
	struct email_state st;

	return text && len ? analyse(text, len, &st) : 0;
}
