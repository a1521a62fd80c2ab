/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* airlockctl internals: the control-socket client and the daemon views. */
#ifndef AIRLOCK_CTL_H
#define AIRLOCK_CTL_H

#include <jansson.h>
#include <stdio.h>

struct ctl_opts {
	const char *socket;   /* control socket path */
	int json;             /* --json: print the daemon's JSON as is */
};

struct ctl_conn {
	int fd;
	FILE *in;
};

/* Connect; prints a clear message and returns a negative errno on failure. */
int ctl_connect(const struct ctl_opts *o, struct ctl_conn *ret);
/* Send one request object (stolen) and read one reply line. */
int ctl_request(struct ctl_conn *c, json_t *req, json_t **ret_reply);
/* Read the next line (follow mode); -ENODATA at EOF. */
int ctl_read(struct ctl_conn *c, json_t **ret_msg);
void ctl_close(struct ctl_conn *c);
/* If reply is an OpenAI-shaped error, print it and return 1. */
int ctl_print_error(json_t *reply);
void ctl_print_json(json_t *j);

int ctl_status(const struct ctl_opts *o, int argc, char **argv);
int ctl_stats(const struct ctl_opts *o, int argc, char **argv);
int ctl_denials(const struct ctl_opts *o, int argc, char **argv);
int ctl_reload(const struct ctl_opts *o, int argc, char **argv);

#endif /* AIRLOCK_CTL_H */
