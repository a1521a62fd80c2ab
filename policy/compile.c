/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Policy -> the entries of the alk_policy trie.
 *
 * One entry per distinct (tenant, prefix).  An LPM lookup returns only the
 * longest matching prefix, so each entry carries its own port rules plus
 * those of every shorter prefix of the same tenant that covers it.
 *
 * Per tenant the prefixes are sorted by (address, length).  In that order a
 * covering prefix comes before everything it covers, and the prefixes that
 * cover the current one form a chain: a stack of at most 129 (one per
 * length) holds it, and the top of the stack, after popping the prefixes
 * that do not cover the current one, already holds the folded rules of all
 * of them.  One sort and one pass: 100,000 prefixes compile in milliseconds.
 *
 * Rules are then normalised so that the 16 slots go far: identical rules
 * collapse, overlapping or adjacent ranges of one protocol merge (keeping
 * the lowest rule_id, the first egress entry), and a tcp/udp range that an
 * "any" range already contains is dropped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* One (prefix, egress entry) pair of a tenant, with where it was written. */
struct item {
	__u8 addr[16];
	__u8 prefixlen;          /* over 128 */
	__u32 egress;
	__u32 to;
};

struct frame {
	__u8 addr[16];
	__u8 prefixlen;
	__u32 nrules;
	struct airlock_port_rule rules[AIRLOCK_MAX_RULES];
};

/* Rules of one prefix while they are being gathered, before normalising. */
struct rulebuf {
	struct airlock_port_rule *r;
	size_t n, cap;
};

struct compiler {
	struct policy_ctx ctx;
	const struct policy *p;
	struct policy_compiled *out;
	size_t cap;
	struct frame stack[129];
	size_t depth;
	struct rulebuf rb;
};

static int item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = memcmp(x->addr, y->addr, sizeof(x->addr));

	if (c)
		return c;
	if (x->prefixlen != y->prefixlen)
		return x->prefixlen < y->prefixlen ? -1 : 1;
	if (x->egress != y->egress)
		return x->egress < y->egress ? -1 : 1;
	return x->to < y->to ? -1 : x->to > y->to;
}

static int rule_cmp(const void *a, const void *b)
{
	const struct airlock_port_rule *x = a, *y = b;

	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->port_lo != y->port_lo)
		return x->port_lo < y->port_lo ? -1 : 1;
	if (x->port_hi != y->port_hi)
		return x->port_hi < y->port_hi ? -1 : 1;
	return x->rule_id < y->rule_id ? -1 : x->rule_id > y->rule_id;
}

/* Does prefix (addr, len) contain (addr2, len2)?  Both have host bits zero. */
static int covers(const __u8 *addr, unsigned len, const __u8 *addr2, unsigned len2)
{
	unsigned full = len / 8, rest = len % 8;

	if (len > len2 || memcmp(addr, addr2, full) != 0)
		return 0;
	return rest == 0 || ((addr[full] ^ addr2[full]) & (__u8)(0xff << (8 - rest))) == 0;
}

static int rb_push(struct rulebuf *rb, struct airlock_port_rule rule)
{
	if (rb->n == rb->cap) {
		size_t cap = rb->cap ? rb->cap * 2 : 64;
		struct airlock_port_rule *r = realloc(rb->r, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		rb->r = r;
		rb->cap = cap;
	}
	rb->r[rb->n++] = rule;
	return 0;
}

/* Sort, merge same-protocol ranges, drop what an "any" range contains. */
static size_t normalise(struct airlock_port_rule *r, size_t n)
{
	size_t i, out = 0, any_end, a;

	if (n == 0)
		return 0;
	qsort(r, n, sizeof(*r), rule_cmp);
	for (i = 1; i < n; i++) {
		struct airlock_port_rule *last = &r[out];

		if (r[i].proto == last->proto && (unsigned)r[i].port_lo <= (unsigned)last->port_hi + 1) {
			if (r[i].port_hi > last->port_hi)
				last->port_hi = r[i].port_hi;
			if (r[i].rule_id < last->rule_id)
				last->rule_id = r[i].rule_id;
			continue;
		}
		r[++out] = r[i];
	}
	n = out + 1;

	/* AIRLOCK_PROTO_ANY is 0, so the any ranges lead, sorted and disjoint. */
	for (any_end = 0; any_end < n && r[any_end].proto == AIRLOCK_PROTO_ANY; any_end++)
		;
	if (any_end == 0)
		return n;
	out = any_end;
	for (i = any_end, a = 0; i < n; i++) {
		if (i > any_end && r[i].proto != r[i - 1].proto)
			a = 0;
		/* the last any range starting at or below this one */
		while (a + 1 < any_end && r[a + 1].port_lo <= r[i].port_lo)
			a++;
		if (r[a].port_lo <= r[i].port_lo && r[a].port_hi >= r[i].port_hi)
			continue;
		r[out++] = r[i];
	}
	return out;
}

static int fail_at_item(struct compiler *c, size_t t, const struct item *it, const char *fmt,
			...) __attribute__((format(printf, 4, 5)));

static int fail_at_item(struct compiler *c, size_t t, const struct item *it, const char *fmt, ...)
{
	char reason[512];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	c->ctx.path.depth = 0;
	policy_path_key(&c->ctx.path, "tenants");
	policy_path_index(&c->ctx.path, t);
	policy_path_key(&c->ctx.path, "egress");
	policy_path_index(&c->ctx.path, it->egress);
	policy_path_key(&c->ctx.path, "to");
	policy_path_index(&c->ctx.path, it->to);
	r = policy_fail(&c->ctx, "%s", reason);
	c->ctx.path.depth = 0;
	return r;
}

static void item_cidr(const struct item *it, char *buf, size_t len)
{
	struct airlock_policy_key k = { .prefixlen = 32u + it->prefixlen };

	memcpy(k.addr, it->addr, sizeof(k.addr));
	policy_key_format(&k, 1, buf, len);
}

static int emit(struct compiler *c, const struct policy_tenant *t, const struct frame *f)
{
	struct policy_entry *e;

	if (c->out->n_entries == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;

		e = realloc(c->out->entries, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		c->out->entries = e;
		c->cap = cap;
	}
	e = &c->out->entries[c->out->n_entries++];
	memset(e, 0, sizeof(*e));
	e->key.prefixlen = 32u + f->prefixlen;
	e->key.tenant = t->id;
	memcpy(e->key.addr, f->addr, sizeof(e->key.addr));
	e->value.nrules = f->nrules;
	memcpy(e->value.rules, f->rules, f->nrules * sizeof(f->rules[0]));
	return 0;
}

/* Items run[0..n) share one prefix: fold in the covering chain and emit. */
static int compile_prefix(struct compiler *c, size_t ti, const struct item *run, size_t n)
{
	const struct policy_tenant *t = &c->p->tenants[ti];
	struct frame *f;
	size_t i, j, k;
	char cidr[64];

	while (c->depth && !covers(c->stack[c->depth - 1].addr, c->stack[c->depth - 1].prefixlen,
				   run->addr, run->prefixlen))
		c->depth--;

	c->rb.n = 0;
	if (c->depth) {
		f = &c->stack[c->depth - 1];
		for (k = 0; k < f->nrules; k++)
			if (rb_push(&c->rb, f->rules[k]) < 0)
				return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const struct policy_egress *e = &t->egress[run[i].egress];

		/* the same prefix twice in one entry adds nothing (runs are
		 * sorted by entry), and skipping it bounds the work */
		if (i > 0 && run[i].egress == run[i - 1].egress)
			continue;
		for (j = 0; j < e->n_ports; j++) {
			struct airlock_port_rule rule = {
				.port_lo = e->ports[j].lo,
				.port_hi = e->ports[j].hi,
				.proto = e->proto,
				.rule_id = (__u16)run[i].egress,
			};

			if (rb_push(&c->rb, rule) < 0)
				return -ENOMEM;
		}
	}
	c->rb.n = normalise(c->rb.r, c->rb.n);
	if (c->rb.n > AIRLOCK_MAX_RULES) {
		item_cidr(run, cidr, sizeof(cidr));
		return fail_at_item(c, ti, run,
				    "tenant \"%s\": prefix %s needs %zu port rules, limit %d (its "
				    "own and those of every shorter prefix covering it, after "
				    "merging); merge ports into ranges or overlap fewer entries",
				    t->name, cidr, c->rb.n, AIRLOCK_MAX_RULES);
	}
	if (c->out->n_entries == AIRLOCK_POLICY_MAX_ENTRIES) {
		item_cidr(run, cidr, sizeof(cidr));
		return fail_at_item(c, ti, run,
				    "tenant \"%s\": prefix %s is one trie entry too many: a policy "
				    "holds at most %d distinct (tenant, prefix) pairs",
				    t->name, cidr, AIRLOCK_POLICY_MAX_ENTRIES);
	}

	f = &c->stack[c->depth++];
	memcpy(f->addr, run->addr, sizeof(f->addr));
	f->prefixlen = run->prefixlen;
	f->nrules = (__u32)c->rb.n;
	memcpy(f->rules, c->rb.r, c->rb.n * sizeof(f->rules[0]));
	return emit(c, t, f);
}

static int compile_tenant(struct compiler *c, size_t ti)
{
	const struct policy_tenant *t = &c->p->tenants[ti];
	size_t e, k, n = 0, i, j;
	struct item *items;
	int r = 0;

	for (e = 0; e < t->n_egress; e++)
		n += t->egress[e].n_to;
	if (n == 0)
		return 0;
	items = calloc(n, sizeof(*items));
	if (!items)
		return -ENOMEM;
	for (e = 0, i = 0; e < t->n_egress; e++) {
		for (k = 0; k < t->egress[e].n_to; k++, i++) {
			memcpy(items[i].addr, t->egress[e].to[k].addr, sizeof(items[i].addr));
			items[i].prefixlen = t->egress[e].to[k].prefixlen;
			items[i].egress = (__u32)e;
			items[i].to = (__u32)k;
		}
	}
	qsort(items, n, sizeof(*items), item_cmp);

	c->depth = 0;
	for (i = 0; i < n && r == 0; i = j) {
		for (j = i + 1; j < n; j++)
			if (items[j].prefixlen != items[i].prefixlen ||
			    memcmp(items[j].addr, items[i].addr, sizeof(items[i].addr)) != 0)
				break;
		r = compile_prefix(c, ti, &items[i], j - i);
	}
	free(items);
	return r;
}

struct tenant_order {
	__u32 id;
	size_t idx;
};

static int tenant_order_cmp(const void *a, const void *b)
{
	const struct tenant_order *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

struct policy_compiled *policy_compiled_free(struct policy_compiled *c)
{
	if (!c)
		return NULL;
	free(c->entries);
	free(c);
	return NULL;
}

int policy_compile(const struct policy *p, struct policy_compiled **ret, struct policy_error *err)
{
	struct policy_ctx bare = { .file = p->file, .err = err };
	struct tenant_order *order;
	struct compiler *c;
	int r = -ENOMEM;
	size_t i;

	c = calloc(1, sizeof(*c));
	if (!c)
		return policy_fail_errno(&bare, ENOMEM, "out of memory");
	c->p = p;
	c->ctx = (struct policy_ctx){
		.file = p->file,
		.text = p->text,
		.text_len = p->text_len,
		.err = err,
	};
	c->out = calloc(1, sizeof(*c->out));
	order = calloc(p->n_tenants ? p->n_tenants : 1, sizeof(*order));
	if (!c->out || !order)
		goto out_free;

	/* Entries come out sorted by tenant id, then address, then length:
	 * tenant ids are unique (validation refuses collisions). */
	for (i = 0; i < p->n_tenants; i++)
		order[i] = (struct tenant_order){ .id = p->tenants[i].id, .idx = i };
	qsort(order, p->n_tenants, sizeof(*order), tenant_order_cmp);
	r = 0;
	for (i = 0; i < p->n_tenants && r == 0; i++)
		r = compile_tenant(c, order[i].idx);
	if (r == 0) {
		*ret = c->out;
		c->out = NULL;
	}

out_free:
	policy_compiled_free(c->out);
	free(order);
	free(c->rb.r);
	free(c);
	if (r == -ENOMEM)
		return policy_fail_errno(&bare, ENOMEM, "out of memory");
	return r;
}
