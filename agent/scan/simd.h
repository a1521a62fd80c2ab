/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * SSE2 byte-class tests shared by the prefilter, the confirm step and the
 * validators (every caller keeps a scalar loop for builds without SSE2),
 * and the popcount of the prefilter's and the injection analyzer's masks.
 */
#ifndef AIRLOCK_SCAN_SIMD_H
#define AIRLOCK_SCAN_SIMD_H

#include <stdint.h>

/*
 * Bits set in x.  hw: the caller is compiled for POPCNT (a function with
 * target("popcnt"), or -mpopcnt), where the builtin is one instruction;
 * otherwise it would be a call into libgcc, and the bit sums here are
 * cheaper.  Always inlined, so hw folds away.
 */
static inline __attribute__((always_inline)) unsigned int scan_popcount64(uint64_t x, int hw)
{
#ifndef __POPCNT__
	if (!hw) {
		x -= x >> 1 & 0x5555555555555555ull;
		x = (x & 0x3333333333333333ull) + (x >> 2 & 0x3333333333333333ull);
		x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
		return (unsigned int)(x * 0x0101010101010101ull >> 56);
	}
#endif
	(void)hw;
	return (unsigned int)__builtin_popcountll(x);
}

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
