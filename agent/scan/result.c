// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scan.h"

#define SCAN_RESULT_MAX 65536   /* findings per text; more is an attack, not a prompt */

int scan_result_push(struct scan_result *r, const struct scan_finding *f)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct scan_finding *v;

		if (cap > SCAN_RESULT_MAX)
			return -E2BIG;
		v = realloc(r->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = *f;
	return 0;
}

void scan_result_reset(struct scan_result *r)
{
	r->n = 0;
	r->signals = 0;
}

void scan_result_free(struct scan_result *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static const char *const action_names[] = {
	[SCAN_ACT_ALLOW] = "allow",   [SCAN_ACT_FLAG] = "flag",
	[SCAN_ACT_MASK] = "mask",     [SCAN_ACT_REDACT] = "redact",
	[SCAN_ACT_TOKENIZE] = "tokenize", [SCAN_ACT_BLOCK] = "block",
};

const char *scan_action_name(enum scan_action a)
{
	if ((unsigned)a < sizeof(action_names) / sizeof(action_names[0]))
		return action_names[a];
	return "unknown";
}

int scan_action_parse(const char *s, enum scan_action *ret)
{
	size_t i;

	for (i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++) {
		if (!strcmp(s, action_names[i])) {
			*ret = (enum scan_action)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *scan_confidence_name(enum scan_confidence c)
{
	switch (c) {
	case SCAN_CONF_LOW: return "low";
	case SCAN_CONF_MEDIUM: return "medium";
	case SCAN_CONF_HIGH: return "high";
	}
	return "unknown";
}

const char *scan_category_name(enum scan_category c)
{
	switch (c) {
	case SCAN_CAT_PII: return "PII";
	case SCAN_CAT_SECRET: return "SECRET";
	case SCAN_CAT_EMAIL_CONTENT: return "EMAIL_CONTENT";
	case SCAN_CAT_INJECTION: return "PROMPT_INJECTION";
	case SCAN_CAT_EXFILTRATION: return "EXFILTRATION";
	case SCAN_CAT_CUSTOM: return "CUSTOM";
	}
	return "unknown";
}
