/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Reversible tokenization.  A sensitive value is replaced in the request by a
 * placeholder derived from HMAC-SHA-256(tenant key, type || 0x00 || value):
 *
 *     [[EMAIL_3F9A1C2B7D]]
 *
 * "[[", the entity type (A-Z 0-9 _, at most VAULT_TYPE_MAX characters), "_",
 * the first 40 bits of the MAC in upper-case hex, "]]".  Why this form:
 *  - ASCII letters, digits, '_' and brackets only: no JSON escaping (no quote,
 *    backslash or control character) and none of the characters that some
 *    JSON encoders rewrite as \u003c (<, >, &), so it survives any round trip
 *    through an upstream service verbatim;
 *  - brackets plus an upper-case type are a shape models copy verbatim (they
 *    tokenize as a few common tokens) and the type keeps the prompt readable
 *    ("send a mail to [[EMAIL_..]]"); CommonMark renders "[[x]]" literally;
 *  - it is distinct from the redact label "[EMAIL]";
 *  - it cannot be forged or occur by accident: restoration replaces only
 *    placeholders present in this request's vault, i.e. ones we minted, so
 *    natural text that happens to look like one is left alone.
 * The same value gets the same placeholder for a tenant (stable across turns
 * of a conversation); without the key, placeholders of two tenants cannot be
 * linked and a guessed value cannot be confirmed.
 *
 * The vault maps this request's placeholders back to the original values, so
 * the response can be restored.  It is bounded (entries and bytes); values are
 * wiped when it is freed.  A vault is used by one thread at a time.
 */
#ifndef AIRLOCK_SCAN_VAULT_H
#define AIRLOCK_SCAN_VAULT_H

#include <stddef.h>

#define VAULT_TYPE_MAX        24  /* characters of the entity type in a placeholder */
#define VAULT_TAG_HEX         10  /* hex digits of the MAC: 40 bits */
#define VAULT_PLACEHOLDER_MAX (2 + VAULT_TYPE_MAX + 1 + VAULT_TAG_HEX + 2)
#define VAULT_KEY_MIN         16  /* bytes of tenant key */
#define VAULT_KEY_MAX         64

#define VAULT_DEFAULT_ENTRIES 4096
#define VAULT_DEFAULT_BYTES   (1024 * 1024)

struct vault_limits {
	size_t max_entries;       /* 0: VAULT_DEFAULT_ENTRIES */
	size_t max_bytes;         /* placeholder + value bytes; 0: VAULT_DEFAULT_BYTES */
};

/* vault_restore() flags */
enum {
	/* The text is the inside of a JSON string (or a JSON document whose string
	 * literals held the values): restored values are JSON-escaped. */
	VAULT_RESTORE_JSON = 1 << 0,
};

struct vault;

/*
 * Memory for work whose buffers all die together (one request body: its
 * token array, decoded strings, edits...): carved from one block sized up
 * front, more blocks when that is not enough, all freed at once.  A buffer
 * growing as the last carving grows in place; another is copied (the old
 * bytes stay until the end: at most what doubling wastes).  Zero-initialise;
 * first_bytes 0: VAULT_ARENA_MIN.  Not for secrets: nothing is wiped.
 */
#define VAULT_ARENA_MIN 4096

struct vault_arena_block;

struct vault_arena {
	struct vault_arena_block *blk;   /* the current block, older ones chained behind */
	size_t used;                     /* bytes of blk carved */
	size_t last;                     /* offset in blk of the last carving */
	size_t first_bytes;              /* size of the first block */
};

/* size bytes, 16-byte aligned; NULL without memory. */
void *vault_arena_alloc(struct vault_arena *a, size_t size);
/* p (old bytes of content, or NULL) moved or grown to size bytes; NULL without memory. */
void *vault_arena_realloc(struct vault_arena *a, void *p, size_t old, size_t size);
void vault_arena_fini(struct vault_arena *a);

/*
 * A growable byte buffer; restored text is appended to it.  Zero-initialise;
 * arena set: it grows in that arena and vault_buf_fini() leaves the memory
 * to the arena.
 */
struct vault_buf {
	char *p;
	size_t len;
	size_t cap;
	struct vault_arena *arena;
};

int vault_buf_add(struct vault_buf *b, const void *s, size_t n);
/* Ensure room for n more bytes plus a NUL. */
int vault_buf_reserve(struct vault_buf *b, size_t n);
void vault_buf_fini(struct vault_buf *b);
/*
 * s[0..n) as the inside of a JSON string, appended: '"', '\\' and control
 * characters escaped (\n, \t..., else \u00XX), everything else verbatim, as
 * jansson writes it.
 */
int vault_buf_add_json(struct vault_buf *b, const char *s, size_t n);

/* NULL limits: defaults.  NULL with errno set on failure. */
struct vault *vault_new(const struct vault_limits *limits);
struct vault *vault_free(struct vault *v);

/*
 * A tenant's HMAC key, prepared once: the SHA-256 states after the inner and
 * outer pads.  A vault given one with vault_use_mac() tokenizes under that
 * key from those states (only read: one template serves every thread) and
 * allocates nothing for it; another key is prepared in the vault itself, one
 * allocation the first time.  The template must outlive the vaults using it.
 */
struct vault_mac;
int vault_mac_new(const void *key, size_t key_len, struct vault_mac **ret);
struct vault_mac *vault_mac_free(struct vault_mac *m);
void vault_use_mac(struct vault *v, const struct vault_mac *m);

/*
 * The placeholder of (type, value) under key, NUL-terminated in ret.  Returns
 * its length, or -EINVAL for a key outside [VAULT_KEY_MIN, VAULT_KEY_MAX].
 */
int vault_placeholder(const void *key, size_t key_len, const char *type, const char *value,
		      size_t value_len, char ret[VAULT_PLACEHOLDER_MAX + 1]);

/*
 * vault_placeholder() + vault_put() from keyed HMAC states kept for the vault
 * (the one-shot HMAC costs ~2 us per call in OpenSSL 3 and allocates; this
 * copies two SHA-256 states).  Returns the placeholder length; -E2BIG when
 * the vault is full, -EEXIST on a tag collision with a different value,
 * -ENOMEM.
 */
int vault_tokenize(struct vault *v, const void *key, size_t key_len, const char *type,
		   const char *value, size_t value_len, char ret[VAULT_PLACEHOLDER_MAX + 1]);

/*
 * Record placeholder -> value.  0 when added or already present with the same
 * value; -EINVAL if ph is not a placeholder; -E2BIG beyond the limits; -EEXIST
 * when ph is present with another value.
 */
int vault_put(struct vault *v, const char *ph, size_t ph_len, const char *value,
	      size_t value_len);

/* The value of ph (not NUL-terminated) and its length, or NULL. */
const char *vault_lookup(const struct vault *v, const char *ph, size_t ph_len, size_t *ret_len);

/*
 * A new NUL-terminated copy of text with every placeholder present in the
 * vault replaced by its value; unknown placeholders are left unchanged.  v may
 * be NULL (plain copy).  Returns the number of replacements, or -ENOMEM.
 */
int vault_restore(const struct vault *v, const char *text, size_t len, unsigned flags,
		  char **ret_text, size_t *ret_len);

/* vault_restore() appending to out; on failure out->len is unchanged. */
int vault_restore_append(const struct vault *v, const char *text, size_t len, unsigned flags,
			 struct vault_buf *out);

/* Longest placeholder this format can produce (VAULT_PLACEHOLDER_MAX). */
size_t vault_max_placeholder_len(void);
/* Longest placeholder stored in v (0 when empty): what a stream must hold back. */
size_t vault_longest(const struct vault *v);
size_t vault_count(const struct vault *v);

/*
 * Streaming: the offset in text from which the rest may be the beginning of a
 * placeholder of at most max_len bytes cut short by the end of the text (len
 * when there is none).  Bytes before it can be restored and sent now.
 */
size_t vault_partial_start(const char *text, size_t len, size_t max_len);

#endif /* AIRLOCK_SCAN_VAULT_H */
