/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The control socket: a unix stream socket speaking one JSON object per
 * line.  A request is {"cmd": "...", ...}; the reply is one JSON object per
 * line.  Errors use the OpenAI error shape:
 *   {"error": {"message": "...", "type": "invalid_request_error", "code": ...}}
 * A client that asked to follow keeps its connection and receives one line
 * per broadcast until it hangs up.
 */
#ifndef AIRLOCK_CONTROL_H
#define AIRLOCK_CONTROL_H

#include <jansson.h>

#define CONTROL_MAX_CLIENTS   64
#define CONTROL_MAX_LINE      (64 * 1024)
#define CONTROL_MAX_PENDING   (4 * 1024 * 1024) /* a follower this far behind is dropped */

struct control;
struct control_client;
struct event_base;

/* Returns the reply (new reference) or NULL for no reply. */
typedef json_t *(*control_handler_fn)(void *ctx, struct control_client *c, json_t *req);

int control_open(struct event_base *base, const char *path, control_handler_fn fn, void *ctx,
		 struct control **ret);
/* Mark a client as a follower: it receives every later broadcast. */
void control_client_follow(struct control_client *c);
void control_broadcast(struct control *ctl, json_t *msg);
/* Reply helper in the OpenAI error shape. */
json_t *control_error(const char *type, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct control *control_free(struct control *ctl);

#endif /* AIRLOCK_CONTROL_H */
