/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * SSE2 byte-class tests shared by the prefilter, the confirm step and the
 * validators.  Every caller keeps a scalar loop for builds without SSE2.
 */
#ifndef AIRLOCK_SCAN_SIMD_H
#define AIRLOCK_SCAN_SIMD_H

#ifdef __SSE2__
#include <emmintrin.h>

/* 0xff in each lane of v within [lo, hi].  Signed compares: bytes >= 0x80
 * are negative and never in an ASCII range. */
static inline __m128i scan_in_range16(__m128i v, char lo, char hi)
{
	return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)(lo - 1))),
			     _mm_cmplt_epi8(v, _mm_set1_epi8((char)(hi + 1))));
}

/* Lanes holding a digit or a letter from a to last, in either case. */
static inline __m128i scan_digit_or_letter16(__m128i v, char last)
{
	return _mm_or_si128(scan_in_range16(v, '0', '9'),
			    scan_in_range16(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', last));
}

/* Bit k: p[k] is a digit or a letter from a to last, in either case. */
static inline unsigned int scan_digit_or_letter_mask16(const void *p, char last)
{
	return (unsigned int)_mm_movemask_epi8(
		scan_digit_or_letter16(_mm_loadu_si128((const __m128i *)p), last));
}
#endif

#endif /* AIRLOCK_SCAN_SIMD_H */
