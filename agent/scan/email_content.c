// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * EMAIL_CONTENT scoring (model in email_content.h).  One walk over 64-byte
 * blocks of byte classes drives it all: the lines (headers, markers, MIME,
 * salutations and the labelled fields that start a line) end at the '\n'
 * bits, the other labels follow the '|' bits, and sign-offs and phrases
 * start at the word starts.
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
#if defined(__x86_64__) && defined(__SSE2__) && defined(__GNUC__) && !defined(AIRLOCK_SCAN_NO_AVX2)
/* AVX2 code beside the portable code, chosen at run time */
#define EMAIL_AVX2 1
#include <immintrin.h>
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
	unsigned int phrases;   /* bit per distinct phrase found, each worth 0.30 */
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

/*
 * The line t[s..e): a dashed rule, "Begin forwarded message:", "On <date>,
 * <name> wrote:".  rules is 0 when the text up to e has no "---" at all.
 */
static int forward_marker(const char *t, size_t s, size_t e, int rules)
{
	size_t n = e - s;

	if (n >= 10 && rules && has_rule(t + s, n) &&
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

struct label {
	const char *s;
	size_t len;             /* bytes, at least 4 */
	uint32_t head;          /* fold4() of the first four */
};

#define LABEL(x) { x, sizeof(x) - 1 + 0 * sizeof(char[sizeof(x) > 4 ? 1 : -1]), FOLD4(x) }

static const struct label labels[] = {
	LABEL("SUBJECT:"), LABEL("EMAIL_FROM:"), LABEL("EMAIL_TO:"), LABEL("RECEIVED DATE:"),
	LABEL("SENT DATE:"), LABEL("CONTENT:"), LABEL("FROM_EMAIL:"), LABEL("TO_EMAIL:"), { NULL, 0, 0 }
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
	uint32_t head;
	size_t k;

	/* the letters the labels start with: c e f r s t */
	switch (lead(t + i, n - i)) {
	case 'c': case 'e': case 'f': case 'r': case 's': case 't':
		break;
	default:
		return;
	}
	if (n - i < 4)
		return;
	head = fold4(t + i);
	for (k = 0; labels[k].s; k++) {
		size_t l = labels[k].len;

		if (l > n - i || head != labels[k].head || strncasecmp(t + i, labels[k].s, l))
			continue;
		if (!(fl->seen & (1u << k)) || i < fl->at[k])
			fl->at[k] = i;
		fl->seen |= 1u << k;
	}
}

/* The evidence of the labels found, when there are two or more. */
static void fields_evidence(struct email_state *st, const struct fields *fl)
{
	size_t k, b = SIZE_MAX, e = 0;

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

/* A run of header lines, carried from one line to the next. */
struct header_run {
	size_t b, e;
	unsigned long seen;     /* header names in the run (bit per name) */
	int lines;
	int rules;              /* a "---" in the blocks classified so far */
};

/* Header runs, markers, MIME, salutations and labels of the line t[b..e). */
static void scan_line(struct email_state *st, struct fields *fl, struct header_run *run,
		      const char *t, size_t n, size_t b, size_t e)
{
	size_t s;
	int h;

	for (s = b; s < e && (t[s] == ' ' || t[s] == '\t' || t[s] == '>'); s++)
		;
	h = header_line(t + s, e - s);
	if (h) {
		if (!run->lines)
			run->b = b;
		run->e = e;
		run->seen |= 1ul << (h % 63);
		run->lines++;
	} else if (run->lines && (e == s || t[b] == ' ' || t[b] == '\t') && e > s) {
		/* a folded header continues on an indented line */
		run->e = e;
	} else if (run->lines) {
		int names = __builtin_popcountl(run->seen);

		if (names >= 3)
			evidence(st, SIG_HEADERS, 0.90, run->b, run->e);
		else if (names == 2)
			evidence(st, SIG_HEADERS, 0.60, run->b, run->e);
		run->lines = 0;
		run->seen = 0;
	}
	if (forward_marker(t, s, e, run->rules))
		evidence(st, SIG_FORWARD, 0.75, b, e);
	if (mime_line(t, s, e))
		evidence(st, SIG_MIME, 0.80, b, e);
	if (b < n) {
		salutation(st, t, n, b);
		field_at(fl, t, n, b);
	}
}

/* --- body cues ------------------------------------------------------------- */

/*
 * Sign-offs, then mail-only phrases (with their bit in phrases), in the
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
	uint32_t next;          /* of the next four, when len >= 8; else 0 */
	int phrase;             /* bit in phrases, -1 for a sign-off */
};

#define CUE_AT(x, k) ((unsigned char)(x)[sizeof(x) > 8 ? (k) : 0] | 0x20u)
#define CUE_NEXT(x)                                                                    \
	(sizeof(x) > 8 ? CUE_AT(x, 4) | CUE_AT(x, 5) << 8 | CUE_AT(x, 6) << 16 | CUE_AT(x, 7) << 24 : 0)
#define CUE(a, k, x) { x, CUE_LEN(x), FOLD4(x), CUE_NEXT(x), k },
static const struct cue cues[] = { SIGNOFFS(CUE, 0) PHRASES(CUE, 0) { NULL, 0, 0, 0, 0 } };

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

#define CUE_HEAD(a, k, x) FOLD4(x),
#define CUES_N (sizeof(cues) / sizeof(cues[0]) - 1)
/* the heads again, four to a vector, the tail never matching a folded head */
static const uint32_t cue_heads[(CUES_N + 3) / 4 * 4] __attribute__((aligned(16))) = {
	SIGNOFFS(CUE_HEAD, 0) PHRASES(CUE_HEAD, 0)
};

_Static_assert(CUES_N <= 32, "a cue set is a 32-bit mask");

/* Bit k: cues[k] starts with the folded head. */
static uint32_t cues_with_head(uint32_t head)
{
	uint32_t m = 0;
	size_t k;

#ifdef __SSE2__
	__m128i h = _mm_set1_epi32((int)head);

	for (k = 0; k < CUES_N; k += 4)
		m |= (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(
			_mm_cmpeq_epi32(_mm_load_si128((const __m128i *)(cue_heads + k)), h))) << k;
	m &= (uint32_t)(((uint64_t)1 << CUES_N) - 1);
#else
	for (k = 0; k < CUES_N; k++)
		m |= (uint32_t)(cue_heads[k] == head) << k;
#endif
	return m;
}

/* A phrase counts once, and so does a sign-off; the phrases found are st->phrases. */
struct body_seen {
	int signoff;
};

/* The cues at t[i], an ASCII letter, if it starts a word. */
static void body_cues(struct email_state *st, const char *t, size_t n, size_t i, struct body_seen *seen)
{
	uint32_t head = fold4(t + i), m;

	if (i && isalpha((unsigned char)t[i - 1]))
		return;
	/* only the cues with this head, in table order */
	for (m = cues_with_head(head); m; m &= m - 1) {
		const struct cue *q = &cues[__builtin_ctz(m)];

		if (q->phrase < 0 ? seen->signoff : (int)(st->phrases >> q->phrase & 1))
			continue;
		/* the second folded word rules out most prose ("this is", "the one") first */
		if (q->len > n - i || (q->next && fold4(t + i + 4) != q->next) ||
		    strncasecmp(t + i, q->s, q->len))
			continue;
		if (q->phrase >= 0) {
			st->phrases |= 1u << q->phrase;
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

/*
 * The byte classes the passes need, for the 64 bytes of text from base
 * (bit j: byte base + j; bits past the text are 0).  `cue` marks where a
 * cue may start: a superset, all ones where nothing narrows it, so the
 * key filter and body_cues() still decide.
 */
struct block {
	uint64_t letter;        /* ASCII letters */
	uint64_t nl;            /* '\n' */
	uint64_t bar;           /* '|' */
	uint64_t lt;            /* '<' */
	uint64_t dash;          /* '-' */
	uint64_t cue;
};

/*
 * A text's last block is read as the 64 bytes ending with the text: the
 * bytes before base, already walked, are shifted out of every class.
 */
static inline void block_drop(struct block *b, unsigned int drop)
{
	b->letter >>= drop;
	b->nl >>= drop;
	b->bar >>= drop;
	b->lt >>= drop;
	b->dash >>= drop;
}

struct classes16 {
	unsigned int letter, nl, bar, lt, dash;
};

/* The classes of p[0..16). */
static void classes16(const unsigned char *p, struct classes16 *c)
{
#ifdef __SSE2__
	__m128i v = _mm_loadu_si128((const __m128i *)p);
	/* (c | 0x20) - 'a' < 26 unsigned, as a signed compare with 'a' moved to -128 */
	__m128i f = _mm_add_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8((char)(0x80 - 'a')));

	c->letter = (unsigned int)_mm_movemask_epi8(_mm_cmplt_epi8(f, _mm_set1_epi8((char)(0x80 + 26))));
	c->nl = (unsigned int)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
	c->bar = (unsigned int)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('|')));
	c->lt = (unsigned int)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('<')));
	c->dash = (unsigned int)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('-')));
#else
	unsigned int j;

	c->letter = c->nl = c->bar = c->lt = c->dash = 0;
	for (j = 0; j < 16; j++) {
		c->letter |= (unsigned int)((unsigned char)((p[j] | 0x20) - 'a') < 26) << j;
		c->nl |= (unsigned int)(p[j] == '\n') << j;
		c->bar |= (unsigned int)(p[j] == '|') << j;
		c->lt |= (unsigned int)(p[j] == '<') << j;
		c->dash |= (unsigned int)(p[j] == '-') << j;
	}
#endif
}

/* Add the classes of 16 bytes, shifted right by drop, at bit `at`. */
static void block_add16(struct block *b, const unsigned char *p, unsigned int drop, unsigned int at)
{
	struct classes16 c;

	classes16(p, &c);
	b->letter |= (uint64_t)(c.letter >> drop) << at;
	b->nl |= (uint64_t)(c.nl >> drop) << at;
	b->bar |= (uint64_t)(c.bar >> drop) << at;
	b->lt |= (uint64_t)(c.lt >> drop) << at;
	b->dash |= (uint64_t)(c.dash >> drop) << at;
}

/* The byte classes of 64 bytes read from p, shifted right by drop. */
static void block_add64(struct block *b, const unsigned char *p, unsigned int drop)
{
	struct block w = { 0 };
	unsigned int k;

	for (k = 0; k < 64; k += 16)
		block_add16(&w, p + k, 0, k);
	b->letter = w.letter >> drop;
	b->nl = w.nl >> drop;
	b->bar = w.bar >> drop;
	b->lt = w.lt >> drop;
	b->dash = w.dash >> drop;
}

/*
 * The classes of t[base..n) that fall in a 64-byte block, without the cue
 * narrowing.  A short last block is read as the last 64 (or 16) bytes of
 * the text rather than copied: loads from a fresh copy would stall on
 * store forwarding.
 */
static void block_portable(const char *t, size_t n, size_t base, struct block *b)
{
	const unsigned char *p = (const unsigned char *)t;
	size_t left = n - base, j;

	*b = (struct block){ .cue = ~(uint64_t)0 };
	if (left >= 64) {
		block_add64(b, p + base, 0);
		return;
	}
	if (n >= 64) {
		block_add64(b, p + n - 64, (unsigned int)(64 - left));
		return;
	}
	/* base is 0: whole 16-byte pieces, then the last 16 bytes shifted */
	for (j = 0; j + 16 <= n; j += 16)
		block_add16(b, p + j, 0, (unsigned int)j);
	if (j < n && n >= 16) {
		block_add16(b, p + n - 16, (unsigned int)(16 - (n - j)), (unsigned int)j);
		return;
	}
	for (; j < n; j++) {
		/* the rare classes only where the text has one of their bytes */
		static const unsigned char rare[256] = { ['\n'] = 1, ['|'] = 1, ['<'] = 1, ['-'] = 1 };

		b->letter |= (uint64_t)((unsigned char)((p[j] | 0x20) - 'a') < 26) << j;
		if (!rare[p[j]])
			continue;
		b->nl |= (uint64_t)(p[j] == '\n') << j;
		b->bar |= (uint64_t)(p[j] == '|') << j;
		b->lt |= (uint64_t)(p[j] == '<') << j;
		b->dash |= (uint64_t)(p[j] == '-') << j;
	}
}

#ifdef EMAIL_AVX2
/*
 * With AVX2 the word starts narrow before the key filter, Teddy style: a
 * cue puts its bucket's bit under the low nibble of each of its bytes 1 to
 * TED_BYTES, and a place keeps a bucket only when all of those bytes
 * agree.  Byte 0 is the letter of the word start.  The low nibble is the
 * same in either case, so no folding; a match under strncasecmp() always
 * passes.  Buckets group the cues by first letter.  Most prose word starts
 * fail here, and the per-start key filter was most of the work.
 */
#define TED_BYTES 5
#define TED_BUCKET(x) ("00570000700000000236411040"[((unsigned char)(x)[0] | 0x20) - 'a'] - '0')
/*
 * entry a = (byte - 1) * 16 + nibble: the buckets of the cues that have
 * it there, and of those that end before the byte
 */
#define TED_K(a) ((a) / 16 + 1)
#define TED_OR(a, p, x)                                                                   \
	| (TED_K(a) >= sizeof(x) - 1 ||                                                    \
	   ((unsigned char)(x)[TED_K(a) < sizeof(x) ? TED_K(a) : 0] & 15) == (a) % 16      \
	   ? 1u << TED_BUCKET(x) : 0u)
#define TED_E(a) (unsigned char)(0 SIGNOFFS(TED_OR, a) PHRASES(TED_OR, a))
#define TED_E4(a) TED_E(a), TED_E(a + 1), TED_E(a + 2), TED_E(a + 3)
#define TED_E16(a) TED_E4(a), TED_E4(a + 4), TED_E4(a + 8), TED_E4(a + 12)
/* the 16 entries twice: vpshufb looks up within each 128-bit lane */
#define TED_ROW(k) { TED_E16((k) * 16), TED_E16((k) * 16) }

static const unsigned char ted_table[TED_BYTES][32] __attribute__((aligned(32))) = {
	TED_ROW(0), TED_ROW(1), TED_ROW(2), TED_ROW(3), TED_ROW(4),
};

/* Bit j: a bucket fits bytes 1 to TED_BYTES from p[j] (p[0..32 + TED_BYTES) read). */
__attribute__((target("avx2"))) static inline uint32_t ted32(const unsigned char *p)
{
	const __m256i low = _mm256_set1_epi8(0x0f);
	__m256i acc = _mm256_set1_epi8((char)0xff);
	int k;

	for (k = 0; k < TED_BYTES; k++) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(p + k + 1));

		acc = _mm256_and_si256(acc, _mm256_shuffle_epi8(
			_mm256_load_si256((const __m256i *)ted_table[k]), _mm256_and_si256(v, low)));
	}
	return ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(acc, _mm256_setzero_si256()));
}

/* The classes of p[0..32) at bit `at`. */
__attribute__((target("avx2"))) static inline void classes32(const unsigned char *p, struct block *b,
							       unsigned int at)
{
	__m256i v = _mm256_loadu_si256((const __m256i *)p);
	__m256i f = _mm256_add_epi8(_mm256_or_si256(v, _mm256_set1_epi8(0x20)),
				    _mm256_set1_epi8((char)(0x80 - 'a')));

	b->letter |= (uint64_t)(uint32_t)_mm256_movemask_epi8(
		_mm256_cmpgt_epi8(_mm256_set1_epi8((char)(0x80 + 26)), f)) << at;
	b->nl |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\n'))) << at;
	b->bar |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('|'))) << at;
	b->lt |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('<'))) << at;
	b->dash |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('-'))) << at;
}

/* TED_BYTES bytes are read past each place, at least 64 + TED_BYTES in all */
#define TED_SPAN (64 + TED_BYTES)
_Static_assert(TED_BYTES == CUE_KEY, "one place at the end of the text is not narrowed");

/*
 * block_portable() with the cue starts narrowed, for texts of TED_SPAN
 * bytes or more.  The last block reads the window that ends with the text
 * and shifts.
 */
__attribute__((target("avx2"))) static inline void block_avx2(const char *t, size_t n, size_t base,
								struct block *b)
{
	const unsigned char *p = (const unsigned char *)t;
	size_t left = n - base, w;

	*b = (struct block){ 0 };
	w = left >= 64 ? base : n - 64;
	classes32(p + w, b, 0);
	classes32(p + w + 32, b, 32);
	if (w != base)
		block_drop(b, (unsigned int)(64 - left));
	if (left >= TED_SPAN) {
		b->cue = ted32(p + base) | (uint64_t)ted32(p + base + 32) << 32;
	} else if (left >= CUE_KEY) {
		/*
		 * The window ending with the text narrows the places up to
		 * n - TED_BYTES - 1; the last place that can start a cue,
		 * n - CUE_KEY, would need a byte past the end, so it passes.
		 */
		w = n - TED_SPAN;
		if (base - w < 64)
			b->cue = (ted32(p + w) | (uint64_t)ted32(p + w + 32) << 32) >> (base - w);
		b->cue |= (uint64_t)1 << (left - CUE_KEY);
	}
}
#endif

/*
 * Sign-offs and mail phrases start at a word: the word starts of a block
 * that may start a cue go through the key filter without a branch, and
 * only those that pass are compared.  The letter test is ASCII;
 * body_cues() applies isalpha() to the byte before, as a word start always
 * was.
 */
static inline __attribute__((always_inline)) void
block_words(struct email_state *st, const char *t, size_t n, size_t base, const struct block *b,
	    uint64_t prev, struct body_seen *seen)
{
	uint64_t m = b->letter & ~(b->letter << 1 | prev) & b->cue, pass = 0;
	size_t left = n - base;

	if (left < CUE_KEY)
		return;
	if (left - CUE_KEY + 1 < 64)   /* a cue is at least CUE_KEY bytes */
		m &= ((uint64_t)1 << (left - CUE_KEY + 1)) - 1;
	for (; m; m &= m - 1) {
		unsigned int j = (unsigned int)__builtin_ctzll(m);

		pass |= maybe_cue(key5(t + base + j, left - j)) << j;
	}
	for (; pass; pass &= pass - 1)
		body_cues(st, t, n, base + (size_t)__builtin_ctzll(pass), seen);
}

/* A mailbox, Name <local@domain>, in t[0..n), which is the text from `off` on. */
static void scan_mailbox(struct email_state *st, const char *t, size_t n, size_t off)
{
	const char *p;

	for (p = memchr(t, '<', n); p; p = memchr(p + 1, '<', n - (size_t)(p + 1 - t))) {
		size_t rest = n - (size_t)(p - t);
		const char *gt = memchr(p, '>', rest < 80 ? rest : 80), *at;

		if (!gt)
			continue;
		at = memchr(p, '@', (size_t)(gt - p));
		if (at && at > p + 1 && memchr(at, '.', (size_t)(gt - at)) && (p > t || off) && p[-1] == ' ') {
			evidence(st, SIG_MAILBOX, 0.20, off + (size_t)(p - t), off + (size_t)(gt - t) + 1);
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
		keep *= 1 - (st->phrases & 1u << i ? 0.30 : 0);
	return 1 - keep;
}

/*
 * Everything in one walk over 64-byte blocks: the lines end at the '\n'
 * bits, labels follow the '|' bits, cues start at the word starts, and the
 * mailbox search starts at the first '<'.  Lines and words each go in text
 * order; evidence does not depend on how the two interleave.  Inlined
 * into each caller with its own block function.
 */
static inline __attribute__((always_inline)) void
scan_blocks_with(struct email_state *st, struct fields *fl, const char *t, size_t n,
		 void (*block_at)(const char *, size_t, size_t, struct block *))
{
	struct body_seen seen = { 0 };
	struct header_run run = { 0 };
	size_t base, line = 0, first_lt = n;
	uint64_t prev = 0;             /* the byte before the block is a letter */
	uint64_t dashes = 0;           /* of the block before */

	for (base = 0; base < n; base += 64) {
		struct block b;
		uint64_t m;

		block_at(t, n, base, &b);
		/* three dashes end here; a line with none skips has_rule() */
		run.rules |= !!(b.dash & (b.dash << 1 | dashes >> 63) & (b.dash << 2 | dashes >> 62));
		dashes = b.dash;
		for (m = b.nl; m; m &= m - 1) {
			size_t e = base + (size_t)__builtin_ctzll(m);

			scan_line(st, fl, &run, t, n, line, e);
			line = e + 1;
		}
		for (m = b.bar; m; m &= m - 1)
			field_at(fl, t, n, base + (size_t)__builtin_ctzll(m) + 1);
		if (b.lt && first_lt == n)
			first_lt = base + (size_t)__builtin_ctzll(b.lt);
		block_words(st, t, n, base, &b, prev, &seen);
		prev = b.letter >> 63;
	}
	scan_line(st, fl, &run, t, n, line, n);
	fields_evidence(st, fl);
	if (first_lt < n)
		scan_mailbox(st, t + first_lt, n - first_lt, first_lt);
}

static void scan_blocks_portable(struct email_state *st, struct fields *fl, const char *t, size_t n)
{
	scan_blocks_with(st, fl, t, n, block_portable);
}

#ifdef EMAIL_AVX2
__attribute__((target("avx2"))) static void scan_blocks_avx2(struct email_state *st, struct fields *fl,
							       const char *t, size_t n)
{
	scan_blocks_with(st, fl, t, n, block_avx2);
}
#endif

#ifdef EMAIL_AVX2
#define AVX512 "avx512f,avx512bw"

/* ted32() for 64 places: the same table, each lane's 16 entries in all four lanes. */
__attribute__((target(AVX512))) static inline uint64_t ted64(const unsigned char *p)
{
	const __m512i low = _mm512_set1_epi8(0x0f);
	__m512i acc = _mm512_set1_epi8((char)0xff);
	int k;

#pragma GCC unroll 8
	for (k = 0; k < TED_BYTES; k++) {
		__m512i v = _mm512_loadu_si512((const void *)(p + k + 1));
		__m512i tbl = _mm512_broadcast_i32x4(_mm_load_si128((const __m128i *)ted_table[k]));

		acc = _mm512_and_si512(acc, _mm512_shuffle_epi8(tbl, _mm512_and_si512(v, low)));
	}
	return _mm512_test_epi8_mask(acc, acc);
}

/* classes32() for p[0..64): the compares straight into the masks. */
__attribute__((target(AVX512))) static inline void classes64(const unsigned char *p, struct block *b)
{
	__m512i v = _mm512_loadu_si512((const void *)p);
	__m512i f = _mm512_sub_epi8(_mm512_or_si512(v, _mm512_set1_epi8(0x20)), _mm512_set1_epi8('a'));

	b->letter = _mm512_cmplt_epu8_mask(f, _mm512_set1_epi8(26));
	b->nl = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n'));
	b->bar = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('|'));
	b->lt = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('<'));
	b->dash = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('-'));
}

/* block_avx2() a whole block at a time. */
__attribute__((target(AVX512))) static inline void block_avx512(const char *t, size_t n, size_t base,
								 struct block *b)
{
	const unsigned char *p = (const unsigned char *)t;
	size_t left = n - base, w;

	w = left >= 64 ? base : n - 64;
	classes64(p + w, b);
	b->cue = 0;
	if (w != base)
		block_drop(b, (unsigned int)(64 - left));
	if (left >= TED_SPAN) {
		b->cue = ted64(p + base);
	} else if (left >= CUE_KEY) {
		w = n - TED_SPAN;
		if (base - w < 64)
			b->cue = ted64(p + w) >> (base - w);
		b->cue |= (uint64_t)1 << (left - CUE_KEY);
	}
}

__attribute__((target(AVX512))) static void scan_blocks_avx512(struct email_state *st, struct fields *fl,
								 const char *t, size_t n)
{
	scan_blocks_with(st, fl, t, n, block_avx512);
}
#endif

/* Through the widest code the CPU has; the AVX2 blocks need TED_SPAN bytes of text. */
static void scan_blocks(struct email_state *st, struct fields *fl, const char *t, size_t n)
{
#ifdef EMAIL_AVX2
	if (n >= TED_SPAN && __builtin_cpu_supports("avx512bw")) {
		scan_blocks_avx512(st, fl, t, n);
		return;
	}
	if (n >= TED_SPAN && __builtin_cpu_supports("avx2")) {
		scan_blocks_avx2(st, fl, t, n);
		return;
	}
#endif
	scan_blocks_portable(st, fl, t, n);
}

static double analyse(const char *t, size_t n, struct email_state *st)
{
	struct fields fl;
	size_t i;

	/* field by field: a memset of the struct became a slow "rep stos" */
	for (i = 0; i < SIG__COUNT; i++)
		st->w[i] = 0;
	st->phrases = 0;
	st->start = st->end = 0;
	st->any = 0;
	fl.seen = 0;
	scan_blocks(st, &fl, t, n);
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

/* The finding of a text that scored; set up only here, as nearly no text does. */
__attribute__((cold)) static int report(const char *text, size_t len, const struct email_state *st, double score,
		  struct scan_result *out)
{
	struct scan_finding f = { .category = SCAN_CAT_EMAIL_CONTENT };
	size_t i, best = 0;
	int err;

	for (i = 1; i < SIG__COUNT; i++)
		if (st->w[i] > st->w[best])
			best = i;
	block(text, len, st, &f.start, &f.end);
	if (f.end <= f.start)
		return 0;
	f.score = score;
	f.confidence = score >= 0.85 ? SCAN_CONF_HIGH : score >= 0.65 ? SCAN_CONF_MEDIUM : SCAN_CONF_LOW;
	memcpy(f.type, EMAIL_TYPE, sizeof(EMAIL_TYPE));
	strncpy(f.detail, sig_name[best], sizeof(f.detail) - 1);
	err = out ? scan_result_push(out, &f) : 0;
	return err ? err : 1;
}

int email_content_scan(const char *text, size_t len, struct scan_result *out)
{
	struct email_state st;
	double score;

	if (!text && len)
		return -EINVAL;
	if (!len)
		return 0;
	score = analyse(text, len, &st);
	if (score < EMAIL_SCORE_MIN || !st.any)
		return 0;
	return report(text, len, &st, score, out);
}

double email_content_score(const char *text, size_t len)
{
	struct email_state st;

	return text && len ? analyse(text, len, &st) : 0;
}
