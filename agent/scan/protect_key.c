// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Tokenization keys: the node secret file and the per-tenant key derived
 * from it (protect.h).  One random secret per node, created on first use;
 * each tenant's key is HKDF-SHA-256 of it with the tenant's name in the
 * info, so a placeholder depends on the tenant and no tenant's key reveals
 * another's.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "protect.h"

static int read_all(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EINVAL;
		got += (size_t)n;
	}
	return 0;
}

static int write_all(int fd, const uint8_t *buf, size_t len)
{
	size_t put = 0;

	while (put < len) {
		ssize_t n = write(fd, buf + put, len - put);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		put += (size_t)n;
	}
	return 0;
}

/* Symlinks are followed: Kubernetes mounts secrets through them. */
static int read_secret(const char *path, uint8_t buf[PROTECT_NODE_SECRET_LEN])
{
	struct stat st;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode) || st.st_size != PROTECT_NODE_SECRET_LEN)
		r = -EINVAL;
	else
		r = read_all(fd, buf, PROTECT_NODE_SECRET_LEN);
	close(fd);
	return r;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/*
 * Write a fresh secret to a temporary file and link() it into place: the
 * file appears whole or not at all, and when another process got there
 * first (EEXIST) its secret is the one both use.
 */
static int create_secret(const char *path, uint8_t buf[PROTECT_NODE_SECRET_LEN])
{
	char dir[PATH_MAX], tmp[PATH_MAX + 8], *slash;
	int fd, r;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir) ||
	    snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	if (RAND_bytes(buf, PROTECT_NODE_SECRET_LEN) != 1)
		r = -EIO;
	else if (fchmod(fd, 0600) < 0)
		r = -errno;
	else
		r = write_all(fd, buf, PROTECT_NODE_SECRET_LEN);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (r == 0 && link(tmp, path) < 0)
		r = errno == EEXIST ? read_secret(path, buf) : -errno;
	(void)unlink(tmp);
	if (r == 0)
		sync_dir(dir);
	return r;
}

int protect_node_secret_load(const char *path, bool create, uint8_t ret[PROTECT_NODE_SECRET_LEN])
{
	uint8_t buf[PROTECT_NODE_SECRET_LEN];
	int r;

	if (!path || !path[0])
		return -EINVAL;
	r = read_secret(path, buf);
	if (r == -ENOENT && create)
		r = create_secret(path, buf);
	if (r == 0)
		memcpy(ret, buf, sizeof(buf));
	OPENSSL_cleanse(buf, sizeof(buf));
	return r;
}

int protect_tenant_key(const uint8_t *secret, size_t secret_len, const char *tenant,
		       uint8_t ret[PROTECT_KEY_LEN])
{
	size_t tlen = tenant ? strlen(tenant) : 0, plen = strlen(PROTECT_KEY_INFO);
	uint8_t out[PROTECT_KEY_LEN];
	OSSL_PARAM params[4];
	EVP_KDF_CTX *kctx = NULL;
	EVP_KDF *kdf;
	char *info;
	int r = 0;

	if (!secret || secret_len < 16 || tlen > 4096)
		return -EINVAL;
	info = malloc(plen + tlen + 1);
	if (!info)
		return -ENOMEM;
	memcpy(info, PROTECT_KEY_INFO, plen);
	if (tlen)
		memcpy(info + plen, tenant, tlen);
	kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_HKDF, NULL);
	if (kdf)
		kctx = EVP_KDF_CTX_new(kdf);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret,
						      secret_len);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, plen + tlen);
	params[3] = OSSL_PARAM_construct_end();
	if (!kctx || EVP_KDF_derive(kctx, out, sizeof(out), params) != 1)
		r = -EIO;
	else
		memcpy(ret, out, sizeof(out));
	OPENSSL_cleanse(out, sizeof(out));
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	free(info);
	return r;
}
