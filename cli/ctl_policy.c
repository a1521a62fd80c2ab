/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * airlockctl policy check [--json] FILE
 * airlockctl policy compile [--json] FILE
 *
 * check: load and compile; "FILE: ok (N tenants, M entries)" or the error as
 * file:line:column: key: reason, which editors and CI annotate directly.
 * compile: the exact map entries the daemon would load, as a table or JSON.
 * Exit 0 valid, 1 invalid (or unreadable), 2 usage.
 */
#include <stdio.h>
#include <string.h>

#include "ctl_policy.h"
#include "policy.h"

struct args {
	const char *file;
	int json;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: airlockctl policy check [--json] FILE\n"
		"       airlockctl policy compile [--json] FILE\n"
		"\n"
		"  check     validate FILE: prints \"FILE: ok (N tenants, M entries)\", or the\n"
		"            error as file:line:column: key: reason on stderr (exit 1)\n"
		"  compile   print the map entries FILE compiles to (alk_config, tenants,\n"
		"            every alk_policy trie entry)\n"
		"  --json    machine-readable output on stdout\n"
		"\n"
		"FILE \"-\" reads standard input.  Exit status: 0 valid, 1 invalid, 2 usage.\n");
}

/* argv[0] is the subcommand.  1: help was asked for, -1: usage error. */
static int parse_args(int argc, char **argv, struct args *ret)
{
	struct args a = { 0 };
	int i, dashdash = 0;

	for (i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (!dashdash && (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0)) {
			return 1;
		} else if (!dashdash && strcmp(s, "--json") == 0) {
			a.json = 1;
		} else if (!dashdash && strcmp(s, "--") == 0) {
			dashdash = 1;
		} else if (!dashdash && s[0] == '-' && s[1] != '\0') {
			fprintf(stderr, "airlockctl policy %s: unknown option %s\n", argv[0], s);
			return -1;
		} else if (a.file) {
			fprintf(stderr, "airlockctl policy %s: one FILE only\n", argv[0]);
			return -1;
		} else {
			a.file = s;
		}
	}
	if (!a.file) {
		fprintf(stderr, "airlockctl policy %s: FILE missing\n", argv[0]);
		return -1;
	}
	*ret = a;
	return 0;
}

static int print_json(json_t *j, size_t flags)
{
	int r;

	if (!j) {
		fprintf(stderr, "airlockctl: out of memory\n");
		return CTL_POLICY_INVALID;
	}
	r = json_dumpf(j, stdout, flags);
	json_decref(j);
	if (r < 0 || fputc('\n', stdout) == EOF)
		return CTL_POLICY_INVALID;
	return 0;
}

static int report_error(const struct args *a, const struct policy_error *err)
{
	char line[1400];

	if (a->json) {
		print_json(json_pack("{s:b, s:o}", "valid", 0, "error", policy_error_json(err)),
			   JSON_COMPACT);
		return CTL_POLICY_INVALID;
	}
	policy_error_format(err, line, sizeof(line));
	fprintf(stderr, "%s\n", line);
	return CTL_POLICY_INVALID;
}

/* Load and compile; on failure the error is printed and *ret_p is NULL. */
static int load(const struct args *a, struct policy **ret_p, struct policy_compiled **ret_c)
{
	const char *path = strcmp(a->file, "-") == 0 ? "/dev/stdin" : a->file;
	struct policy_error err;
	struct policy *p = NULL;

	if (policy_load_file(path, &p, &err) < 0)
		return report_error(a, &err);
	if (policy_compile(p, ret_c, &err) < 0) {
		policy_free(p);
		return report_error(a, &err);
	}
	*ret_p = p;
	return 0;
}

static int cmd_check(const struct args *a)
{
	struct policy_compiled *c = NULL;
	struct policy *p = NULL;
	int r;

	r = load(a, &p, &c);
	if (r)
		return r;
	if (a->json)
		r = print_json(json_pack("{s:b, s:o, s:I, s:I}", "valid", 1, "file",
					 policy_json_string(p->file),
					 "tenants", (json_int_t)p->n_tenants, "entries",
					 (json_int_t)c->n_entries),
			       JSON_COMPACT);
	else
		printf("%s: ok (%zu tenants, %zu entries)\n", a->file, p->n_tenants, c->n_entries);
	policy_compiled_free(c);
	policy_free(p);
	return r;
}

static const struct policy_tenant *tenant_by_id(const struct policy *p, __u32 id)
{
	size_t i;

	for (i = 0; i < p->n_tenants; i++)
		if (p->tenants[i].id == id)
			return &p->tenants[i];
	return NULL;
}

static int width(int w, const char *s)
{
	int n = (int)strlen(s);

	return n > w ? n : w;
}

static void print_tenants(const struct policy *p)
{
	int wn = (int)strlen("TENANT");
	size_t i, w;

	for (i = 0; i < p->n_tenants; i++)
		wn = width(wn, p->tenants[i].name);
	printf("%-*s  %-10s  %s\n", wn, "TENANT", "ID", "WORKLOADS");
	for (i = 0; i < p->n_tenants; i++) {
		const struct policy_tenant *t = &p->tenants[i];

		for (w = 0; w < t->n_workloads; w++)
			printf("%-*s  0x%08x  %s\n", wn, w ? "" : t->name, t->id,
			       t->workloads[w].cgroup);
	}
}

/* One line per rule; tenant and prefix only on an entry's first line. */
static void print_entries(const struct policy *p, const struct policy_compiled *c)
{
	int wt = (int)strlen("TENANT"), wp = (int)strlen("PREFIX");
	const struct policy_tenant *t = NULL;
	char cidr[64];
	size_t i;
	__u32 k;

	for (i = 0; i < c->n_entries; i++) {
		policy_key_format(&c->entries[i].key, 1, cidr, sizeof(cidr));
		wp = width(wp, cidr);
	}
	for (i = 0; i < p->n_tenants; i++)
		wt = width(wt, p->tenants[i].name);
	printf("%-*s  %-*s  %-9s  %-5s  %-11s  %s\n", wt, "TENANT", wp, "PREFIX", "PREFIXLEN",
	       "PROTO", "PORTS", "RULE");
	for (i = 0; i < c->n_entries; i++) {
		const struct policy_entry *e = &c->entries[i];
		char plen[16];

		if (!t || t->id != e->key.tenant)
			t = tenant_by_id(p, e->key.tenant);
		policy_key_format(&e->key, 1, cidr, sizeof(cidr));
		snprintf(plen, sizeof(plen), "%u", e->key.prefixlen);
		for (k = 0; k < e->value.nrules && k < AIRLOCK_MAX_RULES; k++) {
			const struct airlock_port_rule *r = &e->value.rules[k];
			const char *proto = policy_proto_name(r->proto);
			char ports[16];

			if (r->port_lo == r->port_hi)
				snprintf(ports, sizeof(ports), "%u", r->port_lo);
			else
				snprintf(ports, sizeof(ports), "%u-%u", r->port_lo, r->port_hi);
			printf("%-*s  %-*s  %-9s  %-5s  %-11s  %u %s\n", wt,
			       k ? "" : (t ? t->name : "?"), wp, k ? "" : cidr, k ? "" : plen,
			       proto ? proto : "?", ports, r->rule_id,
			       t && r->rule_id < t->n_egress ? t->egress[r->rule_id].name : "?");
		}
	}
}

static int cmd_compile(const struct args *a)
{
	struct policy_compiled *c = NULL;
	struct policy *p = NULL;
	int r;

	r = load(a, &p, &c);
	if (r)
		return r;
	if (a->json) {
		r = print_json(policy_compiled_json(p, c), JSON_INDENT(2));
	} else {
		printf("policy %s: %zu tenants, %zu trie entries\n", p->file, p->n_tenants,
		       c->n_entries);
		printf("alk_config: unmatched workloads %s (%u)\n\n",
		       p->unmatched == AIRLOCK_ALLOW ? "allow" : "deny", p->unmatched);
		print_tenants(p);
		printf("\n");
		print_entries(p, c);
	}
	policy_compiled_free(c);
	policy_free(p);
	if (fflush(stdout) == EOF)
		r = CTL_POLICY_INVALID;
	return r;
}

int ctl_policy(int argc, char **argv)
{
	struct args a;

	if (argc < 2) {
		usage(stderr);
		return CTL_POLICY_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CTL_POLICY_OK;
	}
	if (strcmp(argv[1], "check") != 0 && strcmp(argv[1], "compile") != 0) {
		fprintf(stderr, "airlockctl policy: unknown command \"%s\"\n", argv[1]);
		usage(stderr);
		return CTL_POLICY_USAGE;
	}
	switch (parse_args(argc - 1, argv + 1, &a)) {
	case 0:
		break;
	case 1:
		usage(stdout);
		return CTL_POLICY_OK;
	default:
		usage(stderr);
		return CTL_POLICY_USAGE;
	}
	return strcmp(argv[1], "check") == 0 ? cmd_check(&a) : cmd_compile(&a);
}
