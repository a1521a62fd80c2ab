// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* airlockctl status | stats | denials | reload: render what airlockd reports. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

#define jstr(o, k) (json_string_value(json_object_get((o), (k))) ?: "")
#define jint(o, k) ((long long)json_integer_value(json_object_get((o), (k))))

/* One request, one reply; prints errors; returns the reply or NULL. */
static json_t *ctl_call(const struct ctl_opts *o, json_t *req)
{
	struct ctl_conn c = {.fd = -1};
	json_t *reply = NULL;

	if (ctl_connect(o, &c)) {
		json_decref(req);
		return NULL;
	}
	if (ctl_request(&c, req, &reply))
		fprintf(stderr, "airlockctl: no reply from airlockd at %s\n", o->socket);
	ctl_close(&c);
	if (reply && ctl_print_error(reply)) {
		json_decref(reply);
		return NULL;
	}
	return reply;
}

static int no_args(const char *cmd, int argc)
{
	if (argc > 1) {
		fprintf(stderr, "airlockctl %s: unexpected argument\n", cmd);
		return 2;
	}
	return 0;
}

int ctl_status(const struct ctl_opts *o, int argc, char **argv)
{
	json_t *r, *v;
	size_t i;

	(void)argv;
	if (no_args("status", argc))
		return 2;
	r = ctl_call(o, json_pack("{s:s}", "cmd", "status"));
	if (!r)
		return 1;
	if (o->json) {
		ctl_print_json(r);
		json_decref(r);
		return 0;
	}
	printf("airlockd %s (pid %lld), policy generation %lld%s\n", jstr(r, "version"),
	       jint(r, "pid"), jint(r, "generation"),
	       json_is_true(json_object_get(r, "adopted")) ? ", adopted pinned state" : "");
	v = json_object_get(r, "policy");
	printf("policy:  %s (%lld entries, applied %s, unmatched workloads: %s)\n", jstr(v, "file"),
	       jint(v, "entries"), jstr(v, "applied"), jstr(v, "unmatched_workloads"));
	printf("cgroups: %s (mount %s)\npins:    %s\n\n", jstr(r, "cgroup_root"),
	       jstr(r, "cgroup_mount"), jstr(r, "pin_dir"));
	printf("%-16s %-20s %8s %8s %10s %s\n", "PROGRAM", "ATTACH", "LINK", "PROG", "CGROUP",
	       "STATE");
	json_array_foreach(json_object_get(r, "programs"), i, v)
		printf("%-16s %-20s %8lld %8lld %10lld %s\n", jstr(v, "name"), jstr(v, "attach"),
		       jint(v, "link_id"), jint(v, "prog_id"), jint(v, "cgroup_id"),
		       json_is_true(json_object_get(v, "attached")) ? "attached" : "DETACHED");
	printf("\n%-24s %12s %10s %8s  %s\n", "TENANT", "ID", "RULES", "CGROUPS", "WORKLOADS");
	json_array_foreach(json_object_get(r, "tenants"), i, v) {
		json_t *g;
		size_t k;

		printf("%-24s %12lld %10lld %8lld ", jstr(v, "name"), jint(v, "id"),
		       jint(v, "egress_rules"), jint(v, "cgroups"));
		json_array_foreach(json_object_get(v, "workloads"), k, g)
			printf(" %s", json_string_value(g));
		printf("\n");
	}
	printf("\n%-48s %12s %-16s\n", "WORKLOAD CGROUP", "CGROUP ID", "TENANT");
	json_array_foreach(json_object_get(r, "workloads"), i, v)
		printf("%-48s %12lld %-16s%s\n", jstr(v, "cgroup"), jint(v, "cgroup_id"),
		       jstr(v, "tenant"),
		       json_is_true(json_object_get(v, "inherited")) ? " (inherited)" : "");
	printf("\ndenials since start: %lld\n", jint(r, "denials_total"));
	json_decref(r);
	return 0;
}

int ctl_stats(const struct ctl_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {{"tenant", required_argument, NULL, 't'}, {}};
	const char *tenant = NULL;
	json_t *req, *r, *v;
	size_t i;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "t:", longopts, NULL)) != -1) {
		if (opt != 't')
			return 2;
		tenant = optarg;
	}
	if (optind != argc)
		return no_args("stats", 2);
	req = json_pack("{s:s}", "cmd", "stats");
	if (tenant)
		json_object_set_new(req, "tenant", json_string(tenant));
	r = ctl_call(o, req);
	if (!r)
		return 1;
	if (o->json) {
		ctl_print_json(r);
		json_decref(r);
		return 0;
	}
	printf("%-16s %10s %10s %10s %10s %8s %12s %14s %9s %12s %14s\n", "TENANT", "CONN_OK",
	       "CONN_DENY", "DGRAM_OK", "DGRAM_DENY", "RAW_DENY", "EGRESS_PKTS", "EGRESS_BYTES",
	       "EG_DROP", "INGRESS_PKT", "INGRESS_BYTES");
	json_array_foreach(json_object_get(r, "tenants"), i, v)
		printf("%-16s %10lld %10lld %10lld %10lld %8lld %12lld %14lld %9lld %12lld %14lld\n",
		       jstr(v, "tenant"), jint(v, "connect_allowed"), jint(v, "connect_denied"),
		       jint(v, "dgram_allowed"), jint(v, "dgram_denied"), jint(v, "sock_denied"),
		       jint(v, "egress_packets"), jint(v, "egress_bytes"), jint(v, "egress_dropped"),
		       jint(v, "ingress_packets"), jint(v, "ingress_bytes"));
	json_decref(r);
	return 0;
}

static void denial_line(const struct ctl_opts *o, json_t *d)
{
	if (o->json) {
		ctl_print_json(d);
		return;
	}
	printf("%-12s %-7s %6lld %-16s %-11s %-5s %s:%lld  %s\n", jstr(d, "tenant"),
	       jstr(d, "hook"), jint(d, "pid"), jstr(d, "comm"), jstr(d, "reason"),
	       jstr(d, "proto"),
	       jstr(d, "daddr"), jint(d, "dport"), jstr(d, "family"));
	fflush(stdout);
}

int ctl_denials(const struct ctl_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"follow", no_argument, NULL, 'f'},
		{"limit", required_argument, NULL, 'n'},
		{},
	};
	struct ctl_conn c = {.fd = -1};
	json_t *r = NULL, *v;
	int opt, follow = 0, ret = 1;
	long limit = 100;
	size_t i;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "fn:", longopts, NULL)) != -1) {
		if (opt == 'f')
			follow = 1;
		else if (opt == 'n')
			limit = strtol(optarg, NULL, 10);
		else
			return 2;
	}
	if (ctl_connect(o, &c))
		return 1;
	if (ctl_request(&c, json_pack("{s:s, s:b, s:i}", "cmd", "denials", "follow", follow,
				      "limit", (int)limit), &r) || ctl_print_error(r))
		goto out;
	if (o->json && !follow) {
		ctl_print_json(r);
		ret = 0;
		goto out;
	}
	if (!o->json)
		printf("%-12s %-7s %6s %-16s %-11s %-5s %s\n", "TENANT", "HOOK", "PID", "COMM",
		       "REASON", "PROTO", "DESTINATION");
	json_array_foreach(json_object_get(r, "denials"), i, v)
		denial_line(o, v);
	ret = 0;
	while (follow) {
		json_decref(r);
		r = NULL;
		if (ctl_read(&c, &r))
			break;
		v = json_object_get(r, "denial");
		if (v)
			denial_line(o, v);
	}
out:
	json_decref(r);
	ctl_close(&c);
	return ret;
}

int ctl_reload(const struct ctl_opts *o, int argc, char **argv)
{
	json_t *r;

	(void)argv;
	if (no_args("reload", argc))
		return 2;
	r = ctl_call(o, json_pack("{s:s}", "cmd", "reload"));
	if (!r)
		return 1;
	if (o->json)
		ctl_print_json(r);
	else
		printf("policy reloaded: generation %lld\n", jint(r, "generation"));
	json_decref(r);
	return 0;
}
