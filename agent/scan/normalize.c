// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Normalisation for the detectors: strip what a reader cannot see, fold
 * what a reader takes for ASCII, keep an edit list to map spans back.
 *
 * Every mapping shrinks or keeps length (a 2-4 byte sequence becomes 0 or 1
 * byte), so the view never outgrows the input and one allocation of the
 * input's size serves.  Bytes that are not valid UTF-8 are copied as they
 * are: the detectors are byte-oriented and a lone 0xff must not hide the
 * digits next to it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define HIGH_BITS 0x8080808080808080ull

#ifdef __SSE2__
static inline unsigned int high16(const char *p)
{
	return (unsigned int)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)p));
}

/*
 * 64 bytes a step, then 16 with the position of the first high bit from
 * the mask; a short tail is one load ending at len (what it shares with
 * the bytes before is ASCII already).
 */
size_t scan_ascii_prefix(const char *s, size_t len)
{
	size_t i = 0;
	unsigned int m;

	for (; i + 64 <= len; i += 64) {
		__m128i a = _mm_loadu_si128((const __m128i *)(s + i));
		__m128i b = _mm_loadu_si128((const __m128i *)(s + i + 16));
		__m128i c = _mm_loadu_si128((const __m128i *)(s + i + 32));
		__m128i d = _mm_loadu_si128((const __m128i *)(s + i + 48));

		if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d))))
			break;
	}
	for (; i + 16 <= len; i += 16) {
		m = high16(s + i);
		if (m)
			return i + (size_t)__builtin_ctz(m);
	}
	if (i == len)
		return len;
	if (len >= 16) {
		m = high16(s + len - 16);
		return m ? len - 16 + (size_t)__builtin_ctz(m) : len;
	}
	while (i < len && !((unsigned char)s[i] & 0x80))
		i++;
	return i;
}
#else
size_t scan_ascii_prefix(const char *s, size_t len)
{
	size_t i = 0;

	while (i + 32 <= len) {
		uint64_t w[4];

		memcpy(w, s + i, sizeof(w));
		if ((w[0] | w[1] | w[2] | w[3]) & HIGH_BITS)
			break;
		i += 32;
	}
	while (i + 8 <= len) {
		uint64_t w;

		memcpy(&w, s + i, sizeof(w));
		if (w & HIGH_BITS)
			break;
		i += 8;
	}
	while (i < len && !((unsigned char)s[i] & 0x80))
		i++;
	return i;
}
#endif

size_t scan_utf8_decode(const unsigned char *s, size_t len, uint32_t *ret_cp)
{
	uint32_t cp;
	size_t k, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		k = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		k = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		k = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len < k)
		return 0;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
	if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*ret_cp = cp;
	return k;
}

enum norm_op { KEEP, DROP, FOLD };

/* What to do with a code point: drop it, fold it to *ret_c, or keep it. */
static enum norm_op classify(uint32_t cp, char *ret_c, unsigned int *sig)
{
	if ((cp >= 0x200b && cp <= 0x200d) || (cp >= 0x2060 && cp <= 0x2064) || cp == 0xfeff) {
		*sig |= SCAN_SIG_ZERO_WIDTH;
		return DROP;
	}
	if (cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069)) {
		*sig |= SCAN_SIG_BIDI;
		return DROP;
	}
	if (cp == 0x00ad) {
		*sig |= SCAN_SIG_SOFT_HYPHEN;
		return DROP;
	}
	if (cp >= 0xe0000 && cp <= 0xe007f) {
		*sig |= SCAN_SIG_TAG_CHARS;
		return DROP;
	}
	if (cp >= 0xff01 && cp <= 0xff5e) {
		*sig |= SCAN_SIG_FULLWIDTH;
		*ret_c = (char)(cp - 0xfee0);
		return FOLD;
	}
	if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xfe58 || cp == 0xfe63) {
		*sig |= SCAN_SIG_CONFUSABLE;
		*ret_c = '-';
		return FOLD;
	}
	if (cp == 0x00a0 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x202f || cp == 0x205f ||
	    cp == 0x3000) {
		*sig |= SCAN_SIG_CONFUSABLE;
		*ret_c = ' ';
		return FOLD;
	}
	return KEEP;
}

static int push_edit(struct scan_norm *n, size_t norm, size_t orig, uint32_t norm_len,
		     uint32_t orig_len)
{
	struct scan_norm_edit *e;

	/* a run of dropped characters is one edit */
	if (!norm_len && n->n_edit) {
		e = &n->edit[n->n_edit - 1];
		if (!e->norm_len && e->norm == norm && e->orig + e->orig_len == orig) {
			e->orig_len += orig_len;
			return 0;
		}
	}
	if (n->n_edit == n->edit_cap) {
		size_t cap = n->edit_cap ? n->edit_cap * 2 : 64;

		e = realloc(n->edit, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		n->edit = e;
		n->edit_cap = cap;
	}
	n->edit[n->n_edit++] = (struct scan_norm_edit){
		.norm = (uint32_t)norm, .orig = (uint32_t)orig,
		.norm_len = norm_len, .orig_len = orig_len,
	};
	return 0;
}

static void note_tag(struct scan_norm *n, uint32_t cp)
{
	size_t l = strlen(n->tag_ascii);

	/* U+E0020..U+E007E mirror printable ASCII: keep the smuggled text's start */
	if (cp >= 0xe0020 && cp <= 0xe007e && l + 1 < sizeof(n->tag_ascii)) {
		n->tag_ascii[l] = (char)(cp - 0xe0000);
		n->tag_ascii[l + 1] = 0;
	}
}

int scan_norm_run(struct scan_norm *n, const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i, o, ascii;
	int err;

	n->signals = 0;
	n->n_edit = 0;
	n->tag_ascii[0] = 0;
	if (len > SCAN_NORM_INPUT_MAX)
		return -E2BIG;
	ascii = scan_ascii_prefix(in, len);
	if (ascii == len) {
		n->view = in;
		n->len = len;
		return 0;
	}
	if (n->buf_cap < len) {
		char *b = realloc(n->buf, len);

		if (!b)
			return -ENOMEM;
		n->buf = b;
		n->buf_cap = len;
	}
	n->signals |= SCAN_SIG_NON_ASCII;
	memcpy(n->buf, in, ascii);
	i = o = ascii;
	while (i < len) {
		uint32_t cp;
		size_t k;
		char c = 0;

		if (s[i] < 0x80) {
			k = scan_ascii_prefix(in + i, len - i);
			memcpy(n->buf + o, in + i, k);
			i += k;
			o += k;
			continue;
		}
		k = scan_utf8_decode(s + i, len - i, &cp);
		if (!k) {
			n->signals |= SCAN_SIG_INVALID_UTF8;
			n->buf[o++] = in[i++];
			continue;
		}
		switch (classify(cp, &c, &n->signals)) {
		case KEEP:
			memcpy(n->buf + o, in + i, k);
			o += k;
			break;
		case DROP:
			if (cp >= 0xe0000)
				note_tag(n, cp);
			err = push_edit(n, o, i, 0, (uint32_t)k);
			if (err)
				return err;
			break;
		case FOLD:
			err = push_edit(n, o, i, 1, (uint32_t)k);
			if (err)
				return err;
			n->buf[o++] = c;
			break;
		}
		i += k;
	}
	n->view = n->buf;
	n->len = o;
	return 0;
}

/* The last edit at or before view offset off, or NULL. */
static const struct scan_norm_edit *edit_at(const struct scan_norm *n, size_t off)
{
	size_t lo = 0, hi = n->n_edit;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (n->edit[mid].norm <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &n->edit[lo - 1] : NULL;
}

size_t scan_norm_start(const struct scan_norm *n, size_t off)
{
	const struct scan_norm_edit *e = edit_at(n, off);

	if (!e)
		return off;
	if (off < (size_t)e->norm + e->norm_len)
		return e->orig;
	return (size_t)e->orig + e->orig_len + (off - e->norm - e->norm_len);
}

size_t scan_norm_end(const struct scan_norm *n, size_t end)
{
	const struct scan_norm_edit *e;
	size_t last;

	if (!end)
		return scan_norm_start(n, 0);
	last = end - 1;
	e = edit_at(n, last);
	if (!e)
		return end;
	if (last < (size_t)e->norm + e->norm_len)
		return (size_t)e->orig + e->orig_len;
	return (size_t)e->orig + e->orig_len + (last - e->norm - e->norm_len) + 1;
}

void scan_norm_free(struct scan_norm *n)
{
	free(n->buf);
	free(n->edit);
	memset(n, 0, sizeof(*n));
}
