/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Denial events on the ring buffer.  A full ring drops the event, never the
 * verdict. */
#ifndef AIRLOCK_BPF_EVENTS_H
#define AIRLOCK_BPF_EVENTS_H

#include "maps.h"

struct alk_event_in {
	__u64 cgroup_id;
	__u64 cookie;
	__u32 tenant;
	__u16 port;
	__u8 family;
	__u8 proto;
	__u8 hook;
	__u8 reason;
	__u8 task;        /* running in the task that caused it: record pid/comm */
	const __u8 *addr; /* 16 bytes, IPv4 mapped */
};

static __always_inline void alk_emit(const struct alk_event_in *in)
{
	struct airlock_event *e;
	int i;

	e = bpf_ringbuf_reserve(&alk_events, sizeof(*e), 0);
	if (!e)
		return;
	e->ts_ns = bpf_ktime_get_ns();
	e->cgroup_id = in->cgroup_id;
	e->cookie = in->cookie;
	e->tenant = in->tenant;
	e->pid = 0;
	__builtin_memset(e->comm, 0, sizeof(e->comm));
	if (in->task) {
		e->pid = bpf_get_current_pid_tgid() >> 32;
		bpf_get_current_comm(e->comm, sizeof(e->comm));
	}
	for (i = 0; i < 16; i++)
		e->addr[i] = in->addr[i];
	e->port = in->port;
	e->family = in->family;
	e->proto = in->proto;
	e->hook = in->hook;
	e->reason = in->reason;
	e->verdict = AIRLOCK_DENY;
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
}

#endif /* AIRLOCK_BPF_EVENTS_H */
