// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vault.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define VAULT_BODY_MAX (VAULT_TYPE_MAX + 1 + VAULT_TAG_HEX)  /* between "[[" and "]]" */
#define VAULT_BODY_MIN (1 + 1 + VAULT_TAG_HEX)
/*
 * Room inside the vault itself, so a request tokenizing a few values
 * allocates nothing more; the whole stays under 1 KiB, which glibc serves
 * from its per-thread cache.
 */
#define VAULT_INLINE_ENTRIES 8
#define VAULT_INLINE_BYTES   512

struct vault_entry {
	size_t ph_off;          /* into arena */
	size_t val_off;
	size_t val_len;
	unsigned char ph_len;
};

/* HMAC-SHA-256 keyed once per tenant; a request's vault copies the context. */
struct vault_mac {
	EVP_MAC_CTX *ctx;
	unsigned char key[VAULT_KEY_MAX];
	size_t key_len;
};

struct vault {
	struct vault_limits lim;
	struct vault_entry *ent;      /* ent_inline until it outgrows it */
	size_t n, cap;
	uint32_t *slot;         /* open addressing: entry index + 1, 0 when free */
	size_t nslot;           /* power of two, at least 2 * n */
	char *arena;            /* arena_inline until it outgrows it */
	size_t used, arena_cap;
	size_t bytes;           /* placeholder + value bytes, against lim.max_bytes */
	size_t longest;
	EVP_MAC_CTX *mac;              /* keyed with key[]; NULL before the first tokenize */
	unsigned char key[VAULT_KEY_MAX];
	size_t key_len;
	const struct vault_mac *tmpl;  /* copied instead of keying mac, when the key matches */
	struct vault_entry ent_inline[VAULT_INLINE_ENTRIES];
	uint32_t slot_inline[2 * VAULT_INLINE_ENTRIES];
	char arena_inline[VAULT_INLINE_BYTES];
};

static const char hexdig[] = "0123456789ABCDEF";

static bool is_type_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool is_hex_char(unsigned char c)
{
	return (c >= 'A' && c <= 'F') || (c >= '0' && c <= '9');
}

/* body = what sits between "[[" and "]]" */
static bool body_valid(const char *b, size_t n)
{
	size_t i;

	if (n < VAULT_BODY_MIN || n > VAULT_BODY_MAX || b[n - VAULT_TAG_HEX - 1] != '_')
		return false;
	for (i = 0; i < n - VAULT_TAG_HEX; i++)
		if (!is_type_char(b[i]))
			return false;
	for (; i < n; i++)
		if (!is_hex_char(b[i]))
			return false;
	return true;
}

static bool placeholder_valid(const char *ph, size_t n)
{
	return n >= 4 && ph[0] == '[' && ph[1] == '[' && ph[n - 2] == ']' && ph[n - 1] == ']' &&
	       body_valid(ph + 2, n - 4);
}

/* Upper-case letters and digits; anything else becomes '_'. */
static size_t type_label(const char *type, char out[VAULT_TYPE_MAX])
{
	size_t i, n = 0;

	for (i = 0; type && type[i] && n < VAULT_TYPE_MAX; i++) {
		unsigned char c = (unsigned char)type[i];

		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 'a' + 'A');
		out[n++] = is_type_char(c) ? (char)c : '_';
	}
	if (!n) {
		memcpy(out, "VALUE", 5);
		n = 5;
	}
	return n;
}

static int format_placeholder(const char *type, const unsigned char *mac,
			      char ret[VAULT_PLACEHOLDER_MAX + 1])
{
	size_t n = 0, i;

	ret[n++] = '[';
	ret[n++] = '[';
	n += type_label(type, ret + n);
	ret[n++] = '_';
	for (i = 0; i < VAULT_TAG_HEX; i++)
		ret[n++] = hexdig[(mac[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
	ret[n++] = ']';
	ret[n++] = ']';
	ret[n] = '\0';
	return (int)n;
}

static bool key_len_valid(size_t key_len)
{
	return key_len >= VAULT_KEY_MIN && key_len <= VAULT_KEY_MAX;
}

int vault_placeholder(const void *key, size_t key_len, const char *type, const char *value,
		      size_t value_len, char ret[VAULT_PLACEHOLDER_MAX + 1])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	size_t tlen = type ? strlen(type) : 0;
	unsigned char *msg;

	if (!key_len_valid(key_len))
		return -EINVAL;
	msg = malloc(tlen + 1 + value_len);
	if (!msg)
		return -ENOMEM;
	memcpy(msg, type ? type : "", tlen);
	msg[tlen] = 0;
	if (value_len)
		memcpy(msg + tlen + 1, value, value_len);
	if (!HMAC(EVP_sha256(), key, (int)key_len, msg, tlen + 1 + value_len, mac, &mac_len)) {
		OPENSSL_cleanse(msg, tlen + 1 + value_len);
		free(msg);
		return -EIO;
	}
	OPENSSL_cleanse(msg, tlen + 1 + value_len);
	free(msg);
	return format_placeholder(type, mac, ret);
}

struct vault *vault_new(const struct vault_limits *limits)
{
	/* malloc, not calloc: glibc's calloc skips the per-thread cache */
	struct vault *v = malloc(sizeof(*v));

	if (!v) {
		errno = ENOMEM;
		return NULL;
	}
	*v = (struct vault){
		.lim = limits ? *limits : (struct vault_limits){ 0 },
		.ent = v->ent_inline,
		.cap = VAULT_INLINE_ENTRIES,
		.slot = v->slot_inline,
		.nslot = 2 * VAULT_INLINE_ENTRIES,
		.arena = v->arena_inline,
		.arena_cap = sizeof(v->arena_inline),
	};
	if (!v->lim.max_entries)
		v->lim.max_entries = VAULT_DEFAULT_ENTRIES;
	if (!v->lim.max_bytes)
		v->lim.max_bytes = VAULT_DEFAULT_BYTES;
	if (v->lim.max_entries > UINT32_MAX / 4)
		v->lim.max_entries = UINT32_MAX / 4;
	return v;
}

struct vault *vault_free(struct vault *v)
{
	if (!v)
		return NULL;
	OPENSSL_cleanse(v->arena, v->used);
	EVP_MAC_CTX_free(v->mac);
	if (v->arena != v->arena_inline)
		free(v->arena);
	if (v->ent != v->ent_inline)
		free(v->ent);
	if (v->slot != v->slot_inline)
		free(v->slot);
	free(v);
	return NULL;
}

/* FNV-1a; the tag is already uniform, but keep it independent of the format. */
static uint64_t ph_hash(const char *ph, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)ph[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static const struct vault_entry *find(const struct vault *v, const char *ph, size_t n)
{
	size_t mask, i;

	if (!v || !v->n)
		return NULL;
	mask = v->nslot - 1;
	for (i = ph_hash(ph, n) & mask; v->slot[i]; i = (i + 1) & mask) {
		const struct vault_entry *e = &v->ent[v->slot[i] - 1];

		if (e->ph_len == n && !memcmp(v->arena + e->ph_off, ph, n))
			return e;
	}
	return NULL;
}

static void slot_insert(uint32_t *slot, size_t nslot, uint64_t h, uint32_t idx)
{
	size_t mask = nslot - 1, i;

	for (i = h & mask; slot[i]; i = (i + 1) & mask)
		;
	slot[i] = idx + 1;
}

static int grow_index(struct vault *v)
{
	size_t nslot = v->nslot ? v->nslot * 2 : 16, i;
	uint32_t *slot;

	slot = calloc(nslot, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	for (i = 0; i < v->n; i++) {
		const struct vault_entry *e = &v->ent[i];

		slot_insert(slot, nslot, ph_hash(v->arena + e->ph_off, e->ph_len), (uint32_t)i);
	}
	if (v->slot != v->slot_inline)
		free(v->slot);
	v->slot = slot;
	v->nslot = nslot;
	return 0;
}

static int grow_arena(struct vault *v, size_t need)
{
	size_t cap = v->arena_cap ? v->arena_cap : 256;
	char *a;

	while (cap - v->used < need)
		cap *= 2;
	a = malloc(cap);
	if (!a)
		return -ENOMEM;
	/* Copy then wipe, rather than realloc, so no stray copy of a value is freed. */
	if (v->used)
		memcpy(a, v->arena, v->used);
	OPENSSL_cleanse(v->arena, v->used);
	if (v->arena != v->arena_inline)
		free(v->arena);
	v->arena = a;
	v->arena_cap = cap;
	return 0;
}

static int grow_entries(struct vault *v)
{
	size_t cap = v->cap * 2;
	struct vault_entry *e;

	if (v->ent == v->ent_inline) {
		e = malloc(cap * sizeof(*e));
		if (e)
			memcpy(e, v->ent, v->n * sizeof(*e));
	} else {
		e = realloc(v->ent, cap * sizeof(*e));
	}
	if (!e)
		return -ENOMEM;
	v->ent = e;
	v->cap = cap;
	return 0;
}

int vault_put(struct vault *v, const char *ph, size_t ph_len, const char *value,
	      size_t value_len)
{
	const struct vault_entry *old;
	struct vault_entry *e;
	int err;

	if (!v || !placeholder_valid(ph, ph_len))
		return -EINVAL;
	old = find(v, ph, ph_len);
	if (old) {
		if (old->val_len == value_len && !memcmp(v->arena + old->val_off, value, value_len))
			return 0;
		return -EEXIST;
	}
	if (v->n >= v->lim.max_entries || value_len > v->lim.max_bytes ||
	    v->bytes + ph_len + value_len > v->lim.max_bytes)
		return -E2BIG;
	if (v->n == v->cap) {
		err = grow_entries(v);
		if (err)
			return err;
	}
	if ((v->n + 1) * 2 > v->nslot) {
		err = grow_index(v);
		if (err)
			return err;
	}
	if (v->arena_cap - v->used < ph_len + value_len) {
		err = grow_arena(v, ph_len + value_len);
		if (err)
			return err;
	}
	e = &v->ent[v->n];
	e->ph_off = v->used;
	e->ph_len = (unsigned char)ph_len;
	memcpy(v->arena + v->used, ph, ph_len);
	v->used += ph_len;
	e->val_off = v->used;
	e->val_len = value_len;
	if (value_len)
		memcpy(v->arena + v->used, value, value_len);
	v->used += value_len;
	v->bytes += ph_len + value_len;
	slot_insert(v->slot, v->nslot, ph_hash(ph, ph_len), (uint32_t)v->n);
	v->n++;
	if (ph_len > v->longest)
		v->longest = ph_len;
	return 0;
}

/* A new HMAC-SHA-256 context keyed with key. */
static int mac_ctx_new(const void *key, size_t key_len, EVP_MAC_CTX **ret)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC_CTX *ctx;
	EVP_MAC *alg;

	alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!alg)
		return -EIO;
	ctx = EVP_MAC_CTX_new(alg);
	EVP_MAC_free(alg);
	if (!ctx)
		return -ENOMEM;
	if (!EVP_MAC_init(ctx, key, key_len, params)) {
		EVP_MAC_CTX_free(ctx);
		return -EIO;
	}
	*ret = ctx;
	return 0;
}

int vault_mac_new(const void *key, size_t key_len, struct vault_mac **ret)
{
	struct vault_mac *m;
	int err;

	if (!key_len_valid(key_len))
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	err = mac_ctx_new(key, key_len, &m->ctx);
	if (err) {
		free(m);
		return err;
	}
	memcpy(m->key, key, key_len);
	m->key_len = key_len;
	*ret = m;
	return 0;
}

struct vault_mac *vault_mac_free(struct vault_mac *m)
{
	if (!m)
		return NULL;
	EVP_MAC_CTX_free(m->ctx);
	OPENSSL_cleanse(m->key, sizeof(m->key));
	free(m);
	return NULL;
}

void vault_use_mac(struct vault *v, const struct vault_mac *m)
{
	v->tmpl = m;
}

/*
 * v->mac keyed with key: kept, copied from the template, or made.  The
 * copy costs OpenSSL 3.0 about ten allocations, once per request that
 * tokenizes; the HMAC itself stays OpenSSL's (and its provider's, FIPS
 * included).
 */
static int mac_rekey(struct vault *v, const void *key, size_t key_len)
{
	const struct vault_mac *t = v->tmpl;
	EVP_MAC_CTX *ctx = NULL;
	int err;

	if (v->mac && v->key_len == key_len && !CRYPTO_memcmp(v->key, key, key_len))
		return 0;
	if (t && t->key_len == key_len && !CRYPTO_memcmp(t->key, key, key_len)) {
		ctx = EVP_MAC_CTX_dup(t->ctx);
		if (!ctx)
			return -ENOMEM;
	} else {
		err = mac_ctx_new(key, key_len, &ctx);
		if (err)
			return err;
	}
	EVP_MAC_CTX_free(v->mac);
	v->mac = ctx;
	memcpy(v->key, key, key_len);
	v->key_len = key_len;
	return 0;
}

int vault_tokenize(struct vault *v, const void *key, size_t key_len, const char *type,
		   const char *value, size_t value_len, char ret[VAULT_PLACEHOLDER_MAX + 1])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	char ph[VAULT_PLACEHOLDER_MAX + 1];
	size_t mac_len = 0;
	int n, err;

	if (!v || !key_len_valid(key_len))
		return -EINVAL;
	err = mac_rekey(v, key, key_len);
	if (err)
		return err;
	if (!EVP_MAC_init(v->mac, NULL, 0, NULL) ||
	    !EVP_MAC_update(v->mac, (const unsigned char *)(type ? type : ""),
			    (type ? strlen(type) : 0) + 1) ||
	    !EVP_MAC_update(v->mac, (const unsigned char *)value, value_len) ||
	    !EVP_MAC_final(v->mac, mac, &mac_len, sizeof(mac)))
		return -EIO;
	n = format_placeholder(type, mac, ph);
	err = vault_put(v, ph, (size_t)n, value, value_len);
	if (err)
		return err;
	memcpy(ret, ph, (size_t)n + 1);
	return n;
}

const char *vault_lookup(const struct vault *v, const char *ph, size_t ph_len, size_t *ret_len)
{
	const struct vault_entry *e = find(v, ph, ph_len);

	if (!e)
		return NULL;
	if (ret_len)
		*ret_len = e->val_len;
	return v->arena + e->val_off;
}

size_t vault_max_placeholder_len(void)
{
	return VAULT_PLACEHOLDER_MAX;
}

size_t vault_longest(const struct vault *v)
{
	return v ? v->longest : 0;
}

size_t vault_count(const struct vault *v)
{
	return v ? v->n : 0;
}

/*
 * Length of the placeholder starting at t (which begins with "[["), or 0 when
 * t does not start with a complete, well-formed one.
 */
static size_t match_at(const char *t, size_t len)
{
	size_t i;

	for (i = 2; i < len && i - 2 < VAULT_BODY_MAX && is_type_char(t[i]); i++)
		;
	if (i + 1 >= len || t[i] != ']' || t[i + 1] != ']' || !body_valid(t + 2, i - 2))
		return 0;
	return i + 2;
}

/* Is t[0..len) a proper prefix of a well-formed placeholder? */
static bool is_partial(const char *t, size_t len)
{
	size_t i;

	if (t[0] != '[')
		return false;
	if (len == 1)
		return true;
	if (t[1] != '[')
		return false;
	for (i = 2; i < len && is_type_char(t[i]); i++)
		if (i - 2 >= VAULT_BODY_MAX)
			return false;
	if (i == len)
		return true;
	/* "[[BODY]" still waiting for the last bracket */
	return i == len - 1 && t[i] == ']' && body_valid(t + 2, i - 2);
}

size_t vault_partial_start(const char *text, size_t len, size_t max_len)
{
	size_t i = len >= max_len ? len - max_len + 1 : 0;

	if (!max_len)
		return len;
	for (; i < len; i++) {
		const char *p = memchr(text + i, '[', len - i);

		if (!p)
			break;
		i = (size_t)(p - text);
		if (is_partial(p, len - i))
			return i;
	}
	return len;
}

/* --- arenas ------------------------------------------------------------------ */

/*
 * Under AddressSanitizer every carving is followed by a poisoned red zone
 * and what is not carved stays poisoned, so an overrun of an arena buffer
 * is caught as it would be on the heap.
 */
#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define ARENA_REDZONE 16
#define arena_poison(p, n)   ASAN_POISON_MEMORY_REGION(p, n)
#define arena_unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define ARENA_REDZONE 0
#define arena_poison(p, n)   ((void)(p), (void)(n))
#define arena_unpoison(p, n) ((void)(p), (void)(n))
#endif

struct vault_arena_block {
	struct vault_arena_block *prev;
	size_t cap;                     /* bytes after the header */
	max_align_t data[];
};

static size_t align16(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

/* Bytes a carving of size takes in its block. */
static size_t carving(size_t size)
{
	return align16(size ? size : 1) + ARENA_REDZONE;
}

static char *block_data(struct vault_arena_block *b)
{
	return (char *)b->data;
}

/* A block of at least size bytes: twice the last one, the first as asked. */
static int arena_new_block(struct vault_arena *a, size_t size)
{
	size_t cap = a->blk ? a->blk->cap * 2 : a->first_bytes ? a->first_bytes : VAULT_ARENA_MIN;
	struct vault_arena_block *b;

	if (size > SIZE_MAX / 4)
		return -ENOMEM;
	if (cap < size)
		cap = size;
	cap = align16(cap);
	b = malloc(sizeof(*b) + cap);
	if (!b)
		return -ENOMEM;
	b->prev = a->blk;
	b->cap = cap;
	arena_poison(block_data(b), cap);
	a->blk = b;
	a->used = 0;
	a->last = 0;
	return 0;
}

void *vault_arena_alloc(struct vault_arena *a, size_t size)
{
	size_t need;
	char *p;

	if (size > SIZE_MAX / 4)
		return NULL;
	need = carving(size);
	if ((!a->blk || a->blk->cap - a->used < need) && arena_new_block(a, need))
		return NULL;
	a->last = a->used;
	a->used += need;
	p = block_data(a->blk) + a->last;
	arena_unpoison(p, size);
	return p;
}

void *vault_arena_realloc(struct vault_arena *a, void *p, size_t old, size_t size)
{
	char *q;

	if (size > SIZE_MAX / 4)
		return NULL;
	/* the last carving grows where it is when its block has the room */
	if (p && a->blk && (char *)p == block_data(a->blk) + a->last &&
	    carving(size) <= a->blk->cap - a->last) {
		arena_poison(p, a->used - a->last);
		arena_unpoison(p, size);
		a->used = a->last + carving(size);
		return p;
	}
	q = vault_arena_alloc(a, size);
	if (q && p && old)
		memcpy(q, p, old < size ? old : size);
	return q;
}

void vault_arena_fini(struct vault_arena *a)
{
	struct vault_arena_block *b = a->blk, *prev;

	for (; b; b = prev) {
		prev = b->prev;
		arena_unpoison(block_data(b), b->cap);
		free(b);
	}
	*a = (struct vault_arena){ .first_bytes = a->first_bytes };
}

/* --- buffers ------------------------------------------------------------------ */

int vault_buf_reserve(struct vault_buf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 64;
	char *p;

	if (n >= SIZE_MAX / 2 - b->len)
		return -ENOMEM;
	if (b->cap - b->len > n)
		return 0;
	while (cap - b->len <= n)
		cap *= 2;
	if (b->arena)
		p = vault_arena_realloc(b->arena, b->p, b->p ? b->len : 0, cap);
	else
		p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int vault_buf_add(struct vault_buf *b, const void *s, size_t n)
{
	int err = vault_buf_reserve(b, n);

	if (err)
		return err;
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

void vault_buf_fini(struct vault_buf *b)
{
	if (!b->arena)
		free(b->p);
	memset(b, 0, sizeof(*b));
}

/* The first byte of s[i..n) that JSON must escape (a control byte, '"', '\\'), or n. */
static size_t json_plain_to(const char *s, size_t i, size_t n)
{
#ifdef __SSE2__
	/* a rewritten 4 KB body is copied through here: 16 plain bytes a step */
	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(s + i));
		__m128i ctl = _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(0x1f)), _mm_set1_epi8(0x1f));
		unsigned int m = (unsigned int)_mm_movemask_epi8(
			_mm_or_si128(ctl, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
						       _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')))));

		if (m)
			return i + (size_t)__builtin_ctz(m);
	}
#endif
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == '"' || c == '\\')
			break;
	}
	return i;
}

int vault_buf_add_json(struct vault_buf *b, const char *s, size_t n)
{
	size_t i, run = 0;
	int err;

	for (i = json_plain_to(s, 0, n); i < n; i = json_plain_to(s, i + 1, n)) {
		unsigned char c = (unsigned char)s[i];
		char esc[8] = { '\\' };
		size_t elen = 2;

		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hexdig[c >> 4];
			esc[5] = hexdig[c & 0xf];
			elen = 6;
		}
		err = vault_buf_add(b, s + run, i - run);
		if (!err)
			err = vault_buf_add(b, esc, elen);
		if (err)
			return err;
		run = i + 1;
	}
	return vault_buf_add(b, s + run, n - run);
}

static int restore_into(const struct vault *v, const char *text, size_t len, unsigned flags,
			struct vault_buf *b)
{
	size_t pos = 0, i = 0;
	int n = 0, err;

	while (v && v->n && i + 1 < len) {
		const char *p = memmem(text + i, len - i, "[[", 2);
		const char *val;
		size_t m, vlen;

		if (!p)
			break;
		i = (size_t)(p - text);
		m = match_at(p, len - i);
		val = m ? vault_lookup(v, p, m, &vlen) : NULL;
		if (!val) {
			i++;
			continue;
		}
		err = vault_buf_add(b, text + pos, i - pos);
		if (!err)
			err = flags & VAULT_RESTORE_JSON ? vault_buf_add_json(b, val, vlen)
							 : vault_buf_add(b, val, vlen);
		if (err)
			return err;
		i += m;
		pos = i;
		if (n < INT32_MAX)
			n++;
	}
	err = vault_buf_add(b, text + pos, len - pos);
	return err ? err : n;
}

int vault_restore_append(const struct vault *v, const char *text, size_t len, unsigned flags,
			 struct vault_buf *out)
{
	size_t old = out->len;
	int n = restore_into(v, text, len, flags, out);

	if (n < 0) {
		out->len = old;
		if (out->p)
			out->p[old] = '\0';
	}
	return n;
}

int vault_restore(const struct vault *v, const char *text, size_t len, unsigned flags,
		  char **ret_text, size_t *ret_len)
{
	struct vault_buf b = { 0 };
	int n = restore_into(v, text, len, flags, &b);

	if (n >= 0)
		n = vault_buf_reserve(&b, 0) ? -ENOMEM : n;
	if (n < 0) {
		vault_buf_fini(&b);
		return n;
	}
	b.p[b.len] = '\0';
	*ret_text = b.p;
	*ret_len = b.len;
	return n;
}
