// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench_connect --airlockd PATH [--airlockctl PATH] [--rounds N] [--round-ms MS]
 *               [--sizes 10,10000,100000] [--no-pin]
 *
 * Loopback TCP connect+close per second, in a private netns.  Baseline: the
 * loop runs in a cgroup outside airlockd's governed subtree, so no program
 * runs.  Hooked: the loop runs in a tenant cgroup whose policy allows the
 * server, so sock_create, connect4 and cgroup_skb egress/ingress all run.  Baseline and hooked rounds alternate (ABBA) and the medians are
 * compared, because a 2-CPU machine is noisy.  Client and server run on CPUs
 * of their own (CPU 1 and CPU 0) unless --no-pin.  Per-program cost comes from
 * BPF run-time stats, enabled only for one extra hooked round.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bench.h"
#include "ktest.h"

#define MAX_SIZES 8
#define MAX_ROUNDS 63

struct bench_opts {
	int pin;                /* client and server on CPUs of their own; --no-pin clears */
	int rounds;
	int round_ms;
	long sizes[MAX_SIZES];
	int n_sizes;
};

struct round {
	long connects;
	long errors;
	long long ns;
};

struct size_result {
	long entries;           /* asked for */
	long loaded;            /* trie entries airlockd reports */
	long long apply_ms;
	double base_rate;       /* connects per second, median */
	double hooked_rate;
	double ratio;           /* median over rounds of baseline/hooked, paired per round */
	double ratio_lo, ratio_hi;
	long hooked_connects;   /* summed over the hooked rounds */
	__u64 counted;          /* connect_allowed moved by this much meanwhile */
	struct bench_prog progs[BENCH_MAX_PROGS];
	int n_progs;
	double prog_ns[BENCH_MAX_PROGS];          /* per run */
	double prog_runs[BENCH_MAX_PROGS];        /* runs per connect */
};

/* For the signal handler only. */
static struct bench_env *cleanup_env;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Client and server each on a CPU of their own (unless --no-pin; 2+ CPUs). */
static void pin_cpu(int pin, int cpu)
{
	cpu_set_t set;

	if (!pin || sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	(void)sched_setaffinity(0, sizeof(set), &set);
}

struct server {
	int lfd;
	int pin;
};

static void *server_loop(void *arg)
{
	const struct server *srv = arg;
	int c;

	pin_cpu(srv->pin, 0);
	for (;;) {
		c = accept4(srv->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c >= 0)
			close(c);
		else if (errno == EINVAL || errno == EBADF)
			return NULL; /* shut down */
	}
}

static int server_listen(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(BENCH_SERVER_PORT) };
	int fd, one = 1;

	inet_pton(AF_INET, BENCH_SERVER_ADDR, &sa.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4096) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* One connect+close; the client resets so no TIME_WAIT piles up. */
static int connect_once(const struct sockaddr_in *sa)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0)
		err = errno;
	close(fd);
	return err;
}

static void loop_child(const char *cgroup, const char *addr, int duration_ms, int pin, int wfd)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(BENCH_SERVER_PORT) };
	struct round r = {};
	long long start, end;

	inet_pton(AF_INET, addr, &sa.sin_addr);
	pin_cpu(pin, 1);
	if (cgroup_join(cgroup)) {
		r.errors = -1;
		(void)!write(wfd, &r, sizeof(r));
		_exit(1);
	}
	if (duration_ms == 0) { /* a single probe: report its errno */
		r.errors = connect_once(&sa);
		(void)!write(wfd, &r, sizeof(r));
		_exit(0);
	}
	start = now_ns();
	end = start + duration_ms * 1000000LL;
	for (;;) {
		if (connect_once(&sa))
			r.errors++;
		else
			r.connects++;
		if (((r.connects + r.errors) & 63) == 0 && now_ns() >= end)
			break;
	}
	r.ns = now_ns() - start;
	(void)!write(wfd, &r, sizeof(r));
	_exit(0);
}

/* Run the loop in a child placed in cgroup; duration 0 probes once. */
static int run_round(const char *cgroup, const char *addr, int duration_ms, int pin,
		     struct round *ret)
{
	struct pollfd p;
	int pfd[2], n;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(pfd[0]);
		loop_child(cgroup, addr, duration_ms, pin, pfd[1]);
	}
	close(pfd[1]);
	p = (struct pollfd){ .fd = pfd[0], .events = POLLIN };
	n = poll(&p, 1, duration_ms + 10000);
	if (n == 1)
		n = read(pfd[0], ret, sizeof(*ret)) == sizeof(*ret) ? 0 : -EPIPE;
	else
		n = -ETIMEDOUT;
	close(pfd[0]);
	if (n)
		kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (!n && ret->errors < 0)
		n = -EPERM; /* could not join the cgroup */
	return n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double rate(const struct round *r)
{
	return r->ns ? r->connects * 1e9 / r->ns : 0;
}

/* Interleaved rounds: ABBA ordering cancels a linear drift. */
static int measure(struct bench_env *env, const struct bench_opts *o, struct size_result *res)
{
	double base[MAX_ROUNDS], hooked[MAX_ROUNDS], ratio[MAX_ROUNDS];
	struct airlock_stats before, after;
	struct round r;
	int i, k, err;

	/* Warm-up, discarded: lets whatever the apply left running settle. */
	err = run_round(env->cg_base, BENCH_SERVER_ADDR, o->round_ms / 2, o->pin, &r);
	err = err ?: run_round(env->cg_tenant, BENCH_SERVER_ADDR, o->round_ms / 2, o->pin, &r);
	err = err ?: bench_stats_read(env, &before);
	for (i = 0; !err && i < o->rounds; i++) {
		for (k = 0; !err && k < 2; k++) {
			int hooked_now = (i % 2) ^ k;

			err = run_round(hooked_now ? env->cg_tenant : env->cg_base,
					BENCH_SERVER_ADDR, o->round_ms, o->pin, &r);
			if (!err && r.errors > r.connects / 100) {
				fprintf(stderr, "round: %ld of %ld connects failed\n", r.errors,
					r.connects + r.errors);
				err = -EIO;
			}
			if (err)
				break;
			if (hooked_now) {
				hooked[i] = rate(&r);
				res->hooked_connects += r.connects + r.errors;
			} else {
				base[i] = rate(&r);
			}
		}
	}
	err = err ?: bench_stats_read(env, &after);
	if (err)
		return err;
	res->counted = after.connect_allowed - before.connect_allowed;
	for (i = 0; i < o->rounds; i++)
		ratio[i] = hooked[i] > 0 ? base[i] / hooked[i] : 0;
	res->ratio = median(ratio, o->rounds); /* sorts ratio[] */
	res->ratio_lo = ratio[0];
	res->ratio_hi = ratio[o->rounds - 1];
	res->base_rate = median(base, o->rounds);
	res->hooked_rate = median(hooked, o->rounds);
	return 0;
}

/* One more hooked round with BPF run-time stats on: ns per program run. */
static int measure_progs(struct bench_env *env, const struct bench_opts *o,
			 struct size_result *res)
{
	struct bpf_prog_info info0[BENCH_MAX_PROGS] = {}, info1;
	int fds[BENCH_MAX_PROGS], stats_fd, i, n, err = 0;
	__u32 len;
	struct round r;

	n = bench_agent_programs(env, res->progs, BENCH_MAX_PROGS);
	if (n <= 0)
		return n ? n : -ENOENT;
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		len = sizeof(info0[i]);
		fds[i] = bpf_prog_get_fd_by_id(res->progs[i].prog_id);
		if (fds[i] < 0 || bpf_obj_get_info_by_fd(fds[i], &info0[i], &len))
			err = -errno;
	}
	err = err ?: run_round(env->cg_tenant, BENCH_SERVER_ADDR, o->round_ms, o->pin, &r);
	for (i = 0; i < n; i++) {
		len = sizeof(info1);
		memset(&info1, 0, sizeof(info1));
		if (!err && !bpf_obj_get_info_by_fd(fds[i], &info1, &len) && r.connects) {
			__u64 cnt = info1.run_cnt - info0[i].run_cnt;

			res->prog_ns[i] = cnt ? (double)(info1.run_time_ns - info0[i].run_time_ns) / cnt : 0;
			res->prog_runs[i] = (double)cnt / (r.connects + r.errors);
		}
		if (fds[i] >= 0)
			close(fds[i]);
	}
	close(stats_fd);
	res->n_progs = err ? 0 : n;
	return err;
}

/* Apply a policy of `entries` entries and check that it is enforced. */
static int apply(struct bench_env *env, const struct bench_opts *o, long entries, int first,
		 struct size_result *res)
{
	long long t0;
	struct round probe;
	int err;

	err = bench_policy_write(env, entries);
	if (err)
		return err;
	t0 = now_ns();
	if (first) {
		err = bench_agent_start(env);
		err = err ?: bench_agent_wait_ready(env, 60000);
	} else {
		err = bench_agent_reload(env, 60000);
	}
	res->apply_ms = (now_ns() - t0) / 1000000;
	if (err)
		return err;
	res->loaded = bench_agent_entries(env);
	if (res->loaded != entries) {
		fprintf(stderr, "airlockd reports %ld trie entries, the policy has %ld\n",
			res->loaded, entries);
		return -EPROTO;
	}
	/* The hooks are live: a destination outside the policy is refused. */
	err = run_round(env->cg_tenant, BENCH_DENIED_ADDR, 0, o->pin, &probe);
	if (!err && probe.errors != EPERM) {
		fprintf(stderr, "tenant connect to %s: %s, want EPERM\n", BENCH_DENIED_ADDR,
			probe.errors ? strerror(probe.errors) : "allowed");
		err = -EPROTO;
	}
	return err;
}

/* Did program j run at any size? */
static int prog_ran(const struct size_result *res, int n, int j)
{
	int i;

	for (i = 0; i < n; i++)
		if (j < res[i].n_progs && res[i].prog_runs[j] > 0)
			return 1;
	return 0;
}

static void print_results(const struct bench_opts *o, const struct size_result *res, int n)
{
	struct utsname u;
	int i, j;

	uname(&u);
	printf("\nairlock bench_connect: loopback TCP connect+close, %d x %d ms rounds per side, "
	       "interleaved, medians\nkernel %s, %ld CPUs online%s\n",
	       o->rounds, o->round_ms, u.release, sysconf(_SC_NPROCESSORS_ONLN),
	       o->pin ? ", client and server pinned" : "");
	printf("ratio = baseline rate / hooked rate = hooked cost / baseline cost, the median "
	       "of the per-round pairs (min-max)\n"
	       "added us = (ratio - 1) / baseline rate\n"
	       "apply ms = SIGHUP until the new generation is live and airlockd ready "
	       "(first row: airlockd start until ready)\n\n");
	printf("| entries | apply ms | baseline conn/s | hooked conn/s | ratio | added us/connect | "
	       "hooked connects counted |\n|---:|---:|---:|---:|---:|---:|---|\n");
	for (i = 0; i < n; i++)
		printf("| %ld | %lld | %.0f | %.0f | %.2f (%.2f-%.2f) | %.2f | %s |\n",
		       res[i].loaded, res[i].apply_ms, res[i].base_rate, res[i].hooked_rate,
		       res[i].ratio, res[i].ratio_lo, res[i].ratio_hi,
		       (res[i].ratio - 1) * 1e6 / res[i].base_rate,
		       res[i].counted == (__u64)res[i].hooked_connects ? "all, exactly"
								       : "MISMATCH");
	if (!res[0].n_progs)
		return;
	printf("\nper program, one more hooked round with BPF run-time stats on: ns per run x runs "
	       "per connect (programs that never ran are left out)\n\n| entries |");
	for (j = 0; j < res[0].n_progs; j++)
		if (prog_ran(res, n, j))
			printf(" %s |", res[0].progs[j].name);
	printf(" BPF ns per connect |\n|---:|");
	for (j = 0; j < res[0].n_progs; j++)
		if (prog_ran(res, n, j))
			printf("---:|");
	printf("---:|\n");
	for (i = 0; i < n; i++) {
		double total = 0;

		printf("| %ld |", res[i].entries);
		for (j = 0; j < res[i].n_progs; j++) {
			total += res[i].prog_ns[j] * res[i].prog_runs[j];
			if (prog_ran(res, n, j))
				printf(" %.0f x %.1f |", res[i].prog_ns[j], res[i].prog_runs[j]);
		}
		printf(" %.0f |\n", total);
	}
}

static int parse_sizes(const char *s, struct bench_opts *o)
{
	char *end;

	for (o->n_sizes = 0; *s && o->n_sizes < MAX_SIZES; s = *end ? end + 1 : end) {
		o->sizes[o->n_sizes] = strtol(s, &end, 10);
		if (end == s || (*end && *end != ',') || o->sizes[o->n_sizes] < 1)
			return -EINVAL;
		o->n_sizes++;
	}
	return o->n_sizes ? 0 : -EINVAL;
}

static int parse_args(int argc, char **argv, struct bench_env *env, struct bench_opts *o)
{
	static const struct option opts[] = {
		{ "airlockd", required_argument, NULL, 'd' },
		{ "airlockctl", required_argument, NULL, 'c' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "round-ms", required_argument, NULL, 'm' },
		{ "sizes", required_argument, NULL, 's' },
		{ "no-pin", no_argument, NULL, 'p' },
		{},
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': env->airlockd = optarg; break;
		case 'c': snprintf(env->airlockctl, sizeof(env->airlockctl), "%s", optarg); break;
		case 'r': o->rounds = atoi(optarg); break;
		case 'm': o->round_ms = atoi(optarg); break;
		case 'p': o->pin = 0; break;
		case 's':
			if (parse_sizes(optarg, o))
				return -EINVAL;
			break;
		default: return -EINVAL;
		}
	}
	if (!env->airlockd || o->rounds < 1 || o->rounds > MAX_ROUNDS || o->round_ms < 50)
		return -EINVAL;
	return 0;
}

static void on_signal(int sig)
{
	if (cleanup_env)
		bench_env_teardown(cleanup_env);
	signal(sig, SIG_DFL);
	raise(sig);
}

int main(int argc, char **argv)
{
	struct bench_opts o = { .pin = 1, .rounds = 31, .round_ms = 300,
				.sizes = { 10, 10000, 100000 },
				.n_sizes = 3 };
	struct size_result res[MAX_SIZES] = {};
	struct bench_env env = {};
	struct server srv = { .lfd = -1 };
	pthread_t server;
	int serving = 0, i, err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_args(argc, argv, &env, &o)) {
		fprintf(stderr, "usage: bench_connect --airlockd PATH [--airlockctl PATH] "
				"[--rounds N] [--round-ms MS] [--sizes N,N,...] [--no-pin]\n");
		return 2;
	}
	if (geteuid()) {
		fprintf(stderr, "bench_connect: must run as root\n");
		return 1;
	}
	cleanup_env = &env;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	err = bench_env_setup(&env);
	if (!err) {
		srv.pin = o.pin;
		srv.lfd = server_listen();
		err = srv.lfd < 0 ? srv.lfd : -pthread_create(&server, NULL, server_loop, &srv);
		serving = !err;
	}
	for (i = 0; !err && i < o.n_sizes; i++) {
		res[i].entries = o.sizes[i];
		printf("# %ld entries: applying...\n", o.sizes[i]);
		err = apply(&env, &o, o.sizes[i], i == 0, &res[i]);
		err = err ?: measure(&env, &o, &res[i]);
		if (!err && measure_progs(&env, &o, &res[i]))
			fprintf(stderr, "# no per-program stats at %ld entries\n", o.sizes[i]);
		if (!err)
			printf("# %ld entries: baseline %.0f/s, hooked %.0f/s\n", o.sizes[i],
			       res[i].base_rate, res[i].hooked_rate);
	}
	if (srv.lfd >= 0) {
		shutdown(srv.lfd, SHUT_RDWR);
		if (serving)
			pthread_join(server, NULL);
		close(srv.lfd);
	}
	if (err) {
		fprintf(stderr, "bench_connect: %s\n", strerror(-err));
		bench_log_tail(&env);
	} else {
		print_results(&o, res, o.n_sizes);
		for (i = 0; i < o.n_sizes; i++)
			if (res[i].counted != (__u64)res[i].hooked_connects)
				err = -EPROTO; /* the hooks did not see every connect */
	}
	bench_env_teardown(&env);
	cleanup_env = NULL;
	return err ? 1 : 0;
}
