// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Cases about airlockd's lifetime rather than one socket call: a socket
 * older than the agent, counters as airlockctl reports them, and kill -9.
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cases.h"

#define API_ADDR "127.0.10.5"
#define DENIED_ADDR "127.1.2.3"
#define API_PORT 443

/* --- a socket opened before airlockd started ----------------------------- */

struct pre_state {
	int fd;
};

static void pre_open(void *arg, struct op_result *r)
{
	struct pre_state *st = arg;

	st->fd = ops_tcp_socket(AF_INET);
	ops_fill(r, st->fd, st->fd < 0 ? errno : 0, "socket opened before airlockd");
}

static void pre_connect(void *arg, struct op_result *r)
{
	struct pre_state *st = arg;
	struct sockaddr_storage sa;
	socklen_t len;
	int err;

	ops_sockaddr(AF_INET, DENIED_ADDR, API_PORT, &sa, &len);
	err = connect(st->fd, (struct sockaddr *)&sa, len) < 0 ? errno : 0;
	ops_fill(r, st->fd, err, "connect on the old socket: %s", strerror(err));
}

/* Runs before airlockd starts: a contoso child opens its socket now. */
int cases_prepare_preexisting(struct ktest_env *env)
{
	struct pre_state st = { .fd = -1 };
	struct op_result r;
	int err;

	err = child2_start(env->cg_path[KTEST_CG_CONTOSO], pre_open, pre_connect, &st, 3000,
			   &env->pre, &r);
	if (!err && r.err)
		err = -r.err;
	return err;
}

int case_preexisting(struct ktest_env *env, const struct ktest_case *c, char *detail, size_t len)
{
	struct airlock_stats before = {}, after = {};
	struct event_match m = {
		.tenant = "contoso", .family = "ipv4", .daddr = DENIED_ADDR, .dport = API_PORT,
		.proto = "tcp", .hook = "connect4", .reason = "no_route",
	};
	struct op_result r;
	int err;

	(void)c;
	if (env->pre.pid <= 0) {
		snprintf(detail, len, "the child holding the old socket is not running");
		return -ESRCH;
	}
	if (!env->no_agent && (err = case_stats(env, "contoso", &before)))
		goto out_stats;
	m.pid = env->pre.pid;
	err = child2_finish(&env->pre, 5000, &r);
	if (err) {
		snprintf(detail, len, "old-socket child: %s", strerror(-err));
		return err;
	}
	err = case_check_errno(&r, env->no_agent ? 0 : EPERM, detail, len);
	if (err || env->no_agent)
		goto out;
	err = case_stats(env, "contoso", &after);
	if (err)
		goto out_stats;
	err = case_check_delta(&before, &after, CTR(connect_denied), 1, detail, len);
	if (!err)
		err = events_wait(env, &m, 3000, detail, len);
out:
	if (!err)
		snprintf(detail, len, "%s%s", r.detail,
			 env->no_agent ? " (no agent: outcome only)" : "; connect_denied +1; event seen");
	return err;
out_stats:
	snprintf(detail, len, "read alk_stats: %s", strerror(-err));
	return err;
}

/* --- a socket carried out of its tenant's cgroup ------------------------ */

struct carry_arg {
	const char *to_cgroup;
};

/* Open in contoso, move to a cgroup of no tenant, then connect. */
static void carry_connect(void *arg, struct op_result *r)
{
	const struct carry_arg *a = arg;
	struct sockaddr_storage sa;
	socklen_t len;
	int fd, err;

	fd = ops_tcp_socket(AF_INET);
	err = cgroup_join(a->to_cgroup);
	if (fd < 0 || err) {
		ops_fill(r, fd, EPROTO, "socket %d, join %s: %s", fd, a->to_cgroup,
			 strerror(-err));
		goto out_close;
	}
	ops_sockaddr(AF_INET, DENIED_ADDR, API_PORT, &sa, &len);
	err = connect(fd, (struct sockaddr *)&sa, len) < 0 ? errno : 0;
	ops_fill(r, fd, err, "connect after moving to other/job: %s", strerror(err));
out_close:
	if (fd >= 0)
		close(fd);
}

/*
 * The tenant is the socket's creator's, whatever task uses it later: a
 * socket opened in contoso and carried to an unmatched (allowed) cgroup is
 * still judged as contoso's.  Moving the task stands in for fd passing.
 */
int case_carried_socket(struct ktest_env *env, const struct ktest_case *c, char *detail,
			size_t len)
{
	struct carry_arg a = { .to_cgroup = env->cg_path[KTEST_CG_OTHER] };
	struct airlock_stats before = {}, after = {};
	struct event_match m = {
		.tenant = "contoso", .family = "ipv4", .daddr = DENIED_ADDR, .dport = API_PORT,
		.proto = "tcp", .hook = "connect4", .reason = "no_route",
	};
	struct op_result r;
	int err;

	err = case_stats(env, "contoso", &before);
	if (!err)
		err = child_run(env->cg_path[c->cg], carry_connect, &a, 5000, &r);
	if (err) {
		snprintf(detail, len, "%s", strerror(-err));
		return err;
	}
	err = case_check_errno(&r, EPERM, detail, len);
	if (!err)
		err = case_stats(env, "contoso", &after);
	if (!err)
		err = case_check_delta(&before, &after, CTR(connect_denied), 1, detail, len);
	m.pid = r.pid;
	if (!err)
		err = events_wait(env, &m, 3000, detail, len);
	if (!err)
		snprintf(detail, len, "%s; contoso connect_denied +1; event seen", r.detail);
	return err;
}

/* --- a reload of a broken policy file ------------------------------------- */

static void connect_api(void *arg, struct op_result *r)
{
	ops_run(OP_TCP_CONNECT, AF_INET, arg, API_PORT, r);
}

/* One connect from contoso to addr; 0 when it ends as want. */
static int contoso_connect(struct ktest_env *env, const char *addr, int want, char *detail,
			   size_t len)
{
	struct op_result r;
	int err;

	err = child_run(env->cg_path[KTEST_CG_CONTOSO], connect_api, (void *)addr, 5000, &r);
	if (err) {
		snprintf(detail, len, "case child: %s", strerror(-err));
		return err;
	}
	return case_check_errno(&r, want, detail, len);
}

/* SIGHUP with a file that does not parse: nothing changes, nothing opens. */
int case_reload_broken(struct ktest_env *env, const struct ktest_case *c, char *detail,
		       size_t len)
{
	static const char broken[] = "{ \"apiVersion\": \"airlock/v1\", \"tenants\": [ ";
	struct airlock_config before, after;
	char tmp[PATH_MAX + 8];
	int err, restore_err;
	FILE *f;

	(void)c;
	err = pins_config_read(env->pin_dir, &before);
	if (err) {
		snprintf(detail, len, "read alk_config: %s", strerror(-err));
		return err;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", env->policy_path);
	f = fopen(tmp, "we");
	if (!f || fputs(broken, f) < 0 || fclose(f) || rename(tmp, env->policy_path) < 0) {
		snprintf(detail, len, "write the broken policy: %s", strerror(errno));
		return -errno;
	}
	err = kill(env->agent_pid, SIGHUP) < 0 ? -errno : 0;
	case_sleep_ms(300);
	if (!err && waitpid(env->agent_pid, NULL, WNOHANG) == env->agent_pid) {
		env->agent_pid = 0;
		snprintf(detail, len, "airlockd exited on the broken policy");
		err = -ECHILD;
	}
	if (!err && (err = pins_config_read(env->pin_dir, &after)) == 0 &&
	    (after.generation != before.generation || !(after.flags & AIRLOCK_CFG_READY))) {
		snprintf(detail, len, "generation %llu -> %llu, flags %#x after the broken reload",
			 (unsigned long long)before.generation,
			 (unsigned long long)after.generation, after.flags);
		err = -EPROTO;
	}
	if (!err)
		err = contoso_connect(env, DENIED_ADDR, EPERM, detail, len);
	if (!err)
		err = contoso_connect(env, API_ADDR, 0, detail, len);
	if (!err)
		err = agent_wait_ready(env, 3000);
	restore_err = policy_file_write(env, KTEST_POLICY_BASE);
	if (!err && restore_err)
		snprintf(detail, len, "restore the policy file: %s", strerror(-restore_err));
	if (!err && !restore_err)
		snprintf(detail, len, "generation stays %llu; denied still EPERM, allowed still "
			 "connects; still ready", (unsigned long long)after.generation);
	return err ? err : restore_err;
}

/* --- counters across a reload --------------------------------------------- */

/*
 * A reload keeps each tenant's counter slot: counters are not reset, the
 * workload's alk_cgroup entry points at the slot that names the tenant, and
 * the next connect lands there.
 */
int case_reload_keeps_counters(struct ktest_env *env, const struct ktest_case *c, char *detail,
			       size_t len)
{
	struct airlock_stats s1, s2, s3;
	struct airlock_cgroup_value cv;
	__u32 owner = 0;
	int err;

	(void)c;
	err = contoso_connect(env, API_ADDR, 0, detail, len);
	if (err)
		return err;
	err = pins_stats_read(env->pin_dir, env->contoso_id, &s1);
	err = err ?: agent_reload(env, 3000);
	err = err ?: pins_stats_read(env->pin_dir, env->contoso_id, &s2);
	if (err) {
		snprintf(detail, len, "reload or read alk_stats: %s", strerror(-err));
		return err;
	}
	if (s2.connect_allowed < s1.connect_allowed || s1.connect_allowed == 0) {
		snprintf(detail, len, "connect_allowed %llu before the reload, %llu after",
			 (unsigned long long)s1.connect_allowed,
			 (unsigned long long)s2.connect_allowed);
		return -EPROTO;
	}
	err = contoso_connect(env, API_ADDR, 0, detail, len);
	if (err)
		return err;
	err = pins_stats_read(env->pin_dir, env->contoso_id, &s3);
	if (!err && (err = case_check_delta(&s2, &s3, CTR(connect_allowed), 1, detail, len)))
		return err;
	/* The workload's entry names the slot, and the slot names the tenant. */
	err = err ?: pins_cgroup_read(env->pin_dir, env->cg_path[KTEST_CG_CONTOSO], &cv);
	if (err) {
		snprintf(detail, len, "read alk_cgroup: %s", strerror(-err));
		return err;
	}
	err = pins_slot_owner(env->pin_dir, cv.slot, &owner);
	if (err) {
		snprintf(detail, len, "read alk_stats[%u]: %s", cv.slot, strerror(-err));
		return err;
	}
	if (!err && (cv.tenant != env->contoso_id || cv.slot == 0 ||
		     owner != env->contoso_id)) {
		snprintf(detail, len, "alk_cgroup says tenant %u slot %u; that slot names %u",
			 cv.tenant, cv.slot, owner);
		err = -EPROTO;
	}
	if (!err)
		snprintf(detail, len, "slot %u kept; connect_allowed %llu -> %llu over the reload, "
			 "+1 after", cv.slot, (unsigned long long)s1.connect_allowed,
			 (unsigned long long)s2.connect_allowed);
	return err;
}

/* --- airlockctl stats --json against the pinned map ---------------------- */

int case_stats_json(struct ktest_env *env, const struct ktest_case *c, char *detail, size_t len)
{
	struct airlock_stats pinned;
	json_t *root, *list, *t;
	int seen_contoso = 0, err;
	size_t i, off;

	(void)c;
	err = agent_ctl_json(env, "stats", &root);
	if (err) {
		snprintf(detail, len, "airlockctl stats --json: %s", strerror(-err));
		return err;
	}
	list = json_object_get(root, "tenants");
	err = json_array_size(list) ? 0 : -ENODATA;
	if (err)
		snprintf(detail, len, "no tenants listed");
	json_array_foreach(list, i, t) {
		const char *name = json_string_value(json_object_get(t, "tenant"));
		json_int_t id = json_integer_value(json_object_get(t, "id"));

		if (err)
			break;
		if (name && !strcmp(name, "contoso")) {
			seen_contoso = 1;
			if (id != env->contoso_id) {
				snprintf(detail, len, "contoso id %lld, policy_tenant_id says %u",
					 (long long)id, env->contoso_id);
				err = -EPROTO;
				break;
			}
		}
		err = pins_stats_read(env->pin_dir, (__u32)id, &pinned);
		if (err) {
			snprintf(detail, len, "read alk_stats[%lld]: %s", (long long)id,
				 strerror(-err));
			break;
		}
		for (off = CTR(connect_allowed); off < sizeof(pinned); off += sizeof(__u64)) {
			json_t *v = json_object_get(t, case_ctr_name(off));

			if (!json_is_integer(v) || (__u64)json_integer_value(v) !=
							   case_field(&pinned, off)) {
				snprintf(detail, len, "%s.%s: json %lld, pinned map %llu",
					 name ? name : "?", case_ctr_name(off),
					 (long long)json_integer_value(v),
					 (unsigned long long)case_field(&pinned, off));
				err = -EPROTO;
				break;
			}
		}
	}
	if (!err && !seen_contoso) {
		snprintf(detail, len, "contoso not listed");
		err = -ENOENT;
	}
	if (!err)
		snprintf(detail, len, "%zu tenants, every counter equal", json_array_size(list));
	json_decref(root);
	return err;
}

/* --- kill -9 under load ---------------------------------------------------- */

/* Shared with the loop child through an anonymous shared mapping. */
struct loop_state {
	atomic_ulong iterations;
	atomic_ulong wrong;
	atomic_int stop;
	char first_wrong[128];
	/* The parent's marks, in loop iterations. */
	unsigned long at_kill, at_restart, at_ready;
};

/* Alternate allowed and denied connects until told to stop. */
static void loop_run(void *arg, struct op_result *r)
{
	struct loop_state *st = arg;
	struct sockaddr_storage ok, bad;
	socklen_t ok_len, bad_len;
	unsigned long i;
	int fd, err, want;

	ops_sockaddr(AF_INET, API_ADDR, API_PORT, &ok, &ok_len);
	ops_sockaddr(AF_INET, DENIED_ADDR, API_PORT, &bad, &bad_len);
	for (i = 0; !atomic_load(&st->stop); i++) {
		want = i & 1 ? EPERM : 0;
		fd = ops_tcp_socket(AF_INET);
		if (want)
			err = connect(fd, (struct sockaddr *)&bad, bad_len) < 0 ? errno : 0;
		else
			err = connect(fd, (struct sockaddr *)&ok, ok_len) < 0 ? errno : 0;
		close(fd);
		if (err != want && atomic_fetch_add(&st->wrong, 1) == 0)
			snprintf(st->first_wrong, sizeof(st->first_wrong),
				 "iteration %lu: %s got %s", i, want ? DENIED_ADDR : API_ADDR,
				 err ? strerror(err) : "success");
		atomic_fetch_add(&st->iterations, 1);
		usleep(250); /* ~3000 connects a second: dense, yet a modest log */
	}
	ops_fill(r, -1, 0, "loop stopped");
}

static void loop_ready(void *arg, struct op_result *r)
{
	(void)arg;
	ops_fill(r, -1, 0, "loop ready");
}

/* Wait until the loop made n more iterations than it had at `from`. */
static int loop_progress(struct loop_state *st, unsigned long from, unsigned long n,
			 int timeout_ms)
{
	int waited;

	for (waited = 0; waited < timeout_ms; waited += 10) {
		if (atomic_load(&st->iterations) >= from + n)
			return 0;
		case_sleep_ms(10);
	}
	return -ETIMEDOUT;
}

/* status --json after the restart: adopted, and so is every attached program. */
static int status_adopted(json_t *status, char *detail, size_t len)
{
	json_t *progs = json_object_get(status, "programs"), *p;
	size_t i;

	if (!json_is_true(json_object_get(status, "adopted"))) {
		snprintf(detail, len, "status: \"adopted\" is not true");
		return -EPROTO;
	}
	if (!json_array_size(progs)) {
		snprintf(detail, len, "status lists no programs");
		return -EPROTO;
	}
	json_array_foreach(progs, i, p) {
		if (!json_is_true(json_object_get(p, "adopted")) ||
		    !json_is_true(json_object_get(p, "attached"))) {
			snprintf(detail, len, "program %s: attached %s, adopted %s",
				 json_string_value(json_object_get(p, "name")) ?: "?",
				 json_is_true(json_object_get(p, "attached")) ? "yes" : "no",
				 json_is_true(json_object_get(p, "adopted")) ? "yes" : "no");
			return -EPROTO;
		}
	}
	return 0;
}

static int kill9_steps(struct ktest_env *env, struct loop_state *st, char *detail, size_t len)
{
	struct airlock_stats s1, s2;
	unsigned long it;
	json_t *status;
	int err;

	err = loop_progress(st, 0, 100, 3000);
	if (err) {
		snprintf(detail, len, "loop made no progress before the kill");
		return err;
	}
	st->at_kill = atomic_load(&st->iterations);
	err = agent_kill(env, SIGKILL);
	if (err) {
		snprintf(detail, len, "kill -9 airlockd: %s", strerror(-err));
		return err;
	}
	/* Agent dead: the loop goes on against pinned links and maps. */
	it = atomic_load(&st->iterations);
	err = case_stats(env, "contoso", &s1);
	if (!err)
		err = loop_progress(st, it, 300, 5000);
	if (!err)
		err = case_stats(env, "contoso", &s2);
	if (err) {
		snprintf(detail, len, "with airlockd dead: %s", strerror(-err));
		return err;
	}
	if (s2.connect_allowed <= s1.connect_allowed || s2.connect_denied <= s1.connect_denied) {
		snprintf(detail, len, "pinned counters stood still with airlockd dead");
		return -EPROTO;
	}
	st->at_restart = atomic_load(&st->iterations);
	err = agent_start(env);
	if (!err)
		err = agent_wait_ready(env, 15000);
	if (err) {
		snprintf(detail, len, "restart airlockd: %s", strerror(-err));
		return err;
	}
	st->at_ready = atomic_load(&st->iterations);
	err = loop_progress(st, atomic_load(&st->iterations), 200, 3000);
	if (err) {
		snprintf(detail, len, "loop made no progress after the restart");
		return err;
	}
	err = agent_ctl_json(env, "status", &status);
	if (err) {
		snprintf(detail, len, "airlockctl status --json: %s", strerror(-err));
		return err;
	}
	err = status_adopted(status, detail, len);
	json_decref(status);
	return err;
}

int case_agent_kill9(struct ktest_env *env, const struct ktest_case *c, char *detail, size_t len)
{
	struct loop_state *st;
	struct op_result r;
	struct child2 ch;
	int err, stop_err;

	(void)c;
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED) {
		snprintf(detail, len, "mmap: %s", strerror(errno));
		return -errno;
	}
	memset(st, 0, sizeof(*st));
	err = child2_start(env->cg_path[KTEST_CG_CONTOSO], loop_ready, loop_run, st, 3000, &ch,
			   &r);
	if (err) {
		snprintf(detail, len, "loop child: %s", strerror(-err));
		goto out_unmap;
	}
	if (write(ch.go_fd, "g", 1) != 1) {
		err = -errno;
		snprintf(detail, len, "start the loop: %s", strerror(errno));
		child2_abort(&ch);
		goto out_unmap;
	}
	err = kill9_steps(env, st, detail, len);
	atomic_store(&st->stop, 1);
	stop_err = child_read_result(ch.res_fd, 5000, &r);
	child2_abort(&ch);
	if (!err && stop_err) {
		snprintf(detail, len, "loop child did not stop: %s", strerror(-stop_err));
		err = stop_err;
	}
	if (!err && atomic_load(&st->wrong)) {
		snprintf(detail, len, "%lu of %lu outcomes wrong; first: %s",
			 atomic_load(&st->wrong), atomic_load(&st->iterations), st->first_wrong);
		err = -EPROTO;
	}
	if (!err)
		snprintf(detail, len,
			 "%lu connects (%lu with airlockd dead, %lu while it restarted), 0 wrong; "
			 "counters moved while dead; links adopted",
			 atomic_load(&st->iterations), st->at_restart - st->at_kill,
			 st->at_ready - st->at_restart);
out_unmap:
	munmap(st, sizeof(*st));
	return err;
}
