// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"

int ctl_connect(const struct ctl_opts *o, struct ctl_conn *ret)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd, err;

	if (strlen(o->socket) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "airlockctl: socket path too long: %s\n", o->socket);
		return -ENAMETOOLONG;
	}
	strcpy(sun.sun_path, o->socket);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		err = -errno;
		fprintf(stderr, "airlockctl: cannot reach airlockd at %s: %s (is airlockd running?)\n",
			o->socket, strerror(errno));
		close(fd);
		return err;
	}
	ret->fd = fd;
	ret->in = fdopen(dup(fd), "r");
	if (!ret->in) {
		close(fd);
		return -ENOMEM;
	}
	return 0;
}

int ctl_request(struct ctl_conn *c, json_t *req, json_t **ret_reply)
{
	char *line = json_dumps(req, JSON_COMPACT);
	size_t len, off = 0;
	int err = 0;

	json_decref(req);
	if (!line)
		return -ENOMEM;
	len = strlen(line);
	line[len++] = '\n'; /* json_dumps leaves room: we replace the NUL */
	while (off < len) {
		ssize_t n = write(c->fd, line + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		off += n;
	}
	free(line);
	if (err)
		return err;
	return ctl_read(c, ret_reply);
}

int ctl_read(struct ctl_conn *c, json_t **ret_msg)
{
	json_error_t jerr;
	json_t *j;

	j = json_loadf(c->in, JSON_DISABLE_EOF_CHECK, &jerr);
	if (!j) {
		if (feof(c->in))
			return -ENODATA;
		fprintf(stderr, "airlockctl: bad reply from airlockd: %s\n", jerr.text);
		return -EPROTO;
	}
	*ret_msg = j;
	return 0;
}

void ctl_close(struct ctl_conn *c)
{
	if (c->in)
		fclose(c->in);
	if (c->fd >= 0)
		close(c->fd);
	c->in = NULL;
	c->fd = -1;
}

int ctl_print_error(json_t *reply)
{
	json_t *e = json_object_get(reply, "error");

	if (!e)
		return 0;
	fprintf(stderr, "airlockctl: %s\n", json_string_value(json_object_get(e, "message")) ?: "error");
	return 1;
}

void ctl_print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (s) {
		puts(s);
		free(s);
	}
	fflush(stdout);
}
