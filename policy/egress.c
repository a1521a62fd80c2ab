/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * One egress entry: {"name", "to": [CIDR...], "ports": [443, "8000-8100"],
 * "protocol": "tcp"|"udp"|"any"}.  Absent ports mean every port (0-65535,
 * so that port-less protocols such as ICMP, judged as port 0, match too);
 * absent protocol means any.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const egress_keys[] = { "name", "to", "ports", "protocol", NULL };

static int oom(struct policy_ctx *ctx)
{
	return policy_fail_errno(ctx, ENOMEM, "out of memory");
}

static int build_name(struct policy_ctx *ctx, json_t *v, struct policy_egress *e)
{
	const char *name;
	int r = policy_need_string(ctx, v, &name);

	if (r < 0)
		return r;
	if (!policy_name_valid(name))
		return policy_fail(ctx, "invalid egress name \"%s\": use a-z, 0-9 and '-', start and "
					"end with a letter or digit, at most %d characters",
				   name, POLICY_MAX_NAME);
	e->name = strdup(name);
	return e->name ? 0 : oom(ctx);
}

static int build_to(struct policy_ctx *ctx, json_t *arr, struct policy_egress *e)
{
	size_t i, n;
	int r = 0;

	if (!arr)
		return policy_fail(ctx, "required key missing");
	if (!json_is_array(arr))
		return policy_fail(ctx, "must be an array of CIDRs, not %s", policy_json_type(arr));
	n = json_array_size(arr);
	if (n == 0)
		return policy_fail(ctx, "empty: list at least one destination CIDR (\"0.0.0.0/0\" "
					"is every IPv4 address)");
	e->to = calloc(n, sizeof(*e->to));
	if (!e->to)
		return oom(ctx);
	for (i = 0; i < n && r == 0; i++) {
		json_t *v = json_array_get(arr, i);
		char why[160];

		policy_path_index(&ctx->path, i);
		if (!json_is_string(v))
			r = policy_fail(ctx, "must be a CIDR string such as \"10.0.0.0/8\", not %s",
					policy_json_type(v));
		else if (policy_cidr_parse(json_string_value(v), &e->to[i], why, sizeof(why)) < 0)
			r = policy_fail(ctx, "%s", why);
		policy_path_pop(&ctx->path);
		e->n_to = i + 1;
	}
	return r;
}

/* "lo-hi": decimal, no blanks or signs; 1 <= lo <= hi <= 65535. */
static int parse_range(struct policy_ctx *ctx, const char *s, struct policy_port_range *ret)
{
	unsigned long lo, hi;
	size_t nlo, nhi;

	nlo = strspn(s, "0123456789");
	nhi = s[nlo] == '-' ? strspn(s + nlo + 1, "0123456789") : 0;
	if (nlo == 0 || nlo > 5 || nhi == 0 || nhi > 5 || s[nlo + 1 + nhi] != '\0')
		return policy_fail(ctx, "\"%s\" is not a port range: write \"lo-hi\" such as "
					"\"8000-8100\", or a number for one port",
				   s);
	lo = strtoul(s, NULL, 10);
	hi = strtoul(s + nlo + 1, NULL, 10);
	if (lo < 1 || lo > 65535 || hi < 1 || hi > 65535)
		return policy_fail(ctx, "port range \"%s\" is outside 1-65535", s);
	if (lo > hi)
		return policy_fail(ctx, "port range \"%s\" is backwards: low end first", s);
	*ret = (struct policy_port_range){ .lo = (__u16)lo, .hi = (__u16)hi };
	return 0;
}

static int build_port(struct policy_ctx *ctx, json_t *v, struct policy_port_range *ret)
{
	json_int_t port;

	if (json_is_string(v))
		return parse_range(ctx, json_string_value(v), ret);
	if (!json_is_integer(v))
		return policy_fail(ctx, "must be a port number or a \"lo-hi\" string, not %s",
				   policy_json_type(v));
	port = json_integer_value(v);
	if (port < 1 || port > 65535)
		return policy_fail(ctx, "port %lld is outside 1-65535", (long long)port);
	*ret = (struct policy_port_range){ .lo = (__u16)port, .hi = (__u16)port };
	return 0;
}

static int range_cmp(const void *a, const void *b)
{
	const struct policy_port_range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->hi < y->hi ? -1 : x->hi > y->hi;
}

/*
 * Sort and merge overlapping or adjacent ranges.  Every prefix of the entry
 * needs one trie rule per range, so more than AIRLOCK_MAX_RULES can never
 * load; refusing here also bounds the compiler's work per prefix.
 */
static int merge_ports(struct policy_ctx *ctx, struct policy_egress *e)
{
	size_t i, out = 0;

	qsort(e->ports, e->n_ports, sizeof(*e->ports), range_cmp);
	for (i = 1; i < e->n_ports; i++) {
		if ((unsigned)e->ports[i].lo <= (unsigned)e->ports[out].hi + 1) {
			if (e->ports[i].hi > e->ports[out].hi)
				e->ports[out].hi = e->ports[i].hi;
			continue;
		}
		e->ports[++out] = e->ports[i];
	}
	e->n_ports = out + 1;
	if (e->n_ports > AIRLOCK_MAX_RULES)
		return policy_fail(ctx, "%zu separate port ranges after merging, limit %d: a trie "
					"entry holds at most %d rules; use ranges",
				   e->n_ports, AIRLOCK_MAX_RULES, AIRLOCK_MAX_RULES);
	return 0;
}

static int build_ports(struct policy_ctx *ctx, json_t *arr, struct policy_egress *e)
{
	size_t i, n;
	int r = 0;

	if (!arr) {
		e->ports = calloc(1, sizeof(*e->ports));
		if (!e->ports)
			return oom(ctx);
		e->ports[0] = (struct policy_port_range){ .lo = 0, .hi = 65535 };
		e->n_ports = 1;
		return 0;
	}
	if (!json_is_array(arr))
		return policy_fail(ctx, "must be an array, not %s", policy_json_type(arr));
	n = json_array_size(arr);
	if (n == 0)
		return policy_fail(ctx, "empty: leave \"ports\" out to allow every port");
	e->ports = calloc(n, sizeof(*e->ports));
	if (!e->ports)
		return oom(ctx);
	for (i = 0; i < n && r == 0; i++) {
		policy_path_index(&ctx->path, i);
		r = build_port(ctx, json_array_get(arr, i), &e->ports[i]);
		policy_path_pop(&ctx->path);
		e->n_ports = i + 1;
	}
	return r < 0 ? r : merge_ports(ctx, e);
}

static int build_protocol(struct policy_ctx *ctx, json_t *v, struct policy_egress *e)
{
	const char *s = json_string_value(v);

	e->proto = AIRLOCK_PROTO_ANY;
	if (!v)
		return 0;
	if (s && strcmp(s, "tcp") == 0)
		e->proto = IPPROTO_TCP;
	else if (s && strcmp(s, "udp") == 0)
		e->proto = IPPROTO_UDP;
	else if (!s || strcmp(s, "any") != 0)
		return policy_fail(ctx, "must be \"tcp\", \"udp\" or \"any\"");
	return 0;
}

/* Check one member with the path pointing at it. */
static int member(struct policy_ctx *ctx, json_t *obj, const char *key,
		  int (*build)(struct policy_ctx *, json_t *, struct policy_egress *),
		  struct policy_egress *e)
{
	int r;

	policy_path_key(&ctx->path, key);
	r = build(ctx, json_object_get(obj, key), e);
	policy_path_pop(&ctx->path);
	return r;
}

int policy_build_egress(struct policy_ctx *ctx, json_t *obj, struct policy_egress *e)
{
	int r;

	if (!json_is_object(obj))
		return policy_fail(ctx, "must be an object, not %s", policy_json_type(obj));
	r = policy_check_keys(ctx, obj, egress_keys);
	if (r == 0)
		r = member(ctx, obj, "name", build_name, e);
	if (r == 0)
		r = member(ctx, obj, "to", build_to, e);
	if (r == 0)
		r = member(ctx, obj, "ports", build_ports, e);
	if (r == 0)
		r = member(ctx, obj, "protocol", build_protocol, e);
	return r;
}

const char *policy_proto_name(__u8 proto)
{
	switch (proto) {
	case AIRLOCK_PROTO_ANY:
		return "any";
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	}
	return NULL;
}
