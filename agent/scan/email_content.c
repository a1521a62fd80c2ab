// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * EMAIL_CONTENT scoring (model in email_content.h).  One pass over the
 * lines for headers, markers, MIME and salutations; one over the separators
 * for labelled fields; one over the word starts for sign-offs and phrases.
 * Evidence positions are kept so the finding spans the e-mail block, not
 * the whole prompt around it.
 *
 * Every string of every request body comes through here and almost none is
 * mail, so each pass rejects ordinary prose on a byte or two before it pays
 * for a case-insensitive compare.  Evidence is a max/min merge, so the
 * order the passes find it in does not change the result.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

/*
 * The first byte of s[0..n) with ASCII case folded, 0 when empty.  The
 * agent runs in the C locale, where strncasecmp() folds exactly these
 * letters, so a lead that differs rules a keyword out without the call.
 */
static unsigned char lead(const char *s, size_t n)
{
	return n ? (unsigned char)s[0] | 0x20 : 0;
}

/*
 * Four bytes with ASCII case folded the same way: a compare of one word
 * where a keyword needs at least four bytes to match.  Byte by byte so
 * constants fold at compile time and the order does not depend on the
 * machine; the compiler makes it a single load.
 */
#define FOLD4(x)                                                                   \
	((uint32_t)(unsigned char)(x)[0] | (uint32_t)(unsigned char)(x)[1] << 8 |   \
	 (uint32_t)(unsigned char)(x)[2] << 16 | (uint32_t)(unsigned char)(x)[3] << 24 | \
	 0x20202020u)

static uint32_t fold4(const char *s)
{
	return FOLD4(s);
}

/* A "---" rule in s[0..n)?  memchr() strides over the prose between dashes. */
static int has_rule(const char *s, size_t n)
{
	const char *p, *end = s + n;

	for (p = memchr(s, '-', n); p && end - p >= 3; p = memchr(p + 1, '-', (size_t)(end - p - 1)))
		if (p[1] == '-' && p[2] == '-')
			return 1;
	return 0;
}

struct name {
	const char *s;
	size_t len;             /* bytes, without the NUL */
};

#define NAME(x) { x, sizeof(x) - 1 }

/* --- header lines ------------------------------------------------------------ */

/* The index (+1) is the header's bit in a run, so the order is fixed. */
static const struct name header_names[] = {
	NAME("from"), NAME("to"), NAME("cc"), NAME("bcc"), NAME("subject"), NAME("date"),
	NAME("sent"), NAME("reply-to"), NAME("message-id"), NAME("received"), NAME("return-path"),
	NAME("mime-version"), NAME("content-type"), NAME("in-reply-to"), NAME("references"),
	NAME("delivered-to"), NAME("importance"), NAME("x-mailer"), NAME("x-originating-ip"),
	NAME("thread-topic"), NAME("dkim-signature"), NAME("authentication-results"), { NULL, 0 }
};

/* Index+1 of the header name a line starts with ("Subject: ..."), or 0. */
static int header_line(const char *s, size_t n)
{
	size_t i, k;

	for (i = 0; i < n && (isalnum((unsigned char)s[i]) || s[i] == '-'); i++)
		;
	if (!i || i >= n || s[i] != ':' || (i + 1 < n && s[i + 1] != ' ' && s[i + 1] != '\t'))
		return 0;
	for (k = 0; header_names[k].s; k++)
		if (header_names[k].len == i && !strncasecmp(s, header_names[k].s, i))
			return (int)k + 1;
	if (i > 2 && (s[0] == 'X' || s[0] == 'x') && s[1] == '-')
		return 100;    /* X-Something: a mail header of some agent */
	return 0;
}

/* The line t[s..e): a dashed rule, "Begin forwarded message:", "On <date>, <name> wrote:" */
static int forward_marker(const char *t, size_t s, size_t e)
{
	size_t n = e - s;

	if (n >= 10 && has_rule(t + s, n) &&
	    (ci_find(t + s, n, "forwarded message") || ci_find(t + s, n, "original message")))
		return 1;
	switch (lead(t + s, n)) {
	case 'b':
		return ci_prefix(t + s, n, "begin forwarded message");
	case 'o':
		return ci_prefix(t + s, n, "on ") && n < 200 && n > 10 &&
		       !strncasecmp(t + e - 6 - (t[e - 1] == '\r'), "wrote:", 6);
	default:
		return 0;
	}
}

/* The line t[s..e) declares a multipart body or an encoded MIME part. */
static int mime_line(const char *t, size_t s, size_t e)
{
	const char *l = t + s;
	size_t n = e - s;

	/* all three start with "content-" */
	if (n < 12 || fold4(l) != FOLD4("cont") || !ci_prefix(l, n, "content-"))
		return 0;
	return ci_prefix(l, n, "content-type: multipart/") || ci_prefix(l, n, "content-transfer-encoding:") ||
	       (ci_prefix(l, n, "content-type") && ci_find(l, n, "boundary="));
}

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

/* "Hi David," "Dear Ms. Smith," "Hello team," at the start of the line at t[i]. */
static void salutation(struct email_state *st, const char *t, size_t n, size_t i)
{
	static const char *const greet[] = {
		"hi ", "hello ", "dear ", "hey ", "greetings", "good morning", "good afternoon",
		"good evening", "hi,", "hello,", "hi!", NULL
	};
	size_t s = i, k;
	unsigned char c, c2;

	while (s < n && (t[s] == ' ' || t[s] == '\t' || t[s] == '\r'))
		s++;
	/* the letters the greetings above start with */
	c = lead(t + s, n - s);
	if (c != 'h' && c != 'd' && c != 'g')
		return;
	c2 = lead(t + s + 1, n - s - 1);
	for (k = 0; greet[k]; k++) {
		size_t l = strlen(greet[k]), j = s + l, words = 0;

		if (greet[k][0] != c || greet[k][1] != c2 || !ci_prefix(t + s, n - s, greet[k]))
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
}

/* Header runs, markers, MIME and salutations: everything that starts a line. */
static void scan_lines(struct email_state *st, const char *t, size_t n)
{
	size_t i = 0, run_b = 0, run_e = 0;
	unsigned long seen = 0;        /* header names in the current run (bit per name) */
	int run = 0;

	while (i <= n) {
		const char *nl = memchr(t + i, '\n', n - i);
		size_t b = i, e = nl ? (size_t)(nl - t) : n, s;
		int h;

		i = e + 1;
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
		if (forward_marker(t, s, e))
			evidence(st, SIG_FORWARD, 0.75, b, e);
		if (mime_line(t, s, e))
			evidence(st, SIG_MIME, 0.80, b, e);
		if (b < n)
			salutation(st, t, n, b);
	}
}

/* --- labelled fields (data-set exports: "SUBJECT: x|EMAIL_FROM: y|CONTENT: z") ---- */

static void scan_fields(struct email_state *st, const char *t, size_t n)
{
	static const struct name labels[] = {
		NAME("SUBJECT:"), NAME("EMAIL_FROM:"), NAME("EMAIL_TO:"), NAME("RECEIVED DATE:"),
		NAME("SENT DATE:"), NAME("CONTENT:"), NAME("FROM_EMAIL:"), NAME("TO_EMAIL:"), { NULL, 0 }
	};
	const char *nl = memchr(t, '\n', n), *bar = memchr(t, '|', n), *sep;
	unsigned int seen = 0;
	size_t i = 0, k, found = 0, b = n, e = 0;

	/* a label starts the text, a line, or follows a '|' separator */
	for (;;) {
		for (k = 0; i < n && labels[k].s; k++) {
			size_t l = labels[k].len;

			if ((seen & (1u << k)) || l > n - i || lead(t + i, 1) != (labels[k].s[0] | 0x20) ||
			    strncasecmp(t + i, labels[k].s, l))
				continue;
			seen |= 1u << k;
			found++;
			b = i < b ? i : b;
			e = i + l > e ? i + l : e;
		}
		sep = !bar || (nl && nl < bar) ? nl : bar;
		if (!sep)
			break;
		i = (size_t)(sep - t) + 1;
		if (sep == nl)
			nl = memchr(t + i, '\n', n - i);
		else
			bar = memchr(t + i, '|', n - i);
	}
	if (found >= 2)
		evidence(st, SIG_FIELDS, 0.90, b, e);
}

/* --- body cues ------------------------------------------------------------- */

/*
 * Sign-offs, then mail-only phrases (with their phrase_w[] slot), in the
 * order they are tried at a word start.  Listed once, expanded into the
 * table and into the filter below.
 */
#define SIGNOFFS(X)                                                                     \
	X(-1, "best regards") X(-1, "kind regards") X(-1, "warm regards") X(-1, "regards,") \
	X(-1, "sincerely,") X(-1, "yours truly") X(-1, "yours sincerely")                  \
	X(-1, "best wishes") X(-1, "cheers,") X(-1, "thanks,") X(-1, "thank you,")         \
	X(-1, "many thanks") X(-1, "best,") X(-1, "sent from my iphone")                   \
	X(-1, "sent from my android") X(-1, "sent from outlook")
#define PHRASES(X)                                                                      \
	X(0, "reply to this email") X(1, "unsubscribe") X(2, "this email was sent")        \
	X(3, "do not reply to this") X(4, "if you have any questions")                     \
	X(5, "view in browser") X(6, "this e-mail and any attachments")                    \
	X(7, "the information contained in this email")

/* Every cue is at least CUE_KEY bytes long; the array size check refuses a shorter one. */
#define CUE_KEY 5
#define CUE_LEN(x) (sizeof(x) - 1 + 0 * sizeof(char[sizeof(x) > CUE_KEY ? 1 : -1]))

struct cue {
	const char *s;
	size_t len;             /* bytes */
	uint32_t head;          /* fold4() of the first four bytes */
	int phrase;             /* slot in phrase_w[], -1 for a sign-off */
};

#define CUE(k, x) { x, CUE_LEN(x), FOLD4(x), k },
static const struct cue cues[] = { SIGNOFFS(CUE) PHRASES(CUE) { NULL, 0, 0, 0 } };

/*
 * A 256-bit Bloom filter (two probes) over the first CUE_KEY bytes with
 * ASCII case folded: prose words almost never pass it, and a match under
 * strncasecmp() in the C locale always does.  The same macros hash the
 * constants at compile time and the text at run time.
 */
#define KEY_MIX(x) \
	((uint64_t)(FOLD4(x) ^ ((uint32_t)(unsigned char)(x)[4] | 0x20) << 5) * 0x9e3779b97f4a7c15u)
#define KEY_PROBE(x, p) ((unsigned int)(KEY_MIX(x) >> (56 - 8 * (p))) & 255)
#define KEY_BIT(w, x, p) (KEY_PROBE(x, p) >> 6 == (w) ? (uint64_t)1 << (KEY_PROBE(x, p) & 63) : 0)
#define KEY_BITS(w, x) (KEY_BIT(w, x, 0) | KEY_BIT(w, x, 1))
#define KEY_BITS0(k, x) | KEY_BITS(0, x)
#define KEY_BITS1(k, x) | KEY_BITS(1, x)
#define KEY_BITS2(k, x) | KEY_BITS(2, x)
#define KEY_BITS3(k, x) | KEY_BITS(3, x)

static const uint64_t cue_keys[4] = {
	0 SIGNOFFS(KEY_BITS0) PHRASES(KEY_BITS0), 0 SIGNOFFS(KEY_BITS1) PHRASES(KEY_BITS1),
	0 SIGNOFFS(KEY_BITS2) PHRASES(KEY_BITS2), 0 SIGNOFFS(KEY_BITS3) PHRASES(KEY_BITS3),
};

static int maybe_cue(const char *s)
{
	uint64_t mix = KEY_MIX(s);
	unsigned int p0 = (unsigned int)(mix >> 56), p1 = (unsigned int)(mix >> 48) & 255;

	/* the first probe alone turns most words away */
	return (cue_keys[p0 >> 6] & (uint64_t)1 << (p0 & 63)) &&
	       (cue_keys[p1 >> 6] & (uint64_t)1 << (p1 & 63));
}

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

struct body_seen {
	int signoff;
	int phrase[PHRASES_MAX];
};

/* The cues at t[i], an ASCII letter, if it starts a word. */
static void body_cues(struct email_state *st, const char *t, size_t n, size_t i, struct body_seen *seen)
{
	uint32_t head = fold4(t + i);
	const struct cue *q;

	if (i && isalpha((unsigned char)t[i - 1]))
		return;
	for (q = cues; q->s; q++) {
		if (q->head != head || (q->phrase < 0 ? seen->signoff : seen->phrase[q->phrase]))
			continue;
		if (q->len > n - i || strncasecmp(t + i, q->s, q->len))
			continue;
		if (q->phrase >= 0) {
			seen->phrase[q->phrase] = 1;
			st->phrase_w[q->phrase] = 0.30;
			evidence(st, SIG_PHRASE, 0.30, i, i + q->len);
			continue;
		}
		/* a sign-off starts its line or sentence */
		if (i && t[i - 1] != '\n' && t[i - 1] != ' ' && t[i - 1] != '.')
			continue;
		evidence(st, SIG_SIGNOFF, signature_after(t, n, i + q->len) ? 0.35 : 0.20, i, i + q->len);
		seen->signoff = 1;
	}
}

/* Bit j set: p[j] is an ASCII letter (64 bytes). */
static uint64_t letters64(const unsigned char *p)
{
	uint64_t m = 0;
	unsigned int j;

#ifdef __SSE2__
	/* (c | 0x20) - 'a' < 26 unsigned, as a signed compare with 'a' moved to -128 */
	for (j = 0; j < 64; j += 16) {
		__m128i v = _mm_or_si128(_mm_loadu_si128((const __m128i *)(p + j)), _mm_set1_epi8(0x20));

		v = _mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - 'a')));
		m |= (uint64_t)(unsigned int)_mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8((char)(0x80 + 26))))
		     << j;
	}
#else
	for (j = 0; j < 64; j++)
		m |= (uint64_t)((unsigned char)((p[j] | 0x20) - 'a') < 26) << j;
#endif
	return m;
}

/*
 * The letter bits of t[base..n) that fall in a 64-byte block.  A short
 * last block is read as the last 64 bytes of the text rather than copied:
 * loads from a fresh copy would stall on store forwarding.
 */
static uint64_t letters_at(const char *t, size_t n, size_t base)
{
	unsigned char tmp[64] = { 0 };         /* NULs are not letters */
	size_t left = n - base;

	if (left >= 64)
		return letters64((const unsigned char *)t + base);
	if (n >= 64)
		return letters64((const unsigned char *)t + n - 64) >> (64 - left);
	memcpy(tmp, t, n);                     /* base is 0 */
	return letters64(tmp);
}

/*
 * Sign-offs and mail phrases start at a word: find the word starts 64
 * bytes at a time and compare only those passing the key filter.  The
 * letter test is ASCII; body_cues() applies isalpha() to the byte before,
 * as a word start always was.
 */
static void scan_words(struct email_state *st, const char *t, size_t n)
{
	struct body_seen seen = { 0 };
	uint64_t prev = 0;             /* the byte before the block is a letter */
	size_t base;

	for (base = 0; base + CUE_KEY <= n; base += 64) {
		uint64_t l = letters_at(t, n, base), m = l & ~(l << 1 | prev);

		prev = l >> 63;
		for (; m; m &= m - 1) {
			size_t i = base + (size_t)__builtin_ctzll(m);

			/* a cue is at least CUE_KEY bytes; the filter reads that many */
			if (n - i >= CUE_KEY && maybe_cue(t + i))
				body_cues(st, t, n, i, &seen);
		}
	}
}

/* A mailbox: Name <local@domain> */
static void scan_mailbox(struct email_state *st, const char *t, size_t n)
{
	const char *p;

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
	scan_words(st, t, n);
	scan_mailbox(st, t, n);
	/* without evidence every factor is 1: the same 0, without the multiplies */
	return st->any ? combine(st) : 0;
}

/* The block: from the first evidence line to the end of the paragraph after the last. */
static void block(const char *t, size_t n, const struct email_state *st, size_t *b, size_t *e)
{
	const char *nl = memrchr(t, '\n', st->start);
	size_t s = nl ? (size_t)(nl - t) + 1 : 0, f = st->end;

	/* the body runs on to a blank line after the last cue, or the end */
	for (nl = memchr(t + f, '\n', n - f); nl && !(nl + 1 < t + n && nl[1] == '\n');
	     nl = memchr(nl + 1, '\n', n - (size_t)(nl + 1 - t)))
		;
	f = nl ? (size_t)(nl - t) : n;
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
