/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The daemon's lifecycle: bring the datapath up (or adopt the one a previous
 * run pinned), apply and re-apply policy, keep cgroup mappings current and
 * answer control requests.  main.c only parses argv and runs the loop.
 */
#ifndef AIRLOCK_DAEMON_H
#define AIRLOCK_DAEMON_H

#include <jansson.h>

struct airlock;
struct control_client;

/* Everything up to enforcing and serving; on error nothing was applied. */
int daemon_start(struct airlock *a);
/* Re-read the policy file; on error the applied policy stays in force. */
int daemon_reload(struct airlock *a);
/* Free userspace state.  Pinned links and maps stay: enforcement goes on. */
void daemon_stop(struct airlock *a);
/* Control request handler (control_handler_fn). */
json_t *daemon_command(void *ctx, struct control_client *c, json_t *req);

#endif /* AIRLOCK_DAEMON_H */
