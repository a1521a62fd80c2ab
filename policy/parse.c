/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Loading a policy: read the file (bounded), parse it with jansson, hand the
 * tree to validation.  A policy is returned whole or not at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static void egress_free(struct policy_egress *e)
{
	free(e->name);
	free(e->to);
	free(e->ports);
}

static void tenant_free(struct policy_tenant *t)
{
	size_t i;

	free(t->name);
	for (i = 0; i < t->n_workloads; i++)
		free(t->workloads[i].cgroup);
	free(t->workloads);
	for (i = 0; i < t->n_egress; i++)
		egress_free(&t->egress[i]);
	free(t->egress);
	policy_content_free(t->content);
}

struct policy *policy_free(struct policy *p)
{
	size_t i;

	if (!p)
		return NULL;
	for (i = 0; i < p->n_tenants; i++)
		tenant_free(&p->tenants[i]);
	free(p->tenants);
	free(p->file);
	free(p->text);
	free(p);
	return NULL;
}

/* jansson's message for a syntax error, at jansson's position. */
static int syntax_error(struct policy_ctx *ctx, const json_error_t *jerr)
{
	struct policy_error *err = ctx->err;

	policy_fail_errno(ctx, EINVAL, "invalid JSON: %s", jerr->text);
	if (err)
		snprintf(err->key, sizeof(err->key), "$");
	if (err && jerr->line > 0) {
		err->line = jerr->line;
		/* jansson says column 0 before the first character of a line */
		err->column = jerr->column > 0 ? jerr->column : 1;
	}
	return -EINVAL;
}

/* Takes ownership of text (malloc'ed, len bytes plus a NUL). */
static int load_owned(const char *file, char *text, size_t len, struct policy **ret,
		      struct policy_error *err)
{
	struct policy_ctx ctx = { .file = file, .text = text, .text_len = len, .err = err };
	struct policy *p;
	json_error_t jerr;
	json_t *root;
	int r;

	p = calloc(1, sizeof(*p));
	if (!p) {
		free(text);
		return policy_fail_errno(&ctx, ENOMEM, "out of memory");
	}
	p->text = text;
	p->text_len = len;
	p->file = strdup(file);
	if (!p->file) {
		r = policy_fail_errno(&ctx, ENOMEM, "out of memory");
		goto out_free_policy;
	}
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		r = syntax_error(&ctx, &jerr);
		goto out_free_policy;
	}
	r = policy_build(&ctx, root, p);
	json_decref(root);
	if (r < 0)
		goto out_free_policy;
	*ret = p;
	return 0;

out_free_policy:
	policy_free(p);
	return r;
}

int policy_load_buffer(const char *file, const char *buf, size_t len, struct policy **ret,
		       struct policy_error *err)
{
	struct policy_ctx ctx = { .file = file ? file : "<buffer>", .err = err };
	char *text;

	if (!buf && len)
		return policy_fail_errno(&ctx, EINVAL, "no policy text");
	if (len > POLICY_MAX_FILE_BYTES)
		return policy_fail_errno(&ctx, EFBIG, "policy is %zu bytes, limit %u", len,
					 POLICY_MAX_FILE_BYTES);
	text = malloc(len + 1);
	if (!text)
		return policy_fail_errno(&ctx, ENOMEM, "out of memory");
	if (len)
		memcpy(text, buf, len);
	text[len] = '\0';
	return load_owned(ctx.file, text, len, ret, err);
}

/* Read at most POLICY_MAX_FILE_BYTES + 1 bytes: a pipe has no size to check. */
static int read_bounded(int fd, char **ret_text, size_t *ret_len)
{
	size_t cap = 64 << 10, len = 0;
	char *text = malloc(cap + 1), *grown;
	ssize_t n;

	if (!text)
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			if (cap > POLICY_MAX_FILE_BYTES)
				break;
			cap *= 2;
			grown = realloc(text, cap + 1);
			if (!grown) {
				free(text);
				return -ENOMEM;
			}
			text = grown;
		}
		n = read(fd, text + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			free(text);
			return (int)n;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	text[len] = '\0';
	*ret_text = text;
	*ret_len = len;
	return 0;
}

int policy_load_file(const char *path, struct policy **ret, struct policy_error *err)
{
	struct policy_ctx ctx = { .file = path, .err = err };
	char *text = NULL;
	size_t len = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		return policy_fail_errno(&ctx, r, "cannot open: %s", strerror(-r));
	}
	r = read_bounded(fd, &text, &len);
	close(fd);
	if (r < 0)
		return policy_fail_errno(&ctx, r, "cannot read: %s", strerror(-r));
	if (len > POLICY_MAX_FILE_BYTES) {
		free(text);
		return policy_fail_errno(&ctx, EFBIG, "policy is larger than %u bytes",
					 POLICY_MAX_FILE_BYTES);
	}
	return load_owned(path, text, len, ret, err);
}
