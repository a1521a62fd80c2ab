// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * EXFILTRATION detectors (see exfil.h): image and link URLs in responses,
 * high-entropy blobs in requests.  Pure byte scanning, linear in the text.
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
#if defined(__x86_64__) && defined(__SSE2__) && defined(__GNUC__) && !defined(AIRLOCK_SCAN_NO_AVX512)
/* AVX-512BW code beside the portable code, chosen at run time */
#define EXFIL_AVX512 1
#include <immintrin.h>
#define AVX512 "avx512f,avx512bw"
#endif

#include "exfil.h"
#include "rules.h"

int exfil_host_allowed(const char *host, size_t len, const char *const *allow_hosts)
{
	const char *const *a;

	while (len && host[len - 1] == '.')
		len--;
	for (a = allow_hosts; a && *a; a++) {
		const char *s = *a;
		size_t n;

		if (*s == '.')
			s++;
		n = strlen(s);
		if (!n || n > len)
			continue;
		if (strncasecmp(host + len - n, s, n))
			continue;
		if (n == len || host[len - n - 1] == '.')
			return 1;
	}
	return 0;
}

/* --- URLs -------------------------------------------------------------------- */

struct url {
	size_t b, e;            /* the URL in the text */
	size_t host_b, host_e;
	size_t path_b;          /* after the host (and port) */
	size_t query_b;         /* '?' or e */
};

/* Parse http(s)://... or //... at t[b..e); 0 on success. */
static int url_parse(const char *t, size_t b, size_t e, struct url *u)
{
	size_t i = b, at = 0;

	if (e - b > 8 && !strncasecmp(t + b, "https://", 8))
		i += 8;
	else if (e - b > 7 && !strncasecmp(t + b, "http://", 7))
		i += 7;
	else if (e - b > 2 && t[b] == '/' && t[b + 1] == '/')
		i += 2;
	else
		return -1;
	u->b = b;
	u->e = e;
	u->host_b = i;
	/* userinfo@ */
	for (at = i; at < e && t[at] != '/' && t[at] != '?' && t[at] != '#'; at++)
		if (t[at] == '@')
			u->host_b = at + 1;
	for (i = u->host_b; i < e && (isalnum((unsigned char)t[i]) || t[i] == '.' || t[i] == '-' ||
				      (unsigned char)t[i] >= 0x80); i++)
		;
	u->host_e = i;
	if (u->host_e == u->host_b)
		return -1;
	while (i < e && t[i] != '/' && t[i] != '?' && t[i] != '#')
		i++;    /* :port */
	u->path_b = i;
	while (i < e && t[i] != '?' && t[i] != '#')
		i++;
	u->query_b = i;
	return 0;
}

static int b64ish(unsigned char c)
{
	return isalnum(c) || c == '+' || c == '/' || c == '=' || c == '-' || c == '_' || c == '%';
}

/* A piece of a URL that looks like data: long, encoded or random. */
static int data_piece(const char *s, size_t n)
{
	size_t i, pct = 0, ok = 0;

	if (n < 16)
		return 0;
	for (i = 0; i < n; i++) {
		ok += b64ish((unsigned char)s[i]);
		pct += s[i] == '%';
	}
	if (pct * 3 * 4 >= n)           /* a quarter or more percent-encoded */
		return 1;
	return ok == n && scan_entropy(s, n) > 3.5;
}

static int carries_data(const char *t, const struct url *u)
{
	size_t i, seg;

	if (u->e - u->query_b >= 64)
		return 1;
	/* query values */
	for (i = u->query_b; i < u->e;) {
		size_t v, ve;

		while (i < u->e && t[i] != '=')
			i++;
		v = ++i;
		for (ve = v; ve < u->e && t[ve] != '&' && t[ve] != '#'; ve++)
			;
		if (v < u->e && data_piece(t + v, ve - v))
			return 1;
		i = ve + 1;
	}
	/* path segments */
	for (i = u->path_b; i < u->query_b; i = seg + 1) {
		for (seg = i + 1; seg < u->query_b && t[seg] != '/'; seg++)
			;
		if (seg > i + 1 && data_piece(t + i + 1, seg - i - 1))
			return 1;
	}
	return 0;
}

/* End of a URL inside (...): balanced parentheses, stop at blank or quote. */
static size_t url_end_paren(const char *t, size_t n, size_t i)
{
	int depth = 0;

	for (; i < n; i++) {
		char c = t[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '<' ||
		    c == '>')
			return i;
		if (c == '(')
			depth++;
		if (c == ')' && depth-- == 0)
			return i;
	}
	return n;
}

static int push(struct scan_result *out, const char *detail, enum scan_confidence c,
		size_t b, size_t e, double score)
{
	struct scan_finding f = {
		.category = SCAN_CAT_EXFILTRATION,
		.start = b,
		.end = e,
		.confidence = c,
		.score = score,
	};

	memcpy(f.type, EXFIL_TYPE, sizeof(EXFIL_TYPE));
	strncpy(f.detail, detail, sizeof(f.detail) - 1);
	return scan_result_push(out, &f);
}

/* One candidate URL [ub, ue) of a construct [cb, ce). */
static int judge(const char *t, size_t cb, size_t ce, size_t ub, size_t ue, const char *detail,
		 int image, const struct exfil_opts *o, struct scan_result *out)
{
	struct url u;
	int data;

	if (url_parse(t, ub, ue, &u))
		return 0;
	if (exfil_host_allowed(t + u.host_b, u.host_e - u.host_b, o ? o->allow_hosts : NULL))
		return 0;
	data = carries_data(t, &u);
	if (!image && !data)
		return 0;
	if (push(out, detail, image && data ? SCAN_CONF_HIGH : SCAN_CONF_MEDIUM, cb, ce,
		 image && data ? 0.9 : 0.6))
		return -ENOMEM;
	return 1;
}

/* ![alt](url "title")  and  [text](url) */
static int scan_markdown(const char *t, size_t n, const struct exfil_opts *o,
			 struct scan_result *out, size_t *budget)
{
	size_t i;
	int found = 0, r;

	for (i = 0; i + 3 < n && *budget; i++) {
		const char *lb = memchr(t + i, '[', n - 3 - i);
		size_t cb, close, ub, ue, ce;
		int image;

		if (!lb)
			break;
		i = (size_t)(lb - t);
		image = i > 0 && t[i - 1] == '!';
		cb = image ? i - 1 : i;
		close = i + 1;
		while (close < n && t[close] != ']' && t[close] != '\n' && close - i < 1024)
			close++;
		if (close + 1 >= n || t[close] != ']' || t[close + 1] != '(')
			continue;
		ub = close + 2;
		while (ub < n && (t[ub] == ' ' || t[ub] == '<'))
			ub++;
		ue = url_end_paren(t, n, ub);
		for (ce = ue; ce < n && t[ce] != ')' && t[ce] != '\n' && ce - ue < 256; ce++)
			;
		ce = ce < n && t[ce] == ')' ? ce + 1 : ue;
		(*budget)--;
		r = judge(t, cb, ce, ub, ue, image ? "markdown-image" : "link", image, o, out);
		if (r < 0)
			return r;
		found += r;
		i = ce > i ? ce - 1 : i;
	}
	return found;
}

/* [ref]: url  (reference-style image and link definitions) */
static int scan_refdefs(const char *t, size_t n, const struct exfil_opts *o,
			struct scan_result *out, size_t *budget)
{
	size_t i = 0;
	int found = 0, r;

	while (i < n && *budget) {
		const char *nl = memchr(t + i, '\n', n - i);
		size_t s = i, close, ub, ue;

		i = nl ? (size_t)(nl - t) : n;
		while (s < i && (t[s] == ' ' || t[s] == '\t'))
			s++;
		if (s < i && t[s] == '[') {
			for (close = s + 1; close < i && t[close] != ']'; close++)
				;
			if (close + 1 < i && t[close + 1] == ':') {
				for (ub = close + 2; ub < i && (t[ub] == ' ' || t[ub] == '<'); ub++)
					;
				for (ue = ub; ue < i && t[ue] != ' ' && t[ue] != '>'; ue++)
					;
				(*budget)--;
				/* a reference may be used as an image: judge as one */
				r = judge(t, s, i, ub, ue, "markdown-image", 1, o, out);
				if (r < 0)
					return r;
				found += r;
			}
		}
		i++;
	}
	return found;
}

/* <img ... src="url" ...> */
static int scan_html_img(const char *t, size_t n, const struct exfil_opts *o,
			 struct scan_result *out, size_t *budget)
{
	size_t i;
	int found = 0, r;

	for (i = 0; i + 5 < n && *budget; i++) {
		const char *lt = memchr(t + i, '<', n - 5 - i);
		size_t gt, s, ub, ue;
		char q;

		if (!lt)
			break;
		i = (size_t)(lt - t);
		if (strncasecmp(t + i + 1, "img", 3) || isalnum((unsigned char)t[i + 4]))
			continue;
		for (gt = i; gt < n && t[gt] != '>' && gt - i < 4096; gt++)
			;
		for (s = i + 4; s + 4 < gt; s++)
			if (!strncasecmp(t + s, "src", 3) && !isalnum((unsigned char)t[s - 1]))
				break;
		if (s + 4 >= gt)
			continue;
		s += 3;
		while (s < gt && (t[s] == ' ' || t[s] == '='))
			s++;
		/* an unclosed tag may end the text: t[n] is not ours, and was no URL anyway */
		q = s < n ? t[s] : 0;
		ub = q == '"' || q == '\'' ? s + 1 : s;
		for (ue = ub; ue < gt && t[ue] != q && t[ue] != ' ' && t[ue] != '>'; ue++)
			if (q != '"' && q != '\'' && t[ue] == '"')
				break;
		(*budget)--;
		r = judge(t, i, gt < n ? gt + 1 : gt, ub, ue, "html-image", 1, o, out);
		if (r < 0)
			return r;
		found += r;
		i = gt;
	}
	return found;
}

/* --- request blobs ------------------------------------------------------------ */

/*
 * Byte classes for the blob scan, without the locale: this loop sees every
 * byte of a request, so one table load replaces a chain of compares.
 */
enum {
	CL_B64 = 1,             /* starts and continues a run */
	CL_PAD = 2,             /* '=': continues a run, never starts one */
	CL_HEX = 4,
};

static const unsigned char cls[256] = {
	['0' ... '9'] = CL_B64 | CL_HEX,
	['a' ... 'f'] = CL_B64 | CL_HEX,
	['A' ... 'F'] = CL_B64 | CL_HEX,
	['g' ... 'z'] = CL_B64,
	['G' ... 'Z'] = CL_B64,
	['+'] = CL_B64, ['/'] = CL_B64, ['-'] = CL_B64, ['_'] = CL_B64,
	['='] = CL_PAD,
};

static int in_run(char c)
{
	return cls[(unsigned char)c] & (CL_B64 | CL_PAD);
}

/* A "data:<mime>;base64," or "base64," prefix right before the run. */
static int is_attachment(const char *t, size_t b)
{
	size_t lo = b > 64 ? b - 64 : 0, i;

	for (i = b; i > lo; i--)
		if (t[i - 1] == ' ' || t[i - 1] == '"' || t[i - 1] == '\n')
			break;
	return b - i >= 7 && (memmem(t + i, b - i, "base64,", 7) || memmem(t + i, b - i, "data:", 5));
}

/*
 * Run bytes lie in '+'..'z'.  That range is a superset one compare tests:
 * a span of run bytes lies inside a span of the range, so a text without a
 * long span of the range has no long run, which is nearly every prompt.
 */
#define RANGE_LO '+'
#define RANGE_LEN ('z' - '+' + 1)

/* Bit j: p[j] is a run byte, or with `range` only in '+'..'z' (16 bytes). */
static inline __attribute__((always_inline)) unsigned int run_mask16(const unsigned char *p, int range)
{
#ifdef __SSE2__
	__m128i v = _mm_loadu_si128((const __m128i *)p), letter, digit, sym;

	/* c - lo < len unsigned, as a signed compare with lo moved to -128 */
	if (range)
		return (unsigned int)_mm_movemask_epi8(
			_mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - RANGE_LO))),
				       _mm_set1_epi8((char)(0x80 + RANGE_LEN))));
	letter = _mm_cmplt_epi8(_mm_add_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)),
					     _mm_set1_epi8((char)(0x80 - 'a'))),
				_mm_set1_epi8((char)(0x80 + 26)));
	digit = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - '0'))),
			       _mm_set1_epi8((char)(0x80 + 10)));
	sym = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('+')),
					_mm_cmpeq_epi8(v, _mm_set1_epi8('/'))),
			   _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('-')),
					_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('_')),
						     _mm_cmpeq_epi8(v, _mm_set1_epi8('=')))));
	return (unsigned int)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), sym));
#else
	unsigned int m = 0, j;

	for (j = 0; j < 16; j++)
		m |= (unsigned int)(range ? (unsigned char)(p[j] - RANGE_LO) < RANGE_LEN : !!in_run((char)p[j]))
		     << j;
	return m;
#endif
}

static inline __attribute__((always_inline)) uint64_t run_mask64(const unsigned char *p, int range)
{
	return (uint64_t)run_mask16(p, range) | (uint64_t)run_mask16(p + 16, range) << 16 |
	       (uint64_t)run_mask16(p + 32, range) << 32 | (uint64_t)run_mask16(p + 48, range) << 48;
}

#ifdef EXFIL_AVX512
/* run_mask64() in one register, the compares straight into the mask. */
__attribute__((target(AVX512))) static inline uint64_t run_mask64_avx512(const unsigned char *p,
									   int range)
{
	__m512i v = _mm512_loadu_si512((const void *)p);

	if (range)
		return _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8(RANGE_LO)),
					      _mm512_set1_epi8(RANGE_LEN));
	return _mm512_cmplt_epu8_mask(_mm512_sub_epi8(_mm512_or_si512(v, _mm512_set1_epi8(0x20)),
						      _mm512_set1_epi8('a')), _mm512_set1_epi8(26)) |
	       _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8('0')), _mm512_set1_epi8(10)) |
	       _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('+')) |
	       _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('/')) |
	       _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('-')) |
	       _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('_')) |
	       _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('='));
}
#endif

/* The mask of 64 bytes at p, through the widest code the caller was built for. */
static inline __attribute__((always_inline)) uint64_t run_mask64_at(const unsigned char *p, int range,
								    int wide)
{
#ifdef EXFIL_AVX512
	if (wide)
		return run_mask64_avx512(p, range);
#endif
	(void)wide;
	return run_mask64(p, range);
}

/*
 * The bits of t[base..n) that fall in 64 bytes.  A short last piece is
 * read as the last 64 bytes of the text, shifted, rather than copied.
 */
static inline __attribute__((always_inline)) uint64_t run_bits(const char *t, size_t n, size_t base,
							  int range, int wide)
{
	const unsigned char *p = (const unsigned char *)t;
	size_t left = n - base, j;
	uint64_t m = 0;

	if (left >= 64)
		return run_mask64_at(p + base, range, wide);
	if (n >= 64)
		return run_mask64_at(p + n - 64, range, wide) >> (64 - left);
	for (j = 0; j < left; j++)
		m |= (uint64_t)(range ? (unsigned char)(p[base + j] - RANGE_LO) < RANGE_LEN
				      : !!in_run(t[base + j])) << j;
	return m;
}

/* Bit j: bits j .. j + least - 1 of x are all set (1 <= least <= 64). */
static uint64_t long_runs(uint64_t x, size_t least)
{
	size_t have = 1;

	while (have * 2 <= least) {
		x &= x >> have;
		have *= 2;
	}
	return have < least ? x & x >> (least - have) : x;
}

/*
 * The first span of at least `least` (at most 60) bytes of the class in
 * t[i..n), or n.  The bits come 64 at a time; a span that reaches the end
 * of one piece carries its start and length into the next.
 */
static inline __attribute__((always_inline)) size_t first_span(const char *t, size_t n, size_t i,
							       size_t least, int range, int wide)
{
	size_t base, open_b = 0, open = 0;     /* the span reaching the last piece's end */

	if (i >= n || n - i < least)
		return n;
	for (base = i; base < n; base += 64) {
		uint64_t x = run_bits(t, n, base, range, wide), z;

		if (open) {
			size_t ones = ~x ? (size_t)__builtin_ctzll(~x) : 64;

			if (open + ones >= least)
				return open_b;
			if (ones == 64) {
				open += 64;
				continue;
			}
			x &= ~(uint64_t)0 << ones;
			open = 0;
		}
		z = long_runs(x, least);
		if (z)
			return base + (size_t)__builtin_ctzll(z);
		if (x >> 63) {
			open = (size_t)__builtin_clzll(~x);
			open_b = base + 64 - open;
		}
	}
	return n;
}

/*
 * The start of the first span of run bytes at or after i that is at least
 * `least` long, or n; no span crosses i.  It lies in the first long span
 * of the range or after it, and the byte before that one is no run byte,
 * so the exact search can start there.  Each search is inlined for its class.
 */
static size_t next_long_span_portable(const char *t, size_t n, size_t i, size_t least)
{
	size_t s = first_span(t, n, i, least, 1, 0);

	return s < n ? first_span(t, n, s, least, 0, 0) : n;
}

#ifdef EXFIL_AVX512
__attribute__((target(AVX512))) static size_t next_long_span_avx512(const char *t, size_t n, size_t i,
								     size_t least)
{
	size_t s = first_span(t, n, i, least, 1, 1);

	return s < n ? first_span(t, n, s, least, 0, 1) : n;
}
#endif

/* wide: the CPU has AVX-512BW (texts of 64 bytes or more are read 64 bytes at a time). */
static size_t next_long_span(const char *t, size_t n, size_t i, size_t least, int wide)
{
#ifdef EXFIL_AVX512
	if (wide)
		return next_long_span_avx512(t, n, i, least);
#endif
	(void)wide;
	return next_long_span_portable(t, n, i, least);
}

/*
 * The run is base64 (or hex) from its first non-'=' byte to the end of the
 * span, continued over line breaks ("\n" or an escaped "\\n") when it is
 * already 60 bytes long.  A run shorter than both min and 60 can neither be
 * reported nor continue, so next_long_span() skips it without changing
 * where later runs start.
 */
static int scan_blobs(const char *t, size_t n, const struct exfil_opts *o, struct scan_result *out)
{
	size_t min = o && o->blob_min_bytes ? o->blob_min_bytes : EXFIL_BLOB_MIN_DEFAULT;
	size_t least = min < 60 ? min : 60, i = 0;
	int found = 0, wide = 0;

#ifdef EXFIL_AVX512
	wide = n >= 64 && __builtin_cpu_supports("avx512bw");
#endif
	while ((i = next_long_span(t, n, i, least, wide)) < n) {
		size_t b = i, e, hex = 0;
		double ent, need;

		while (b < n && !(cls[(unsigned char)t[b]] & CL_B64))
			b++;
		for (e = b; e < n && in_run(t[e]); e++)
			hex += cls[(unsigned char)t[e]] & CL_HEX ? 1 : 0;
		/* also allow line-wrapped base64: "\n" between full lines */
		while (e + 1 < n && (t[e] == '\n' || (t[e] == '\\' && t[e + 1] == 'n')) && e - b >= 60) {
			size_t k = t[e] == '\n' ? e + 1 : e + 2, m = k;

			while (m < n && in_run(t[m]))
				m++;
			if (m - k < 16)
				break;
			e = m;
			hex = 0;        /* wrapped blocks are base64, not hex */
		}
		i = e + 1;
		if (e - b < min)
			continue;
		if (!(o && o->flag_data_uris) && is_attachment(t, b))
			continue;
		ent = scan_entropy(t + b, e - b);
		need = o && o->blob_min_entropy > 0 ? o->blob_min_entropy
			: hex == e - b ? EXFIL_HEX_ENTROPY : EXFIL_B64_ENTROPY;
		if (ent <= need)
			continue;
		if (push(out, "high-entropy-blob", e - b >= 4 * min ? SCAN_CONF_HIGH : SCAN_CONF_MEDIUM,
			 b, e, e - b >= 4 * min ? 0.9 : 0.6))
			return -ENOMEM;
		found++;
	}
	return found;
}

static int start_cmp(const struct scan_finding *a, const struct scan_finding *b)
{
	return a->start < b->start ? -1 : a->start > b->start;
}

/* Findings of this call sorted by start, overlaps dropped (the first kept). */
static void tidy(struct scan_result *out, size_t from)
{
	size_t i, j, k;

	for (i = from + 1; i < out->n; i++) {
		struct scan_finding f = out->v[i];

		for (j = i; j > from && start_cmp(&out->v[j - 1], &f) > 0; j--)
			out->v[j] = out->v[j - 1];
		out->v[j] = f;
	}
	for (i = k = from; i < out->n; i++) {
		if (k > from && out->v[i].start < out->v[k - 1].end)
			continue;
		out->v[k++] = out->v[i];
	}
	out->n = k;
}

int exfil_scan(const char *text, size_t len, enum exfil_direction dir,
	       const struct exfil_opts *o, struct scan_result *out)
{
	size_t from, budget = EXFIL_URLS_MAX;
	int r, total = 0;

	if ((!text && len) || !out)
		return -EINVAL;
	from = out->n;
	if (dir == EXFIL_REQUEST) {
		r = scan_blobs(text, len, o, out);
		if (r < 0)
			return r;
		return r;
	}
	r = scan_markdown(text, len, o, out, &budget);
	if (r < 0)
		return r;
	total += r;
	r = scan_refdefs(text, len, o, out, &budget);
	if (r < 0)
		return r;
	total += r;
	r = scan_html_img(text, len, o, out, &budget);
	if (r < 0)
		return r;
	total += r;
	tidy(out, from);
	return (int)(out->n - from) < total ? (int)(out->n - from) : total;
}
