/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * airlock datapath ABI: the map keys, values and events shared by the BPF
 * programs (bpf/) and userspace (agent/, policy/, cli/).
 *
 * This header includes neither vmlinux.h nor libc: whoever includes it must
 * already have __u8/__u16/__u32/__u64 (linux/types.h in userspace, vmlinux.h
 * in BPF).  Every struct has explicit padding and a size assertion, because
 * bpftool prints these through BTF and a silent hole would change the layout
 * between clang -target bpf and the host compiler.
 */
#ifndef AIRLOCK_ABI_H
#define AIRLOCK_ABI_H

/* Limits.  Every one of them is also enforced by the policy compiler, which
 * refuses a policy that does not fit instead of truncating it. */
#define AIRLOCK_MAX_RULES          16      /* port rules per prefix, after merging covering prefixes */
#define AIRLOCK_MAX_DEPTH          16      /* cgroup ancestor levels walked in the kernel */
#define AIRLOCK_POLICY_MAX_ENTRIES 262144  /* prefixes per policy generation, all tenants */
#define AIRLOCK_CGROUP_MAX_ENTRIES 65536   /* cgroups mapped to a tenant */
#define AIRLOCK_TENANT_MAX         4096    /* tenants in a policy */
#define AIRLOCK_STATS_SLOTS        (AIRLOCK_TENANT_MAX + 1) /* slot 0: workloads of no tenant */
#define AIRLOCK_EVENTS_BYTES       (1 << 20)

/* Verdicts.  DENY is zero on purpose: a zeroed config, a missing entry or an
 * uninitialised field denies (fail closed). */
#define AIRLOCK_DENY  0
#define AIRLOCK_ALLOW 1

/* Protocol of a port rule: IP protocol numbers; 0 matches any protocol. */
#define AIRLOCK_PROTO_ANY 0

/* Hook that produced an event (struct airlock_event.hook). */
enum airlock_hook {
	AIRLOCK_HOOK_CONNECT4 = 1,
	AIRLOCK_HOOK_CONNECT6 = 2,
	AIRLOCK_HOOK_SENDMSG4 = 3,
	AIRLOCK_HOOK_SENDMSG6 = 4,
	AIRLOCK_HOOK_SOCK_CREATE = 5,
	AIRLOCK_HOOK_SKB_EGRESS = 6,
};

/* Why a verdict is DENY (struct airlock_event.reason). */
enum airlock_reason {
	AIRLOCK_REASON_NONE = 0,
	AIRLOCK_REASON_NO_CONFIG = 1,    /* agent never configured the datapath */
	AIRLOCK_REASON_UNMATCHED = 2,    /* cgroup of no tenant, defaults.unmatchedWorkloads = deny */
	AIRLOCK_REASON_NO_POLICY = 3,    /* tenant known but no policy generation loaded */
	AIRLOCK_REASON_NO_ROUTE = 4,     /* destination address in no egress entry of the tenant */
	AIRLOCK_REASON_PORT = 5,         /* address allowed, but not this port/protocol */
	AIRLOCK_REASON_RAW_SOCKET = 6,   /* SOCK_RAW refused to tenant workloads */
	AIRLOCK_REASON_MAX,
};

/*
 * alk_config: ARRAY, one entry (key 0).
 *
 * generation changes whenever the policy is applied (tries and cgroup
 * mapping written first, the generation last), so a reader of alk_config
 * can tell which policy it runs against.  cgroup_epoch changes after every
 * write to alk_cgroup (and with every generation): it tags the per-CPU memo
 * of the last cgroup resolution (alk_memo), which is stale once it moves.
 */
struct airlock_config {
	__u64 generation;
	__u32 unmatched;        /* AIRLOCK_ALLOW or AIRLOCK_DENY */
	__u32 flags;            /* AIRLOCK_CFG_* */
	__u64 cgroup_epoch;     /* never 0 once READY */
};
#define AIRLOCK_CFG_READY (1u << 0)   /* set once the agent applied a policy */

/*
 * alk_cgroup: HASH, key = cgroup v2 id (__u64, the inode number of the
 * cgroup directory).  Holds every cgroup of a tenant: the workload cgroups
 * whose path matched a glob and their descendants.  The kernel additionally
 * walks ancestors on a miss, so a cgroup created a moment ago inherits its
 * tenant before the agent has seen it.
 */
struct airlock_cgroup_value {
	__u32 tenant;           /* tenant id, never 0 */
	__u16 flags;            /* AIRLOCK_CG_* */
	__u16 slot;             /* the tenant's index in alk_stats, 1..AIRLOCK_TENANT_MAX */
};
#define AIRLOCK_CG_WORKLOAD  (1u << 0)  /* matched a workload glob itself */
#define AIRLOCK_CG_INHERITED (1u << 1)  /* descendant of a workload cgroup */

/*
 * alk_policy: ARRAY_OF_MAPS, one slot, holding the LPM trie of the active
 * policy generation.  The agent builds a complete new trie and swaps the slot
 * in one update, so a reader sees the old or the new policy, never a mix.
 *
 * Trie key: tenant first so that one trie serves every tenant; IPv4 is stored
 * IPv4-mapped (::ffff:a.b.c.d) so that an AF_INET6 socket connecting to
 * ::ffff:a.b.c.d is judged exactly as the IPv4 address it carries.
 *
 *   prefixlen = 32 (tenant) + 96 + v4 prefix   for IPv4 entries
 *   prefixlen = 32 (tenant) + v6 prefix        for IPv6 entries
 *
 * A lookup returns only the longest prefix, so the compiler folds the port
 * rules of every shorter covering prefix of the same tenant into each value:
 * the longest match then carries every rule that applies.
 */
struct airlock_policy_key {
	__u32 prefixlen;
	__u32 tenant;
	__u8 addr[16];          /* network byte order */
};

struct airlock_port_rule {
	__u16 port_lo;          /* host byte order, inclusive */
	__u16 port_hi;          /* host byte order, inclusive */
	__u8 proto;             /* IPPROTO_TCP, IPPROTO_UDP or AIRLOCK_PROTO_ANY */
	__u8 pad;
	__u16 rule_id;          /* index of the egress entry in the tenant */
};

struct airlock_policy_value {
	__u32 nrules;
	__u32 pad;
	struct airlock_port_rule rules[AIRLOCK_MAX_RULES];
};

/*
 * alk_vcache: LRU_HASH, the verdicts of recent (tenant, destination)
 * lookups.  A trie lookup walks up to 160 levels (~250 ns at 100k entries);
 * a hash hit costs a fraction of that, and every packet of a flow, every
 * connect to the same endpoint hits.  An entry is valid only for the
 * generation it was computed in, so a policy swap invalidates all of them at
 * once (the generation is written after the new trie is in place).
 */
struct airlock_vcache_key {
	__u32 tenant;
	__u16 port;              /* host byte order */
	__u8 proto;
	__u8 pad;
	__u8 addr[16];           /* IPv4-mapped for IPv4 */
};

struct airlock_vcache_value {
	__u64 generation;
	__u8 verdict;
	__u8 reason;
	__u8 pad[6];
};
#define AIRLOCK_VCACHE_ENTRIES 65536

/*
 * alk_memo: PERCPU_ARRAY, one entry: the last cgroup resolution and the last
 * verdict each CPU computed.  Consecutive program runs on a CPU mostly serve
 * one socket (a handshake, a train of segments, a reply), and a hit replaces
 * a hash lookup (alk_cgroup, alk_vcache: ~20-25 ns each) with a compare.
 * Entries are tagged with what makes them stale: cg_epoch with
 * alk_config.cgroup_epoch, v_generation with alk_config.generation; zero
 * means empty.  busy is set while a program run owns the entry, so a run
 * nested on the same CPU (softirq over a process, preemption) leaves it
 * alone and cannot see or leave a half-written one.
 */
struct airlock_memo {
	__u32 busy;
	__u32 cg_tenant;
	__u64 cg_id;
	__u64 cg_epoch;
	__u32 cg_slot;
	__u32 pad;
	struct airlock_vcache_key v_key;
	__u64 v_generation;
	__u8 v_verdict;
	__u8 v_reason;
	__u8 pad2[6];
};

/*
 * alk_stats: PERCPU_ARRAY of AIRLOCK_STATS_SLOTS, index = the tenant's slot
 * (airlock_cgroup_value.slot); slot 0 counts the workloads of no tenant.
 * An array rather than a hash keyed by tenant id because every packet of a
 * tenant counts: an array lookup is an inlined bounds check, a hash lookup a
 * jhash and a bucket walk (~25 ns of every program run, measured).
 *
 * The agent owns the slots.  It gives a tenant the slot whose tenant field
 * already names it (so counters survive reloads and restarts), else a free
 * one, writing the tenant id with zeroed counters into every CPU's copy
 * before any cgroup points there; a dump is therefore self-describing.
 * Slots of tenants gone from the policy keep their counters until the slot
 * is needed again.  Userspace sums the per-CPU values.
 */
struct airlock_stats {
	__u32 tenant;            /* owner of the slot; 0: free (or slot 0) */
	__u32 pad;
	__u64 connect_allowed;
	__u64 connect_denied;
	__u64 dgram_allowed;
	__u64 dgram_denied;
	__u64 sock_denied;       /* socket() refused (SOCK_RAW) */
	__u64 egress_packets;
	__u64 egress_bytes;
	__u64 egress_dropped;    /* dropped by the cgroup_skb backstop */
	__u64 ingress_packets;
	__u64 ingress_bytes;
};

/*
 * alk_sk: SK_STORAGE with BPF_F_CLONE, created only on TCP listeners of
 * governed cgroups.  Accepted connections inherit it from their listener,
 * so their packets are known as replies to a peer that connected in.
 */
struct airlock_sk {
	__u32 flags;             /* AIRLOCK_SK_* */
	__u32 pad;
};
#define AIRLOCK_SK_PASSIVE (1u << 0)     /* listener, or accepted from one */

/* alk_events: RINGBUF.  One record per denial. */
struct airlock_event {
	__u64 ts_ns;             /* bpf_ktime_get_ns() */
	__u64 cgroup_id;
	__u64 cookie;            /* socket cookie */
	__u32 tenant;
	__u32 pid;               /* tgid; 0 in softirq context */
	__u8 comm[16];
	__u8 addr[16];           /* destination, IPv4 as ::ffff:a.b.c.d */
	__u16 port;              /* host byte order */
	__u8 family;             /* AF_INET or AF_INET6, as the hook saw it */
	__u8 proto;              /* IP protocol */
	__u8 hook;               /* enum airlock_hook */
	__u8 reason;             /* enum airlock_reason */
	__u8 verdict;
	__u8 pad;
};

_Static_assert(sizeof(struct airlock_config) == 24, "airlock_config layout");
_Static_assert(sizeof(struct airlock_cgroup_value) == 8, "airlock_cgroup_value layout");
_Static_assert(sizeof(struct airlock_policy_key) == 24, "airlock_policy_key layout");
_Static_assert(sizeof(struct airlock_port_rule) == 8, "airlock_port_rule layout");
_Static_assert(sizeof(struct airlock_policy_value) == 8 + 8 * AIRLOCK_MAX_RULES,
	       "airlock_policy_value layout");
_Static_assert(sizeof(struct airlock_stats) == 88, "airlock_stats layout");
_Static_assert(sizeof(struct airlock_vcache_key) == 24, "airlock_vcache_key layout");
_Static_assert(sizeof(struct airlock_vcache_value) == 16, "airlock_vcache_value layout");
_Static_assert(sizeof(struct airlock_memo) == 72, "airlock_memo layout");
_Static_assert(sizeof(struct airlock_sk) == 8, "airlock_sk layout");
_Static_assert(sizeof(struct airlock_event) == 72, "airlock_event layout");

/* Pin layout under the bpffs mount. */
#define AIRLOCK_PIN_DIR      "/sys/fs/bpf/airlock"
#define AIRLOCK_LINK_SUBDIR  "links"
#define AIRLOCK_ACTIVE_PIN   "policy_active"   /* the live inner trie, for bpftool */

#endif /* AIRLOCK_ABI_H */
