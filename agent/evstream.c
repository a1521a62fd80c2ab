// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>

#include "evstream.h"
#include "log.h"

struct evstream {
	struct ring_buffer *rb;
	struct event *ev;
	evstream_name_fn name;
	void *name_ctx;
	evstream_sub_fn sub;
	void *sub_ctx;
	json_t *ring[EVSTREAM_HISTORY];
	size_t head;         /* next slot to write */
	__u64 total;
	time_t log_second;
	unsigned log_count;
	__u64 log_suppressed;
};

static const char *const hook_names[] = {
	[AIRLOCK_HOOK_CONNECT4] = "connect4",   [AIRLOCK_HOOK_CONNECT6] = "connect6",
	[AIRLOCK_HOOK_SENDMSG4] = "sendmsg4",   [AIRLOCK_HOOK_SENDMSG6] = "sendmsg6",
	[AIRLOCK_HOOK_SOCK_CREATE] = "sock_create", [AIRLOCK_HOOK_SKB_EGRESS] = "skb_egress",
};

static const char *const reason_names[] = {
	[AIRLOCK_REASON_NONE] = "none",           [AIRLOCK_REASON_NO_CONFIG] = "no_config",
	[AIRLOCK_REASON_UNMATCHED] = "unmatched", [AIRLOCK_REASON_NO_POLICY] = "no_policy",
	[AIRLOCK_REASON_NO_ROUTE] = "no_route",   [AIRLOCK_REASON_PORT] = "port",
	[AIRLOCK_REASON_RAW_SOCKET] = "raw_socket",
};

static const char *proto_name(__u8 proto, char *buf, size_t len)
{
	switch (proto) {
	case 1: return "icmp";
	case 6: return "tcp";
	case 17: return "udp";
	case 58: return "icmpv6";
	case 255: return "raw";
	}
	snprintf(buf, len, "%u", proto);
	return buf;
}

json_t *evstream_event_json(const struct airlock_event *e, const char *tenant_name)
{
	static const __u8 v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	char addr[INET6_ADDRSTRLEN], comm[17], pbuf[8];
	const char *hook = "unknown", *reason = "unknown";

	if (!memcmp(e->addr, v4mapped, sizeof(v4mapped)))
		inet_ntop(AF_INET, e->addr + 12, addr, sizeof(addr));
	else
		inet_ntop(AF_INET6, e->addr, addr, sizeof(addr));
	memcpy(comm, e->comm, 16);
	comm[16] = '\0';
	if (e->hook < sizeof(hook_names) / sizeof(hook_names[0]) && hook_names[e->hook])
		hook = hook_names[e->hook];
	if (e->reason < AIRLOCK_REASON_MAX && reason_names[e->reason])
		reason = reason_names[e->reason];

	return json_pack("{s:I, s:s, s:I, s:I, s:I, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:I}",
			 "ts_ns", (json_int_t)e->ts_ns,
			 "tenant", tenant_name ? tenant_name : (e->tenant ? "(unknown)" : "(unmatched)"),
			 "tenant_id", (json_int_t)e->tenant, "cgroup_id", (json_int_t)e->cgroup_id,
			 "pid", (json_int_t)e->pid, "comm", comm,
			 "family", e->family == AF_INET6 ? "ipv6" : "ipv4", "daddr", addr,
			 "dport", (int)e->port, "proto", proto_name(e->proto, pbuf, sizeof(pbuf)),
			 "hook", hook, "reason", reason, "cookie", (json_int_t)e->cookie);
}

static void evstream_log(struct evstream *s, json_t *j)
{
	time_t now = time(NULL);
	char *line;

	if (now != s->log_second) {
		if (s->log_suppressed)
			log_warn("%llu denial log lines suppressed in the last second",
				 (unsigned long long)s->log_suppressed);
		s->log_second = now;
		s->log_count = 0;
		s->log_suppressed = 0;
	}
	if (++s->log_count > EVSTREAM_LOG_PER_SEC) {
		s->log_suppressed++;
		return;
	}
	line = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (line) {
		log_json(LOG_LVL_INFO, "denial", line);
		free(line);
	}
}

static int evstream_handle(void *ctx, void *data, size_t len)
{
	struct evstream *s = ctx;
	struct airlock_event e;
	json_t *j;

	if (len < sizeof(e))
		return 0;
	memcpy(&e, data, sizeof(e));
	j = evstream_event_json(&e, s->name ? s->name(s->name_ctx, e.tenant) : NULL);
	if (!j)
		return 0;
	s->total++;
	evstream_log(s, j);
	if (s->sub)
		s->sub(s->sub_ctx, j);
	json_decref(s->ring[s->head]);
	s->ring[s->head] = j;
	s->head = (s->head + 1) % EVSTREAM_HISTORY;
	return 0;
}

static void evstream_readable(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	evstream_poll(arg);
}

int evstream_open(struct event_base *base, int ringbuf_fd, evstream_name_fn name, void *name_ctx,
		  struct evstream **ret)
{
	struct evstream *s;
	int err;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->name = name;
	s->name_ctx = name_ctx;
	s->rb = ring_buffer__new(ringbuf_fd, evstream_handle, s, NULL);
	if (!s->rb) {
		err = -errno;
		goto out_free;
	}
	if (base) {
		s->ev = event_new(base, ring_buffer__epoll_fd(s->rb), EV_READ | EV_PERSIST,
				  evstream_readable, s);
		if (!s->ev || event_add(s->ev, NULL)) {
			err = -ENOMEM;
			goto out_free;
		}
	}
	*ret = s;
	return 0;
out_free:
	evstream_free(s);
	return err;
}

void evstream_subscribe(struct evstream *s, evstream_sub_fn fn, void *ctx)
{
	s->sub = fn;
	s->sub_ctx = ctx;
}

int evstream_poll(struct evstream *s)
{
	int n = ring_buffer__consume(s->rb);

	return n < 0 ? n : 0;
}

json_t *evstream_history(const struct evstream *s, size_t limit)
{
	json_t *arr = json_array();
	size_t i, count = 0, start;

	if (!arr)
		return NULL;
	for (i = 0; i < EVSTREAM_HISTORY; i++)
		if (s->ring[i])
			count++;
	if (limit && limit < count)
		count = limit;
	/* Oldest first: walk back count slots from head. */
	start = (s->head + EVSTREAM_HISTORY - count) % EVSTREAM_HISTORY;
	for (i = 0; i < count; i++) {
		json_t *j = s->ring[(start + i) % EVSTREAM_HISTORY];

		if (j)
			json_array_append(arr, j);
	}
	return arr;
}

__u64 evstream_total(const struct evstream *s)
{
	return s->total;
}

struct evstream *evstream_free(struct evstream *s)
{
	size_t i;

	if (!s)
		return NULL;
	if (s->ev)
		event_free(s->ev);
	ring_buffer__free(s->rb);
	for (i = 0; i < EVSTREAM_HISTORY; i++)
		json_decref(s->ring[i]);
	free(s);
	return NULL;
}
