// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* control.c: the line-delimited JSON control socket, over a real unix socket. */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "control.h"

struct fixture {
	struct event_base *base;
	struct control *ctl;
	char path[108];
	int calls;
};

static json_t *handler(void *ctx, struct control_client *c, json_t *req)
{
	struct fixture *f = ctx;
	const char *cmd = json_string_value(json_object_get(req, "cmd"));

	f->calls++;
	if (cmd && !strcmp(cmd, "echo"))
		return json_pack("{s:O}", "echo", req);
	if (cmd && !strcmp(cmd, "follow")) {
		control_client_follow(c);
		return json_pack("{s:b}", "following", 1);
	}
	return control_error("invalid_request_error", "unknown command '%s'", cmd ? cmd : "");
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->path, sizeof(f->path), "/tmp/airlock-ctl-test-%d.sock", (int)getpid());
	f->base = event_base_new();
	assert_int_equal(control_open(f->base, f->path, handler, f, &f->ctl), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	control_free(f->ctl);
	event_base_free(f->base);
	assert_int_equal(access(f->path, F_OK), -1); /* socket file removed */
	free(f);
	return 0;
}

static int client(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(sun.sun_path, path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

/* Run the loop until a full line arrives on fd (bounded). */
static json_t *read_reply(struct fixture *f, int fd)
{
	char buf[65536];
	size_t off = 0;
	int i;

	for (i = 0; i < 200; i++) {
		ssize_t n;

		event_base_loop(f->base, EVLOOP_NONBLOCK);
		n = read(fd, buf + off, sizeof(buf) - 1 - off);
		if (n > 0)
			off += n;
		if (off && buf[off - 1] == '\n') {
			buf[off] = '\0';
			return json_loads(buf, 0, NULL);
		}
		if (n == 0)
			return NULL;
		poll(NULL, 0, 5);
	}
	return NULL;
}

static void send_str(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

static void test_request_reply(void **state)
{
	struct fixture *f = *state;
	int fd = client(f->path);
	json_t *r;

	send_str(fd, "{\"cmd\":\"echo\",\"x\":1}\n");
	r = read_reply(f, fd);
	assert_non_null(r);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "echo"), "x")), 1);
	json_decref(r);
	close(fd);
}

static void test_errors_in_openai_shape(void **state)
{
	struct fixture *f = *state;
	int fd = client(f->path);
	json_t *r, *e;

	send_str(fd, "this is not json\n");
	r = read_reply(f, fd);
	assert_non_null(r);
	e = json_object_get(r, "error");
	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(e, "type")), "invalid_request_error");
	assert_non_null(strstr(json_string_value(json_object_get(e, "message")), "not a JSON object"));
	assert_true(json_is_null(json_object_get(e, "code")));
	json_decref(r);

	send_str(fd, "{\"cmd\":\"nope\"}\n");
	r = read_reply(f, fd);
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r, "error"),
								 "message")), "unknown command 'nope'"));
	json_decref(r);
	assert_int_equal(f->calls, 1); /* the non-JSON line never reached the handler */
	close(fd);
}

static void test_overlong_line_is_refused(void **state)
{
	struct fixture *f = *state;
	int fd = client(f->path);
	char *big = malloc(CONTROL_MAX_LINE + 2);
	size_t off = 0;
	json_t *r = NULL;
	int i;

	memset(big, 'a', CONTROL_MAX_LINE + 1);
	big[CONTROL_MAX_LINE + 1] = '\0';
	/* Non-blocking writes: interleave with the loop until all is sent. */
	for (i = 0; i < 1000 && off < CONTROL_MAX_LINE + 1; i++) {
		ssize_t n = write(fd, big + off, CONTROL_MAX_LINE + 1 - off);

		if (n > 0)
			off += n;
		event_base_loop(f->base, EVLOOP_NONBLOCK);
	}
	free(big);
	r = read_reply(f, fd);
	assert_non_null(r);
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r, "error"),
								 "message")), "over"));
	assert_int_equal(f->calls, 0);
	json_decref(r);
	close(fd);
}

static void test_followers_get_broadcasts(void **state)
{
	struct fixture *f = *state;
	int follower = client(f->path), other = client(f->path);
	json_t *r, *msg = json_pack("{s:i}", "denial", 5);
	char buf[64];

	send_str(follower, "{\"cmd\":\"follow\"}\n");
	r = read_reply(f, follower);
	assert_true(json_is_true(json_object_get(r, "following")));
	json_decref(r);
	send_str(other, "{\"cmd\":\"echo\"}\n");
	json_decref(read_reply(f, other));

	control_broadcast(f->ctl, msg);
	r = read_reply(f, follower);
	assert_int_equal(json_integer_value(json_object_get(r, "denial")), 5);
	json_decref(r);
	/* The non-follower got nothing. */
	event_base_loop(f->base, EVLOOP_NONBLOCK);
	assert_int_equal(read(other, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EAGAIN);
	json_decref(msg);
	close(follower);
	close(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_request_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_in_openai_shape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlong_line_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_followers_get_broadcasts, setup, teardown),
	};

	return cmocka_run_group_tests_name("control", tests, NULL, NULL);
}
