// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * EMAIL_CONTENT scoring (model in email_content.h).  One pass over the
 * lines for headers, markers, MIME, salutations and the labelled fields
 * that start a line; one over the '|' separators for the other labels; one
 * over the word starts for sign-offs and phrases.
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

/* --- labelled fields (data-set exports: "SUBJECT: x|EMAIL_FROM: y|CONTENT: z") ---- */

static const struct name labels[] = {
	NAME("SUBJECT:"), NAME("EMAIL_FROM:"), NAME("EMAIL_TO:"), NAME("RECEIVED DATE:"),
	NAME("SENT DATE:"), NAME("CONTENT:"), NAME("FROM_EMAIL:"), NAME("TO_EMAIL:"), { NULL, 0 }
};

#define LABELS_MAX 8

/* The first place each label is found (a bit in seen when it is). */
struct fields {
	unsigned int seen;
	size_t at[LABELS_MAX];
};

/*
 * A label at t[i], where the text or a line starts or a '|' ends.  The
 * starts come from two walks, so each label keeps the earliest of its
 * places: the one a walk in text order would have met first.
 */
static void field_at(struct fields *fl, const char *t, size_t n, size_t i)
{
	size_t k;

	/* the letters the labels start with: c e f r s t */
	switch (lead(t + i, n - i)) {
	case 'c': case 'e': case 'f': case 'r': case 's': case 't':
		break;
	default:
		return;
	}
	for (k = 0; labels[k].s; k++) {
		size_t l = labels[k].len;

		if (l > n - i || lead(t + i, 1) != (labels[k].s[0] | 0x20) || strncasecmp(t + i, labels[k].s, l))
			continue;
		if (!(fl->seen & (1u << k)) || i < fl->at[k])
			fl->at[k] = i;
		fl->seen |= 1u << k;
	}
}

/* The labels after each '|', then the evidence of all that were found. */
static void scan_fields(struct email_state *st, struct fields *fl, const char *t, size_t n)
{
	const char *bar;
	size_t k, b = n, e = 0;

	for (bar = memchr(t, '|', n); bar; bar = memchr(bar + 1, '|', n - (size_t)(bar + 1 - t)))
		field_at(fl, t, n, (size_t)(bar + 1 - t));
	if (!(fl->seen & (fl->seen - 1)))      /* fewer than two */
		return;
	for (k = 0; labels[k].s; k++) {
		if (!(fl->seen & (1u << k)))
			continue;
		b = fl->at[k] < b ? fl->at[k] : b;
		e = fl->at[k] + labels[k].len > e ? fl->at[k] + labels[k].len : e;
	}
	evidence(st, SIG_FIELDS, 0.90, b, e);
}

/* Header runs, markers, MIME, salutations and labels: everything that starts a line. */
static void scan_lines(struct email_state *st, struct fields *fl, const char *t, size_t n)
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
		if (b < n) {
			salutation(st, t, n, b);
			field_at(fl, t, n, b);
		}
	}
}

/* --- body cues ------------------------------------------------------------- */

/*
 * Sign-offs, then mail-only phrases (with their phrase_w[] slot), in the
 * order they are tried at a word start.  Listed once, expanded into the
 * table and into the filter below.
 */
#define SIGNOFFS(X, a)                                                                          \
	X(a, -1, "best regards") X(a, -1, "kind regards") X(a, -1, "warm regards")                 \
	X(a, -1, "regards,") X(a, -1, "sincerely,") X(a, -1, "yours truly")                        \
	X(a, -1, "yours sincerely") X(a, -1, "best wishes") X(a, -1, "cheers,")                    \
	X(a, -1, "thanks,") X(a, -1, "thank you,") X(a, -1, "many thanks") X(a, -1, "best,")       \
	X(a, -1, "sent from my iphone") X(a, -1, "sent from my android") X(a, -1, "sent from outlook")
#define PHRASES(X, a)                                                                           \
	X(a, 0, "reply to this email") X(a, 1, "unsubscribe") X(a, 2, "this email was sent")       \
	X(a, 3, "do not reply to this") X(a, 4, "if you have any questions")                       \
	X(a, 5, "view in browser") X(a, 6, "this e-mail and any attachments")                      \
	X(a, 7, "the information contained in this email")

/* Every cue is at least CUE_KEY bytes long; the array size check refuses a shorter one. */
#define CUE_KEY 5
#define CUE_LEN(x) (sizeof(x) - 1 + 0 * sizeof(char[sizeof(x) > CUE_KEY ? 1 : -1]))

struct cue {
	const char *s;
	size_t len;             /* bytes */
	uint32_t head;          /* fold4() of the first four bytes */
	int phrase;             /* slot in phrase_w[], -1 for a sign-off */
};

#define CUE(a, k, x) { x, CUE_LEN(x), FOLD4(x), k },
static const struct cue cues[] = { SIGNOFFS(CUE, 0) PHRASES(CUE, 0) { NULL, 0, 0, 0 } };

/*
 * A 4096-bit filter over the first CUE_KEY bytes with ASCII case folded,
 * one probe: prose words almost never pass it, and a match under
 * strncasecmp() in the C locale always does.  The same macros hash the
 * constants at compile time; key5() gives the text the same 40-bit key.
 */
#define KEY5(x) ((uint64_t)FOLD4(x) | (uint64_t)((unsigned char)(x)[4] | 0x20) << 32)
#define KEY_MUL 0x9e3779b97f4a7c15u
#define KEY_IDX(k) ((unsigned int)((uint64_t)((k) * KEY_MUL) >> 52))
#define KEY_BIT(w, x) (KEY_IDX(KEY5(x)) >> 6 == (w) ? (uint64_t)1 << (KEY_IDX(KEY5(x)) & 63) : 0)
#define KEY_OR(w, k, x) | KEY_BIT(w, x)
#define KEY_ROW(w) (0 SIGNOFFS(KEY_OR, w) PHRASES(KEY_OR, w))
#define KEY_ROW8(w)                                                                        \
	KEY_ROW(w), KEY_ROW(w + 1), KEY_ROW(w + 2), KEY_ROW(w + 3), KEY_ROW(w + 4), KEY_ROW(w + 5), \
	KEY_ROW(w + 6), KEY_ROW(w + 7)

static const uint64_t cue_keys[64] = {
	KEY_ROW8(0), KEY_ROW8(8), KEY_ROW8(16), KEY_ROW8(24),
	KEY_ROW8(32), KEY_ROW8(40), KEY_ROW8(48), KEY_ROW8(56),
};

#define KEY5_MASK 0xffffffffffu
#define KEY5_FOLD 0x2020202020u

/* KEY5() of s[0..5), avail >= 5 bytes readable: one load where eight are. */
static uint64_t key5(const char *s, size_t avail)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t x;

	if (avail >= 8) {
		memcpy(&x, s, 8);
		return (x & KEY5_MASK) | KEY5_FOLD;
	}
#endif
	(void)avail;
	return KEY5(s);
}

/* 1 when the key may start a cue. */
static uint64_t maybe_cue(uint64_t key)
{
	unsigned int h = KEY_IDX(key);

	return cue_keys[h >> 6] >> (h & 63) & 1;
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

/* Bit j set: p[j] is an ASCII letter (16 bytes). */
static unsigned int letters16(const unsigned char *p)
{
#ifdef __SSE2__
	/* (c | 0x20) - 'a' < 26 unsigned, as a signed compare with 'a' moved to -128 */
	__m128i v = _mm_or_si128(_mm_loadu_si128((const __m128i *)p), _mm_set1_epi8(0x20));

	v = _mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - 'a')));
	return (unsigned int)_mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8((char)(0x80 + 26))));
#else
	unsigned int m = 0, j;

	for (j = 0; j < 16; j++)
		m |= (unsigned int)((unsigned char)((p[j] | 0x20) - 'a') < 26) << j;
	return m;
#endif
}

/* The same for 64 bytes. */
static uint64_t letters64(const unsigned char *p)
{
	return (uint64_t)letters16(p) | (uint64_t)letters16(p + 16) << 16 |
	       (uint64_t)letters16(p + 32) << 32 | (uint64_t)letters16(p + 48) << 48;
}

/*
 * The letter bits of t[base..n) that fall in a 64-byte block.  A short
 * last block is read as the last 64 (or 16) bytes of the text rather than
 * copied: loads from a fresh copy would stall on store forwarding.
 */
static uint64_t letters_at(const char *t, size_t n, size_t base)
{
	const unsigned char *p = (const unsigned char *)t;
	size_t left = n - base, j;
	uint64_t m = 0;

	if (left >= 64)
		return letters64(p + base);
	if (n >= 64)
		return letters64(p + n - 64) >> (64 - left);
	/* base is 0: whole 16-byte pieces, then the last 16 bytes shifted */
	for (j = 0; j + 16 <= n; j += 16)
		m |= (uint64_t)letters16(p + j) << j;
	if (j < n && n >= 16)
		m |= (uint64_t)(letters16(p + n - 16) >> (16 - (n - j))) << j;
	else
		for (; j < n; j++)
			m |= (uint64_t)((unsigned char)((p[j] | 0x20) - 'a') < 26) << j;
	return m;
}

/*
 * Sign-offs and mail phrases start at a word: find the word starts 64
 * bytes at a time, put each through the key filter without a branch, and
 * compare only those that pass.  The letter test is ASCII; body_cues()
 * applies isalpha() to the byte before, as a word start always was.
 */
static void scan_words(struct email_state *st, const char *t, size_t n)
{
	struct body_seen seen = { 0 };
	uint64_t prev = 0;             /* the byte before the block is a letter */
	size_t base;

	for (base = 0; base + CUE_KEY <= n; base += 64) {
		uint64_t l = letters_at(t, n, base), m = l & ~(l << 1 | prev), pass = 0;
		size_t left = n - base;

		prev = l >> 63;
		if (left - CUE_KEY + 1 < 64)   /* a cue is at least CUE_KEY bytes */
			m &= ((uint64_t)1 << (left - CUE_KEY + 1)) - 1;
		for (; m; m &= m - 1) {
			unsigned int j = (unsigned int)__builtin_ctzll(m);

			pass |= maybe_cue(key5(t + base + j, left - j)) << j;
		}
		for (; pass; pass &= pass - 1)
			body_cues(st, t, n, base + (size_t)__builtin_ctzll(pass), &seen);
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
	struct fields fl;

	memset(st, 0, sizeof(*st));
	fl.seen = 0;
	scan_lines(st, &fl, t, n);
	scan_fields(st, &fl, t, n);
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
