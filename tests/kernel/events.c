// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Denial events as airlockd publishes them (`airlockctl denials --json`).
 * airlockd drains the ring buffer asynchronously, so a matching event is
 * waited for, not expected at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ktest.h"

static int str_eq(json_t *o, const char *key, const char *want)
{
	const char *v = json_string_value(json_object_get(o, key));

	return !want || (v && !strcmp(v, want));
}

static int int_eq(json_t *o, const char *key, long long want)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) && json_integer_value(v) == want;
}

static int event_matches(json_t *e, const struct event_match *m)
{
	if (m->pid && !int_eq(e, "pid", m->pid))
		return 0;
	if (m->cookie && !int_eq(e, "cookie", (long long)m->cookie))
		return 0;
	if (m->dport >= 0 && !int_eq(e, "dport", m->dport))
		return 0;
	return str_eq(e, "tenant", m->tenant) && str_eq(e, "family", m->family) &&
	       str_eq(e, "daddr", m->daddr) && str_eq(e, "proto", m->proto) &&
	       str_eq(e, "hook", m->hook) && str_eq(e, "reason", m->reason);
}

/* The event of the same pid (or cookie) closest to the match, for the report. */
static void event_describe(json_t *list, const struct event_match *m, char *buf, size_t len)
{
	json_t *e, *best = NULL;
	size_t i;
	char *s;

	json_array_foreach(list, i, e) {
		if ((m->pid && int_eq(e, "pid", m->pid)) ||
		    (m->cookie && int_eq(e, "cookie", (long long)m->cookie)))
			best = e;
	}
	if (!best) {
		if (m->pid)
			snprintf(buf, len, "no event of pid %d (%zu denials listed)", (int)m->pid,
				 json_array_size(list));
		else
			snprintf(buf, len, "no event of socket cookie %llu (%zu denials listed)",
				 (unsigned long long)m->cookie, json_array_size(list));
		return;
	}
	s = json_dumps(best, JSON_COMPACT);
	snprintf(buf, len, "event differs: %s", s ? s : "?");
	free(s);
}

int events_wait(struct ktest_env *env, const struct event_match *m, int timeout_ms, char *detail,
		size_t len)
{
	struct timespec ts = { .tv_nsec = 50 * 1000 * 1000 };
	json_t *root = NULL, *list, *e;
	int waited = 0, found = 0, err;
	size_t i;

	for (;;) {
		err = agent_ctl_json(env, "denials", &root);
		if (err) {
			snprintf(detail, len, "airlockctl denials: %s", strerror(-err));
			root = NULL;
		} else {
			list = json_object_get(root, "denials");
			json_array_foreach(list, i, e) {
				if (event_matches(e, m))
					found = 1;
			}
			if (!found)
				event_describe(list, m, detail, len);
		}
		if (found || waited >= timeout_ms)
			break;
		json_decref(root);
		root = NULL;
		nanosleep(&ts, NULL);
		waited += 50;
	}
	json_decref(root);
	return found ? 0 : -ENOENT;
}
