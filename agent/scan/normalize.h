/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A normalised view of UTF-8 text for the detectors, with a map back to the
 * caller's bytes.  Attackers (and word processors) hide values behind
 * zero-width characters, non-breaking hyphens and full-width digits; the
 * detectors see plain ASCII where it matters, the findings still span the
 * original bytes.  Invalid UTF-8 passes through unchanged.
 *
 * Pure-ASCII input (the common case) is not copied: view == input.
 */
#ifndef AIRLOCK_SCAN_NORMALIZE_H
#define AIRLOCK_SCAN_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

/* What the text contained (scan_norm.signals, scan_result.signals). */
#define SCAN_SIG_ZERO_WIDTH    (1u << 0)  /* U+200B..U+200D, U+2060..U+2064, U+FEFF */
#define SCAN_SIG_BIDI          (1u << 1)  /* U+200E/F, U+202A..U+202E, U+2066..U+2069 */
#define SCAN_SIG_TAG_CHARS     (1u << 2)  /* U+E0000..U+E007F: invisible ASCII smuggling */
#define SCAN_SIG_SOFT_HYPHEN   (1u << 3)  /* U+00AD */
#define SCAN_SIG_FULLWIDTH     (1u << 4)  /* U+FF01..U+FF5E folded */
#define SCAN_SIG_CONFUSABLE    (1u << 5)  /* dashes and spaces unified */
#define SCAN_SIG_INVALID_UTF8  (1u << 6)
#define SCAN_SIG_NON_ASCII     (1u << 7)

/* Characters a reader cannot see: the injection signal. */
#define SCAN_SIG_INVISIBLE (SCAN_SIG_ZERO_WIDTH | SCAN_SIG_BIDI | SCAN_SIG_TAG_CHARS)

/*
 * One place where normalised and original bytes differ: norm_len bytes of
 * the view at `norm` stand for orig_len bytes of the input at `orig`
 * (norm_len 0: deleted; 1: folded).  Between edits the two run in step.
 */
struct scan_norm_edit {
	uint32_t norm;
	uint32_t orig;
	uint32_t norm_len;
	uint32_t orig_len;
};

#define SCAN_NORM_INPUT_MAX UINT32_MAX   /* bytes; larger input is -E2BIG */

struct scan_norm {
	const char *view;              /* the normalised text: input or buf */
	size_t len;
	unsigned int signals;
	char *buf;                     /* owned, reused between runs */
	size_t buf_cap;
	struct scan_norm_edit *edit;   /* owned, sorted by norm */
	size_t n_edit;
	size_t edit_cap;
	char tag_ascii[64];            /* first decoded tag characters, NUL-terminated */
};

/*
 * Normalise `in`; the view stays valid until the next run or free (and, for
 * ASCII input, while `in` does).  0, -E2BIG or -ENOMEM.
 */
int scan_norm_run(struct scan_norm *n, const char *in, size_t len);
/* Original offset of the byte at view offset `off` (a span start). */
size_t scan_norm_start(const struct scan_norm *n, size_t off);
/* Original exclusive end of a span whose view end is `end`. */
size_t scan_norm_end(const struct scan_norm *n, size_t end);
void scan_norm_free(struct scan_norm *n);

/* Bytes of a run of pure ASCII at the start of s (word at a time). */
size_t scan_ascii_prefix(const char *s, size_t len);
/* Bytes of the one valid UTF-8 sequence at s[0..len) and its code point in
 * *ret_cp; 0 when invalid (overlong, a surrogate, beyond U+10FFFF, cut). */
size_t scan_utf8_decode(const unsigned char *s, size_t len, uint32_t *ret_cp);

#endif /* AIRLOCK_SCAN_NORMALIZE_H */
