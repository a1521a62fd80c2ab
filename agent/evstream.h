/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Denial events: drained from the alk_events ring buffer inside the event
 * loop, kept in a bounded in-memory history for `airlockctl denials`, logged
 * as JSON lines (rate limited, so a denial storm cannot flood the log), and
 * handed to a subscriber (the control server streams them to followers).
 */
#ifndef AIRLOCK_EVSTREAM_H
#define AIRLOCK_EVSTREAM_H

#include <jansson.h>
#include <linux/types.h>

#include "airlock/abi.h"

#define EVSTREAM_HISTORY     4096   /* denials kept for `airlockctl denials` */
#define EVSTREAM_LOG_PER_SEC 100    /* denial log lines per second, then counted */

struct evstream;
struct event_base;

/* Tenant id -> name, for rendering; NULL when unknown. */
typedef const char *(*evstream_name_fn)(void *ctx, __u32 tenant);
/* Called with each new denial as a JSON object (borrowed reference). */
typedef void (*evstream_sub_fn)(void *ctx, json_t *denial);

int evstream_open(struct event_base *base, int ringbuf_fd, evstream_name_fn name, void *name_ctx,
		  struct evstream **ret);
void evstream_subscribe(struct evstream *s, evstream_sub_fn fn, void *ctx);
/* The last `limit` denials (all when 0), oldest first, as a new JSON array. */
json_t *evstream_history(const struct evstream *s, size_t limit);
__u64 evstream_total(const struct evstream *s);
/* Drain whatever is in the ring now (tests and shutdown). */
int evstream_poll(struct evstream *s);
struct evstream *evstream_free(struct evstream *s);

/* One event as JSON; exported for the unit tests. */
json_t *evstream_event_json(const struct airlock_event *e, const char *tenant_name);

#endif /* AIRLOCK_EVSTREAM_H */
