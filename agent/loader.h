/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Loads the datapath, reusing the maps pinned by an earlier run, and attaches
 * every program to the governed cgroup through a pinned bpf_link.  A link
 * found pinned is adopted: its program is swapped in place with
 * BPF_LINK_UPDATE, so a restart never leaves the hook empty.
 */
#ifndef AIRLOCK_LOADER_H
#define AIRLOCK_LOADER_H

#include <linux/types.h>
#include <stddef.h>

struct loader;
struct airlock_bpf;

#define LOADER_NPROGS 7

struct loader_link_info {
	char name[16];           /* program name, also the pin file name */
	char attach[32];         /* attach point, e.g. "cgroup/connect4" */
	__u32 link_id;
	__u32 prog_id;
	__u64 cgroup_id;         /* 0 when the link is detached */
	int adopted;             /* found pinned and updated in place */
};

int loader_open(const char *pin_dir, struct loader **ret);
struct airlock_bpf *loader_skel(struct loader *l);
int loader_attach(struct loader *l, const char *cgroup_path);
/* Re-attach any link that was detached or unpinned behind our back (a
 * privileged process can do both); *ret_repaired counts them. */
int loader_repair(struct loader *l, const char *cgroup_path, unsigned *ret_repaired);
/* Current state of each link, read back from the kernel. */
int loader_links(struct loader *l, struct loader_link_info *out, size_t n);
/* Frees userspace state only: pinned links and maps stay in force. */
struct loader *loader_free(struct loader *l);
/* Detach every pinned link and remove every pin under pin_dir. */
int loader_uninstall(const char *pin_dir);

#endif /* AIRLOCK_LOADER_H */
