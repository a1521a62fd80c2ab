// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "log.h"

struct control_client {
	struct control *ctl;
	struct bufferevent *bev;
	struct control_client *next;
	int follow;
};

struct control {
	struct evconnlistener *listener;
	control_handler_fn fn;
	void *ctx;
	struct control_client *clients;
	unsigned nclients;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

json_t *control_error(const char *type, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:{s:s, s:s, s:n, s:n}}", "error", "message", msg, "type", type,
			 "param", "code");
}

static void client_free(struct control_client *c)
{
	struct control *ctl = c->ctl;
	struct control_client **pp;

	for (pp = &ctl->clients; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	ctl->nclients--;
	bufferevent_free(c->bev);
	free(c);
}

static int client_send(struct control_client *c, json_t *msg)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	char *line;
	int err = 0;

	line = json_dumps(msg, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!line)
		return -ENOMEM;
	if (evbuffer_add(out, line, strlen(line)) || evbuffer_add(out, "\n", 1))
		err = -ENOMEM;
	free(line);
	return err;
}

void control_client_follow(struct control_client *c)
{
	c->follow = 1;
}

static void client_event(struct bufferevent *bev, short what, void *arg);

static void client_drained(struct bufferevent *bev, void *arg)
{
	(void)bev;
	client_free(arg);
}

static void client_read(struct bufferevent *bev, void *arg)
{
	struct control_client *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	json_error_t jerr;
	size_t len;
	char *line;

	while ((line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF))) {
		json_t *req, *reply;

		req = json_loadb(line, len, 0, &jerr);
		free(line);
		if (!req || !json_is_object(req))
			reply = control_error("invalid_request_error", "request is not a JSON object: %s",
					      req ? "wrong type" : jerr.text);
		else
			reply = c->ctl->fn(c->ctl->ctx, c, req);
		json_decref(req);
		if (reply) {
			client_send(c, reply);
			json_decref(reply);
		}
	}
	if (evbuffer_get_length(in) > CONTROL_MAX_LINE) {
		json_t *e = control_error("invalid_request_error", "request line over %d bytes",
					  CONTROL_MAX_LINE);

		/* Say why, then hang up once the reply has left. */
		evbuffer_drain(in, evbuffer_get_length(in));
		bufferevent_disable(bev, EV_READ);
		client_send(c, e);
		json_decref(e);
		bufferevent_setcb(bev, NULL, client_drained, client_event, c);
	}
}

static void client_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		client_free(arg);
}

static void control_accept(struct evconnlistener *lst, evutil_socket_t fd, struct sockaddr *sa,
			   int socklen, void *arg)
{
	struct event_base *base = evconnlistener_get_base(lst);
	struct control *ctl = arg;
	struct control_client *c;

	(void)sa;
	(void)socklen;
	if (ctl->nclients >= CONTROL_MAX_CLIENTS) {
		static const char busy[] =
			"{\"error\":{\"message\":\"too many control clients\",\"type\":\"rate_limit_error\",\"param\":null,\"code\":null}}\n";

		(void)!write(fd, busy, sizeof(busy) - 1);
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->ctl = ctl;
	c->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!c->bev) {
		close(fd);
		free(c);
		return;
	}
	bufferevent_setcb(c->bev, client_read, NULL, client_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	c->next = ctl->clients;
	ctl->clients = c;
	ctl->nclients++;
}

void control_broadcast(struct control *ctl, json_t *msg)
{
	struct control_client *c, *next;

	for (c = ctl->clients; c; c = next) {
		next = c->next;
		if (!c->follow)
			continue;
		/* A follower that stopped reading must not grow us without bound. */
		if (evbuffer_get_length(bufferevent_get_output(c->bev)) > CONTROL_MAX_PENDING) {
			client_free(c);
			continue;
		}
		client_send(c, msg);
	}
}

int control_open(struct event_base *base, const char *path, control_handler_fn fn, void *ctx,
		 struct control **ret)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char dir[PATH_MAX], *slash;
	struct control *ctl;
	mode_t old;
	int err;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
	}
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return -ENOMEM;
	ctl->fn = fn;
	ctl->ctx = ctx;
	strcpy(ctl->path, path);
	/* A socket left by a killed daemon: nobody answers it, replace it. */
	unlink(path);
	old = umask(0077);
	ctl->listener = evconnlistener_new_bind(base, control_accept, ctl,
						LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16,
						(struct sockaddr *)&sun, sizeof(sun));
	err = ctl->listener ? 0 : -errno;
	umask(old);
	if (err) {
		free(ctl);
		return err ? err : -EIO;
	}
	*ret = ctl;
	return 0;
}

struct control *control_free(struct control *ctl)
{
	if (!ctl)
		return NULL;
	while (ctl->clients)
		client_free(ctl->clients);
	evconnlistener_free(ctl->listener);
	unlink(ctl->path);
	free(ctl);
	return NULL;
}
