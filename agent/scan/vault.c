// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#define _GNU_SOURCE
/*
 * SHA256_Init() and friends are deprecated in OpenSSL 3 in favour of EVP, but
 * an EVP digest or MAC context allocates on every init and copy (3.0: two
 * mallocs per HMAC, about ten to copy a keyed context), and a request with
 * something to tokenize would pay that each time.  A SHA256_CTX is a plain
 * struct: the keyed states are copied by assignment.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vault.h"

#define VAULT_BODY_MAX (VAULT_TYPE_MAX + 1 + VAULT_TAG_HEX)  /* between "[[" and "]]" */
#define VAULT_BODY_MIN (1 + 1 + VAULT_TAG_HEX)
#define VAULT_HMAC_BLOCK 64     /* SHA-256 block: keys up to VAULT_KEY_MAX need no hashing */
/*
 * Room inside the vault itself, so a request tokenizing a few values
 * allocates nothing more; the whole stays under 1 KiB, which glibc serves
 * from its per-thread cache.
 */
#define VAULT_INLINE_ENTRIES 8
#define VAULT_INLINE_BYTES   512

_Static_assert(VAULT_KEY_MAX <= VAULT_HMAC_BLOCK, "keys fit one HMAC block");

struct vault_entry {
	size_t ph_off;          /* into arena */
	size_t val_off;
	size_t val_len;
	unsigned char ph_len;
};

/* HMAC-SHA-256 under key: the states after the inner and the outer pad. */
struct vault_mac {
	SHA256_CTX inner, outer;
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
	const struct vault_mac *mac;   /* the key in use: tmpl or own; NULL before the first */
	const struct vault_mac *tmpl;  /* used as it is when the key matches */
	struct vault_mac *own;         /* another key, keyed here */
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
	vault_mac_free(v->own);
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

/* m keyed with key (at most one block): the pads hashed once, here. */
static void mac_key(struct vault_mac *m, const void *key, size_t key_len)
{
	unsigned char pad[VAULT_HMAC_BLOCK];
	size_t i;

	memset(pad, 0, sizeof(pad));
	memcpy(pad, key, key_len);
	for (i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36;
	SHA256_Init(&m->inner);
	SHA256_Update(&m->inner, pad, sizeof(pad));
	for (i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36 ^ 0x5c;
	SHA256_Init(&m->outer);
	SHA256_Update(&m->outer, pad, sizeof(pad));
	OPENSSL_cleanse(pad, sizeof(pad));
	memcpy(m->key, key, key_len);
	m->key_len = key_len;
}

static bool mac_is(const struct vault_mac *m, const void *key, size_t key_len)
{
	return m->key_len == key_len && !CRYPTO_memcmp(m->key, key, key_len);
}

int vault_mac_new(const void *key, size_t key_len, struct vault_mac **ret)
{
	struct vault_mac *m;

	if (!key_len_valid(key_len))
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	mac_key(m, key, key_len);
	*ret = m;
	return 0;
}

struct vault_mac *vault_mac_free(struct vault_mac *m)
{
	if (!m)
		return NULL;
	OPENSSL_cleanse(m, sizeof(*m));
	free(m);
	return NULL;
}

void vault_use_mac(struct vault *v, const struct vault_mac *m)
{
	v->tmpl = m;
}

/* v->mac keyed with key: kept, the template, or keyed here. */
static int mac_rekey(struct vault *v, const void *key, size_t key_len)
{
	if (v->mac && mac_is(v->mac, key, key_len))
		return 0;
	if (v->tmpl && mac_is(v->tmpl, key, key_len)) {
		v->mac = v->tmpl;
		return 0;
	}
	if (!v->own && !(v->own = malloc(sizeof(*v->own))))
		return -ENOMEM;
	mac_key(v->own, key, key_len);
	v->mac = v->own;
	return 0;
}

/* HMAC(key, type || 0x00 || value) with v->mac's states (only read: a template is shared). */
static void mac_tag(const struct vault *v, const char *type, const char *value, size_t value_len,
		    unsigned char ret[SHA256_DIGEST_LENGTH])
{
	unsigned char inner[SHA256_DIGEST_LENGTH];
	SHA256_CTX c = v->mac->inner;

	SHA256_Update(&c, type ? type : "", (type ? strlen(type) : 0) + 1);
	SHA256_Update(&c, value, value_len);
	SHA256_Final(inner, &c);
	c = v->mac->outer;
	SHA256_Update(&c, inner, sizeof(inner));
	SHA256_Final(ret, &c);
	OPENSSL_cleanse(inner, sizeof(inner));
	OPENSSL_cleanse(&c, sizeof(c));
}

int vault_tokenize(struct vault *v, const void *key, size_t key_len, const char *type,
		   const char *value, size_t value_len, char ret[VAULT_PLACEHOLDER_MAX + 1])
{
	unsigned char mac[SHA256_DIGEST_LENGTH];
	char ph[VAULT_PLACEHOLDER_MAX + 1];
	int n, err;

	if (!v || !key_len_valid(key_len))
		return -EINVAL;
	err = mac_rekey(v, key, key_len);
	if (err)
		return err;
	mac_tag(v, type, value, value_len, mac);
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

int vault_buf_add_json(struct vault_buf *b, const char *s, size_t n)
{
	size_t i, run = 0;
	int err;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8] = { '\\' };
		size_t elen = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
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
