/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The compiled policy as JSON: what `airlockctl policy compile --json`
 * prints and what a reviewer diffs between two policy versions.  It shows
 * the map entries exactly (numbers as loaded) with names beside them, so it
 * also serves to check the agent's maps against bpftool's dump.
 */
#include <jansson.h>
#include <stdio.h>

#include "internal.h"

static json_t *config_json(const struct policy *p)
{
	return json_pack("{s:i, s:s}", "unmatched", (int)p->unmatched, "unmatched_name",
			 p->unmatched == AIRLOCK_ALLOW ? "allow" : "deny");
}

static json_t *tenants_json(const struct policy *p)
{
	json_t *arr = json_array();
	size_t i, w;

	if (!arr)
		return NULL;
	for (i = 0; i < p->n_tenants; i++) {
		const struct policy_tenant *t = &p->tenants[i];
		json_t *globs = json_array(), *tj;
		char hex[16];

		for (w = 0; globs && w < t->n_workloads; w++)
			if (json_array_append_new(globs, policy_json_string(t->workloads[w].cgroup)))
				globs = (json_decref(globs), NULL);
		snprintf(hex, sizeof(hex), "0x%08x", t->id);
		tj = json_pack("{s:o, s:I, s:s, s:o}", "name", policy_json_string(t->name), "id",
			       (json_int_t)t->id, "id_hex", hex, "workloads", globs);
		if (json_array_append_new(arr, tj))
			return json_decref(arr), NULL;
	}
	return arr;
}

static const struct policy_tenant *tenant_by_id(const struct policy *p, __u32 id)
{
	size_t i;

	for (i = 0; i < p->n_tenants; i++)
		if (p->tenants[i].id == id)
			return &p->tenants[i];
	return NULL;
}

/* The rule's egress entry name is for people reading the dump. */
static json_t *rules_json(const struct policy_tenant *t, const struct policy_entry *e)
{
	json_t *arr = json_array();
	__u32 i;

	for (i = 0; arr && i < e->value.nrules && i < AIRLOCK_MAX_RULES; i++) {
		const struct airlock_port_rule *r = &e->value.rules[i];
		const char *proto = policy_proto_name(r->proto), *name = "";
		json_t *rj;

		if (t && r->rule_id < t->n_egress)
			name = t->egress[r->rule_id].name;
		rj = json_pack("{s:i, s:i, s:i, s:s, s:i, s:o}", "port_lo", r->port_lo, "port_hi",
			       r->port_hi, "proto", r->proto, "proto_name", proto ? proto : "",
			       "rule_id", r->rule_id, "rule",
			       policy_json_string(name));
		if (json_array_append_new(arr, rj))
			arr = (json_decref(arr), NULL);
	}
	return arr;
}

static json_t *entry_json(const struct policy_tenant *t, const struct policy_entry *e)
{
	char addr[64] = "", cidr[64] = "";

	policy_key_format(&e->key, 0, addr, sizeof(addr));
	policy_key_format(&e->key, 1, cidr, sizeof(cidr));
	return json_pack("{s:{s:I, s:I, s:o, s:s, s:s}, s:{s:I, s:o}}", "key", "prefixlen",
			 (json_int_t)e->key.prefixlen, "tenant", (json_int_t)e->key.tenant,
			 "tenant_name", policy_json_string(t ? t->name : ""), "addr",
			 addr, "prefix", cidr, "value", "nrules", (json_int_t)e->value.nrules,
			 "rules", rules_json(t, e));
}

json_t *policy_compiled_json(const struct policy *p, const struct policy_compiled *c)
{
	const struct policy_tenant *t = NULL;
	json_t *entries = json_array();
	size_t i;

	/* Entries are grouped by tenant: look the tenant up once per group. */
	for (i = 0; entries && i < c->n_entries; i++) {
		const struct policy_entry *e = &c->entries[i];

		if (!t || t->id != e->key.tenant)
			t = tenant_by_id(p, e->key.tenant);
		if (json_array_append_new(entries, entry_json(t, e)))
			entries = (json_decref(entries), NULL);
	}
	return json_pack("{s:o, s:s, s:o, s:{s:I, s:I}, s:o, s:o}", "file",
			 policy_json_string(p->file ? p->file : ""), "api_version", "airlock/v1",
			 "config", config_json(p), "counts", "tenants", (json_int_t)p->n_tenants,
			 "entries", (json_int_t)c->n_entries, "tenants", tenants_json(p), "entries",
			 entries);
}
