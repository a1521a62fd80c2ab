/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The daemon's one state object.  main.c builds it from argv and passes it
 * explicitly to every module; there are no other globals.
 */
#ifndef AIRLOCK_AGENT_H
#define AIRLOCK_AGENT_H

#include <limits.h>
#include <linux/types.h>
#include <time.h>

#define AIRLOCK_DEFAULT_CONTROL "/run/airlock/airlockd.sock"
#define AIRLOCK_VERSION "0.1.0"

struct event_base;
struct event;
struct loader;
struct policy;
struct policy_compiled;
struct cgwatch;
struct evstream;
struct control;

struct airlock_opts {
	char policy_path[PATH_MAX];
	char cgroup_mount[PATH_MAX];  /* cgroup2 mount point, from /proc/mounts */
	char cgroup_root[PATH_MAX];   /* governed subtree (absolute), default: the mount */
	char pin_dir[PATH_MAX];       /* bpffs directory, default AIRLOCK_PIN_DIR */
	char control_path[PATH_MAX];  /* unix socket for airlockctl */
	int verbose;
};

struct airlock {
	struct airlock_opts opts;
	struct event_base *base;
	struct loader *loader;
	struct policy *policy;              /* the applied policy */
	struct policy_compiled *compiled;   /* its map entries */
	__u64 generation;                   /* alk_config.generation last written */
	struct cgwatch *cgwatch;
	struct event *cg_event;             /* inotify readable */
	struct event *repair_timer;         /* re-attach detached links */
	unsigned repairs;                   /* links re-attached since start */
	int cg_dirty;                       /* last cgroup sync failed: retry */
	struct evstream *events;
	struct control *control;
	time_t started;
	time_t applied;                     /* when the policy was last applied */
	int adopted;                        /* links were found pinned and adopted */
};

#endif /* AIRLOCK_AGENT_H */
