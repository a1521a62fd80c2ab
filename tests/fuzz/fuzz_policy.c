/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * libFuzzer target for the policy parser: arbitrary bytes through load,
 * validate, compile and the JSON dump, and through the locator (which must
 * survive any text, not only text jansson accepted).  Invariants that would
 * otherwise fail silently are checked with __builtin_trap().
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

static const char *const paths[] = {
	"$",
	"tenants[0].egress[0].to[0]",
	"tenants[1].workloads[0].cgroup",
	"[\"a.b\"][2]",
	"apiVersion",
};

static void check_error(const struct policy_error *err)
{
	char line[1400];
	json_t *j;

	/* every error says where and why, in bounded strings */
	if (!memchr(err->file, '\0', sizeof(err->file)) || !memchr(err->key, '\0', sizeof(err->key)) ||
	    !memchr(err->reason, '\0', sizeof(err->reason)) || err->reason[0] == '\0' ||
	    err->line < 0 || err->column < 0)
		__builtin_trap();
	policy_error_format(err, line, sizeof(line));
	j = policy_error_json(err);
	if (!j)
		__builtin_trap();
	json_decref(j);
}

static void check_compiled(const struct policy *p, const struct policy_compiled *c)
{
	size_t i;
	json_t *j;
	char *text;

	for (i = 0; i < c->n_entries; i++) {
		const struct policy_entry *e = &c->entries[i];

		if (e->value.nrules == 0 || e->value.nrules > AIRLOCK_MAX_RULES ||
		    e->key.prefixlen < 32 || e->key.prefixlen > 160 || e->key.tenant == 0)
			__builtin_trap();
	}
	j = policy_compiled_json(p, c);
	if (!j)
		__builtin_trap();
	text = json_dumps(j, JSON_COMPACT);
	if (!text)
		__builtin_trap();
	free(text);
	json_decref(j);
	(void)policy_match_cgroup(p, "/airlock-demo/contoso/pod/c", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_compiled *c = NULL;
	struct policy_error err;
	struct policy *p = NULL;
	size_t i;
	int line, col;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		(void)policy_locate((const char *)data, size, paths[i], &line, &col);

	if (policy_load_buffer("fuzz.json", (const char *)data, size, &p, &err) < 0) {
		if (p)
			__builtin_trap();   /* nothing returned on error */
		check_error(&err);
		return 0;
	}
	if (policy_compile(p, &c, &err) < 0) {
		if (c)
			__builtin_trap();
		check_error(&err);
	} else {
		check_compiled(p, c);
	}
	policy_compiled_free(c);
	policy_free(p);
	return 0;
}
