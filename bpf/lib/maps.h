/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Every map of the datapath, BTF-typed and pinned by name under the pin root
 * the agent passes at open time (/sys/fs/bpf/airlock by default), so that
 * `bpftool map dump pinned /sys/fs/bpf/airlock/<name>` prints field names and
 * enforcement outlives the agent.  Layouts live in include/airlock/abi.h.
 */
#ifndef AIRLOCK_BPF_MAPS_H
#define AIRLOCK_BPF_MAPS_H

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct airlock_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} alk_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, AIRLOCK_CGROUP_MAX_ENTRIES);
	__type(key, __u64);
	__type(value, struct airlock_cgroup_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} alk_cgroup SEC(".maps");

/*
 * One slot holding the active policy trie; see abi.h for the key layout.
 * The agent creates each generation's trie itself, typed with the BTF of
 * alk_policy_tpl (clang 14 emits the key and value of an inner map
 * definition only as forward declarations, which libbpf cannot size).  The
 * template is never pinned nor filled; with BPF_F_NO_PREALLOC it holds no
 * memory.
 */
struct alk_policy_trie {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, AIRLOCK_POLICY_MAX_ENTRIES);
	__type(key, struct airlock_policy_key);
	__type(value, struct airlock_policy_value);
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, AIRLOCK_POLICY_MAX_ENTRIES);
	__type(key, struct airlock_policy_key);
	__type(value, struct airlock_policy_value);
} alk_policy_tpl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct alk_policy_trie);
} alk_policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(max_entries, AIRLOCK_VCACHE_ENTRIES);
	__type(key, struct airlock_vcache_key);
	__type(value, struct airlock_vcache_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} alk_vcache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct airlock_memo);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} alk_memo SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AIRLOCK_STATS_SLOTS);
	__type(key, __u32);
	__type(value, struct airlock_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} alk_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, AIRLOCK_EVENTS_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} alk_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
	__type(key, int);
	__type(value, struct airlock_sk);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} alk_sk SEC(".maps");

#endif /* AIRLOCK_BPF_MAPS_H */
