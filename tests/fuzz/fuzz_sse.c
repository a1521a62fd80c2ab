// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * SSE restorer: never crashes, gives the same output whether the stream comes
 * in one piece or cut into reads of any sizes, and holds a bounded amount.
 *
 * Input: two bytes seeding the read sizes, then the stream.  To reach the
 * restoring paths quickly, byte 0xfe expands to a placeholder in the vault and
 * 0xfd to one in the vault split in the middle.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sse.h"

static const char key[] = "fuzz-tenant-key-0123456789abcdef";
/* ends a content piece and starts the next event's */
static const char split[] = "\"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"";

static int run(struct vault *v, const char *s, size_t n, const uint8_t *seed, struct vault_buf *out)
{
	struct sse_restorer *r = sse_restorer_new(v);
	size_t pos = 0, k = 0;
	int err = 0;

	if (!r)
		abort();
	while (!err && pos < n) {
		size_t chunk = seed ? 1 + (size_t)((seed[k % 2] >> (k % 4)) & 15) : n;

		if (chunk > n - pos)
			chunk = n - pos;
		err = sse_restorer_feed(r, s + pos, chunk, out);
		pos += chunk;
		k++;
		if (sse_restorer_buffered(r) > n + 2 * VAULT_PLACEHOLDER_MAX * SSE_MAX_HELD)
			abort();
	}
	if (!err)
		err = sse_restorer_finish(r, out);
	sse_restorer_free(r);
	return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vault_buf in = { 0 }, a = { 0 }, b = { 0 };
	char email[VAULT_PLACEHOLDER_MAX + 1], card[VAULT_PLACEHOLDER_MAX + 1];
	struct vault *v;
	int ea, eb;
	size_t i;

	if (size < 2)
		return 0;
	v = vault_new(NULL);
	if (!v || vault_tokenize(v, key, sizeof(key) - 1, "EMAIL", "alice@example.com", 17, email) < 0 ||
	    vault_tokenize(v, key, sizeof(key) - 1, "NAME", "O\"Brien\\", 8, card) < 0)
		abort();
	for (i = 2; i < size; i++) {
		if (data[i] == 0xfe)
			ea = vault_buf_add(&in, email, strlen(email));
		else if (data[i] == 0xfd)
			ea = vault_buf_add(&in, card, 9) || vault_buf_add(&in, split, strlen(split)) ||
			     vault_buf_add(&in, card + 9, strlen(card) - 9);
		else
			ea = vault_buf_add(&in, &data[i], 1);
		if (ea)
			abort();
	}
	ea = run(v, in.p ? in.p : "", in.len, NULL, &a);
	eb = run(v, in.p ? in.p : "", in.len, data, &b);
	if (ea != eb || (!ea && (a.len != b.len || (a.len && memcmp(a.p, b.p, a.len)))))
		abort();
	vault_buf_fini(&in);
	vault_buf_fini(&a);
	vault_buf_fini(&b);
	vault_free(v);
	return 0;
}
