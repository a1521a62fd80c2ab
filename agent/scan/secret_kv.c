// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * SECRET_KV (rules_secret.h) in C: what follows the keyword, for a rule
 * that has Hyperscan look for its keywords only (scan_rule.lead and .tail,
 * rules.h).  Each function matches exactly what its part of the regex
 * does, every way it can; a rule's tail puts its value between
 * secret_kv_op() and secret_kv_end().  test_scan_tail compares the whole
 * with Hyperscan.
 */
#include "rules_secret.h"

enum {
	KV_NAME  = 1 << 0,   /* [ \t\w.-]: between the keyword and the operator */
	KV_QUOTE = 1 << 1,   /* [\s'"]: just before the operator */
	KV_PAD   = 1 << 2,   /* [`'"\s=]: after it */
	KV_END   = 1 << 3,   /* [`'"\s;]: SECRET_END's byte */
	KV_WORD  = 1 << 4,   /* [\w.=-] (SECRET_RUN_WORD) */
	KV_B64   = 1 << 5,   /* [A-Za-z0-9+/] (SECRET_RUN_B64) */
	KV_OPER  = 1 << 6,   /* what an operator begins with: = > : | ? , */
};

#define KV_LETTER (KV_NAME | KV_WORD | KV_B64)
/* Hyperscan's \s: [\t\n\v\f\r ] */
#define KV_SPACE  (KV_QUOTE | KV_PAD | KV_END)

static const uint8_t kv_cls[256] = {
	['0' ... '9'] = KV_LETTER, ['a' ... 'z'] = KV_LETTER, ['A' ... 'Z'] = KV_LETTER,
	['_'] = KV_NAME | KV_WORD, ['.'] = KV_NAME | KV_WORD, ['-'] = KV_NAME | KV_WORD,
	[' '] = KV_NAME | KV_SPACE, ['\t'] = KV_NAME | KV_SPACE,
	['\n'] = KV_SPACE, ['\v'] = KV_SPACE, ['\f'] = KV_SPACE, ['\r'] = KV_SPACE,
	['\''] = KV_SPACE, ['"'] = KV_SPACE, ['`'] = KV_PAD | KV_END,
	['='] = KV_PAD | KV_WORD | KV_OPER, [';'] = KV_END, ['+'] = KV_B64, ['/'] = KV_B64,
	['>'] = KV_OPER, [':'] = KV_OPER, ['|'] = KV_OPER, ['?'] = KV_OPER, [','] = KV_OPER,
};

/*
 * The widest SECRET_KV_OP: 20 name bytes, 3 quotes, ":::=", 5 pads.  No
 * byte at or past it is read: the last pad is byte KV_OP_MAX - 1.
 */
#define KV_OP_MAX (20 + 3 + 4 + 5)

/* Bits 0..: which of the next bytes are of class k; past n, none. */
static uint64_t class_bits(const unsigned char *u, size_t len, uint8_t k)
{
	uint64_t m = 0;
	size_t i;

	for (i = 0; i < len; i++)
		m |= (uint64_t)!!(kv_cls[u[i]] & k) << i;
	return m;
}

/* Bits r of m, plus each bit moved on by 1 to max bytes of class c (its mask). */
static uint64_t repeat(uint64_t m, uint64_t c, unsigned int max)
{
	uint64_t cur = m;

	while (max--) {
		cur = (cur & c) << 1;
		m |= cur;
	}
	return m;
}

uint64_t secret_kv_op(const char *t, size_t n, size_t at)
{
	const unsigned char *u = (const unsigned char *)t + at;
	size_t len = n - at < KV_OP_MAX ? n - at : KV_OP_MAX, i, run, reach;
	uint64_t m, ops = 0;
	unsigned int j;

	/* [ \t\w.-]{0,20}: every length of the name run up to 20 */
	for (run = 0; run < 20 && run < len && (kv_cls[u[run]] & KV_NAME); run++)
		;
	/* most keywords, in prose or a path, have no operator within reach: done */
	reach = run + 4 < len ? run + 4 : len;
	for (i = 0; i < reach && !(kv_cls[u[i]] & KV_OPER); i++)
		;
	if (i == reach)
		return 0;
	m = (2ull << run) - 1;
	/* [\s'"]{0,3} */
	m = repeat(m, class_bits(u, reach, KV_QUOTE), 3);
	/* (?:=|>|:{1,3}=|\|\||:|=>|\?=|,) */
	for (; m; m &= m - 1) {
		i = (size_t)__builtin_ctzll(m);
		if (i >= len)
			break;
		switch (u[i]) {
		case '=':
			ops |= 2ull << i;
			if (i + 1 < len && u[i + 1] == '>')
				ops |= 4ull << i;
			break;
		case '>':
		case ',':
			ops |= 2ull << i;
			break;
		case ':':
			ops |= 2ull << i;
			for (j = 1; j <= 3 && i + j < len && u[i + j - 1] == ':'; j++)
				if (u[i + j] == '=')
					ops |= 2ull << (i + j);
			break;
		case '|':
		case '?':
			if (i + 1 < len && u[i + 1] == (u[i] == '|' ? '|' : '='))
				ops |= 4ull << i;
			break;
		}
	}
	/* [`'"\s=]{0,5} */
	return repeat(ops, class_bits(u, len, KV_PAD), 5);
}

int secret_kv_end(const char *t, size_t n, size_t v, int caseless, scan_tail_emit_fn emit,
		  void *ctx)
{
	unsigned char c, nx;
	int err;

	if (v >= n)
		return v == n ? emit(ctx, v) : 0;
	c = (unsigned char)t[v];
	/* $ before a final newline too, as Hyperscan has it; \s after it */
	if (c == '\n' && v + 1 == n && (err = emit(ctx, v)))
		return err;
	if (kv_cls[c] & KV_END)
		return emit(ctx, v + 1);
	if (c != '\\' || v + 1 == n)
		return 0;
	nx = (unsigned char)t[v + 1] | (caseless ? 0x20 : 0);
	return nx == 'n' || nx == 'r' ? emit(ctx, v + 2) : 0;
}

size_t secret_run_end(const char *t, size_t n, size_t q, enum secret_run cls,
		      struct scan_tail_runs *runs, unsigned int slot)
{
	const uint8_t k = cls == SECRET_RUN_WORD ? KV_WORD : KV_B64;
	size_t e;

	if (runs->lo[slot] <= q && q < runs->hi[slot])
		return runs->hi[slot];
	for (e = q; e < n && (kv_cls[(unsigned char)t[e]] & k); e++)
		;
	runs->lo[slot] = q;
	runs->hi[slot] = e;
	return e;
}
