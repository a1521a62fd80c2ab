// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * airlockd: argv, signals and wiring.  Everything else lives in daemon.c and
 * the modules it drives.
 */
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>

#include "airlock.h"
#include "airlock/abi.h"
#include "daemon.h"
#include "loader.h"
#include "log.h"
#include "sysfs.h"

static const char usage[] =
	"Usage: airlockd --policy FILE [--cgroup-root DIR] [--pin-dir DIR] [--control PATH] [-v]\n"
	"       airlockd --uninstall [--pin-dir DIR]\n"
	"\n"
	"  --policy FILE       policy document (airlock/v1 JSON)\n"
	"  --cgroup-root DIR   cgroup2 directory whose subtree is governed (default: the cgroup2 mount)\n"
	"  --pin-dir DIR       bpffs directory for pinned maps and links (default " AIRLOCK_PIN_DIR ")\n"
	"  --control PATH      control socket for airlockctl (default " AIRLOCK_DEFAULT_CONTROL ")\n"
	"  --uninstall         detach every program pinned under --pin-dir and remove the pins\n"
	"  -v, --verbose       debug logging, including libbpf's\n"
	"\n"
	"SIGHUP re-reads the policy. SIGINT/SIGTERM stop the daemon; enforcement stays in force.\n";

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum log_level l = level == LIBBPF_WARN ? LOG_LVL_WARN :
			   level == LIBBPF_INFO ? LOG_LVL_DEBUG : LOG_LVL_DEBUG;
	char buf[1024];
	size_t n;

	if (!log_enabled(l))
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	log_msg(l, "libbpf: %s", buf);
	return 0;
}

static int copy_opt(char *dst, size_t len, const char *src, const char *what)
{
	if (snprintf(dst, len, "%s", src) >= (int)len) {
		log_error("%s too long: %s", what, src);
		return -ENAMETOOLONG;
	}
	return 0;
}

/* Resolve and check --cgroup-root against the cgroup2 mount. */
static int resolve_cgroup_root(struct airlock_opts *o)
{
	char real[PATH_MAX];
	const char *which;
	__u64 id;
	int err;

	err = sysfs_check_v1_net("/proc/mounts", &which);
	if (err == -EOPNOTSUPP) {
		log_error("cgroup v1 controller %s is mounted: it shares the socket's cgroup tag with "
			  "cgroup2, and BPF programs on cgroup2 would silently stop applying. "
			  "Unmount it (or boot with cgroup_no_v1=net_cls,net_prio).", which);
		return err;
	}
	err = sysfs_cgroup2_mount("/proc/mounts", o->cgroup_mount, sizeof(o->cgroup_mount));
	if (err) {
		log_error("no cgroup2 hierarchy in /proc/mounts: airlock needs cgroup v2");
		return err;
	}
	if (!o->cgroup_root[0])
		strcpy(o->cgroup_root, o->cgroup_mount);
	if (!realpath(o->cgroup_root, real)) {
		err = -errno;
		log_error("--cgroup-root %s: %s", o->cgroup_root, strerror(errno));
		return err;
	}
	if (!sysfs_path_within(real, o->cgroup_mount) || sysfs_cgroup_id(real, &id)) {
		log_error("--cgroup-root %s is not a cgroup2 directory under %s", real,
			  o->cgroup_mount);
		return -EINVAL;
	}
	strcpy(o->cgroup_root, real);
	return 0;
}

static void on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct airlock *a = arg;

	(void)what;
	log_info("signal %d: stopping; pinned programs stay attached and enforcing", (int)sig);
	event_base_loopbreak(a->base);
}

static void on_reload(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)daemon_reload(arg);
}

static int run(struct airlock *a)
{
	struct event *ev_int = NULL, *ev_term = NULL, *ev_hup = NULL;
	int err;

	a->base = event_base_new();
	if (!a->base)
		return -ENOMEM;
	err = sysfs_prepare_bpffs(a->opts.pin_dir);
	if (err) {
		log_error("bpffs at %s: %s", a->opts.pin_dir, strerror(-err));
		goto out;
	}
	err = daemon_start(a);
	if (err)
		goto out;
	ev_int = evsignal_new(a->base, SIGINT, on_stop, a);
	ev_term = evsignal_new(a->base, SIGTERM, on_stop, a);
	ev_hup = evsignal_new(a->base, SIGHUP, on_reload, a);
	if (!ev_int || !ev_term || !ev_hup || event_add(ev_int, NULL) || event_add(ev_term, NULL) ||
	    event_add(ev_hup, NULL)) {
		err = -ENOMEM;
		goto out;
	}
	event_base_dispatch(a->base);
out:
	if (ev_int)
		event_free(ev_int);
	if (ev_term)
		event_free(ev_term);
	if (ev_hup)
		event_free(ev_hup);
	daemon_stop(a);
	event_base_free(a->base);
	return err;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"policy", required_argument, NULL, 'p'},
		{"cgroup-root", required_argument, NULL, 'c'},
		{"pin-dir", required_argument, NULL, 'b'},
		{"control", required_argument, NULL, 's'},
		{"uninstall", no_argument, NULL, 'u'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{},
	};
	static struct airlock a;
	int opt, uninstall = 0, err;

	strcpy(a.opts.pin_dir, AIRLOCK_PIN_DIR);
	strcpy(a.opts.control_path, AIRLOCK_DEFAULT_CONTROL);
	while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			err = copy_opt(a.opts.policy_path, sizeof(a.opts.policy_path), optarg, "--policy");
			break;
		case 'c':
			err = copy_opt(a.opts.cgroup_root, sizeof(a.opts.cgroup_root), optarg,
				       "--cgroup-root");
			break;
		case 'b':
			err = copy_opt(a.opts.pin_dir, sizeof(a.opts.pin_dir), optarg, "--pin-dir");
			break;
		case 's':
			err = copy_opt(a.opts.control_path, sizeof(a.opts.control_path), optarg,
				       "--control");
			break;
		case 'u':
			uninstall = 1;
			err = 0;
			break;
		case 'v':
			a.opts.verbose = 1;
			err = 0;
			break;
		case 'V':
			printf("airlockd %s\n", AIRLOCK_VERSION);
			return 0;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
		if (err)
			return 2;
	}
	if (optind != argc) {
		fputs(usage, stderr);
		return 2;
	}
	log_set_level(a.opts.verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	libbpf_set_print(libbpf_log);

	if (uninstall) {
		err = loader_uninstall(a.opts.pin_dir);
		if (err) {
			log_error("uninstall %s: %s", a.opts.pin_dir, strerror(-err));
			return 1;
		}
		log_info("uninstalled: programs detached, pins under %s removed", a.opts.pin_dir);
		return 0;
	}
	if (!a.opts.policy_path[0]) {
		fputs("airlockd: --policy FILE is required\n", stderr);
		fputs(usage, stderr);
		return 2;
	}
	err = resolve_cgroup_root(&a.opts);
	if (err)
		return 1;
	err = run(&a);
	return err ? 1 : 0;
}
