/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Content protection for one tenant: the scanner pipeline as the product
 * runs it.
 *
 *   protect_base_new() once per process: the built-in rules in one engine.
 *   protect_new()     once per tenant and policy: the tenant's custom rules
 *                     in an engine of their own, its content policy and its
 *                     tokenization key, on top of a base.  Immutable, shared
 *                     by every thread and request.
 *   protect_req_new() once per HTTP exchange: the vault that maps this
 *                     request's placeholders back to values (kept until the
 *                     response is restored) and a scan scratch (per thread;
 *                     the caller may lend its own).
 *   protect_text()    one text: both engines + PROMPT_INJECTION, EMAIL_CONTENT
 *                     and EXFILTRATION analyzers, findings below the tenant's
 *                     minConfidence dropped, each finding's action decided
 *                     by the tenant's content policy, the text transformed.
 *   protect_body()    an OpenAI / Azure OpenAI request body (body.h), the
 *                     endpoint path picking the API shape.
 *   protect_response_body(), protect_sse_new()
 *                     the response: markdown/HTML images and links to hosts
 *                     outside the tenant's allowlist are EXFILTRATION
 *                     (non-streamed bodies), and placeholders are restored.
 *
 * Tokenization key: HMAC-SHA-256 key = HKDF-SHA-256(node secret, no salt,
 * info = "airlock tokenize v1" || tenant name), 32 bytes.  The node secret is
 * 32 random bytes in a file (PROTECT_KEY_FILE_DEFAULT, created 0600 when
 * missing): placeholders are stable for a tenant on a node (on every node
 * that shares the file) and cannot be linked across tenants.
 *
 * Functions return 0 or a negative errno and leave their outputs untouched
 * on failure.
 */
#ifndef AIRLOCK_SCAN_PROTECT_H
#define AIRLOCK_SCAN_PROTECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "body.h"
#include "engine.h"
#include "policy.h"
#include "scan.h"
#include "sse.h"
#include "vault.h"

#define PROTECT_KEY_FILE_DEFAULT "/var/lib/airlock/tokenize.key"
#define PROTECT_NODE_SECRET_LEN  32
#define PROTECT_KEY_LEN          32
#define PROTECT_KEY_INFO         "airlock tokenize v1"
/* Rule id (finding detail) of a policy's custom rule: the prefix and the rule
 * name.  No built-in id has a ':', so no policy can clash with a future one. */
#define PROTECT_CUSTOM_PREFIX    "custom:"

/*
 * The node secret in path: exactly PROTECT_NODE_SECRET_LEN bytes.  When the
 * file does not exist and create is set, it is made (0600, and its
 * directory 0700 when that is missing) with RAND_bytes, atomically: two
 * processes starting together end up with the same secret.  -EINVAL for a
 * file of another size, -EIO when the random generator fails.
 */
int protect_node_secret_load(const char *path, bool create,
			     uint8_t ret[PROTECT_NODE_SECRET_LEN]);

/* HKDF-SHA-256(secret, info = PROTECT_KEY_INFO || tenant) into ret.  tenant NULL is "". */
int protect_tenant_key(const uint8_t *secret, size_t secret_len, const char *tenant,
		       uint8_t ret[PROTECT_KEY_LEN]);

/*
 * The built-in detectors, compiled once and shared by every tenant (they do
 * not depend on the policy; compiling them takes seconds, a tenant's own
 * rules milliseconds).  Immutable; must outlive the protects built on it.
 * max_input: bytes per text, 0: SCAN_INPUT_MAX_DEFAULT.
 */
struct protect_base;
struct protect_error;

int protect_base_new(size_t max_input, struct protect_base **ret, struct protect_error *err);
struct protect_base *protect_base_free(struct protect_base *b);

struct protect_opts {
	const uint8_t *node_secret;       /* PROTECT_NODE_SECRET_LEN bytes (required) */
	size_t node_secret_len;
	const struct protect_base *base;  /* shared built-ins; NULL: protect_new() builds its own */
	size_t max_input;                 /* without base: bytes per text; 0: SCAN_INPUT_MAX_DEFAULT */
	size_t max_body;                  /* bytes per body; 0: BODY_MAX_BYTES */
	struct vault_limits vault;        /* per request; zeroes: defaults */
};

/* Why protect_new() failed: the rule and the engine's message. */
struct protect_error {
	char rule[SCAN_DETAIL_LEN];
	char message[256];
};

struct protect;
struct protect_req;

/*
 * t NULL: no tenant, the built-in content defaults and the key of tenant "".
 * A tenant without "content" gets the defaults too.  protect keeps copies
 * of what it needs: the policy may be freed afterwards.
 */
int protect_new(const struct policy_tenant *t, const struct protect_opts *o,
		struct protect **ret, struct protect_error *err);
struct protect *protect_free(struct protect *p);

/* The tenant's key (PROTECT_KEY_LEN bytes) and name ("" for none). */
const uint8_t *protect_key(const struct protect *p);
const char *protect_tenant(const struct protect *p);
size_t protect_rule_count(const struct protect *p);

/* A scan scratch for p's engine (one per thread; it grows to serve other tenants too). */
int protect_scratch_new(const struct protect *p, struct scan_scratch **ret);

/*
 * scratch: a scan scratch this thread owns (grown to fit p's engine), kept by
 * the caller and not used by another request at the same time; NULL: the
 * request makes its own.
 */
int protect_req_new(const struct protect *p, struct scan_scratch *scratch,
		    struct protect_req **ret);
struct protect_req *protect_req_free(struct protect_req *r);
/* This request's placeholders, for restoring the response. */
const struct vault *protect_req_vault(const struct protect_req *r);

enum protect_dir {
	PROTECT_REQUEST = 0,              /* prompt going to the model: every detector */
	PROTECT_RESPONSE,                 /* completion coming back: EXFILTRATION (images, links) */
};

/*
 * The findings of one engine never overlap each other, but a custom rule's
 * may overlap a built-in one, and an analyzer's may cover either (an e-mail
 * address inside an EMAIL_CONTENT block); all are reported, and transform.c
 * merges overlapping rewrites, the stronger action winning.
 */
struct protect_result {
	struct scan_finding *findings;    /* sorted by start; offsets into the input; action set */
	size_t n;
	char *text;                       /* the rewritten text (NUL-terminated); NULL when blocked */
	size_t len;
	bool blocked;
	size_t block;                     /* when blocked: the finding that blocked */
	size_t rewritten;                 /* spans replaced */
};

/*
 * Scan, decide and transform text[0..len).  -E2BIG when the text is over the
 * limit or has too many candidates (fail closed: refuse the request), vault
 * errors (-E2BIG full, -EEXIST tag collision), -ENOMEM.
 */
int protect_text(struct protect_req *r, enum protect_dir dir, const char *text, size_t len,
		 struct protect_result *ret);
void protect_result_fini(struct protect_result *res);

/* Findings only, actions decided, nothing rewritten (the vault is not touched). */
int protect_scan(struct protect_req *r, enum protect_dir dir, const char *text, size_t len,
		 struct scan_result *out);

/*
 * A request body for the endpoint at path (query string allowed; NULL: an
 * unknown endpoint, every string scanned).  See body_rewrite_request().
 */
int protect_body(struct protect_req *r, const char *path, const char *json, size_t len,
		 struct body_error *err, struct body_result *ret);

/*
 * A non-streamed response body: placeholders restored, then every string
 * value checked for exfiltration and rewritten (or the response blocked)
 * as the policy says.  ret->body NULL with ret->blocked false: forward the
 * original bytes.
 */
int protect_response_body(struct protect_req *r, const char *json, size_t len,
			  struct body_error *err, struct body_result *ret);

/* A streamed response: placeholders restored on the fly (sse.h).  NULL on ENOMEM. */
struct sse_restorer *protect_sse_new(const struct protect_req *r);

/*
 * The OpenAI-shaped error a blocked exchange is answered with, as compact
 * JSON (malloc'ed; NULL without memory).  It names the type, the rule and
 * the body path (path may be NULL), never the value:
 *   {"error":{"message":"...","type":"invalid_request_error","param":null,
 *             "code":"content_blocked"}}
 */
char *protect_block_message(enum protect_dir dir, const struct scan_finding *f, const char *path);

#endif /* AIRLOCK_SCAN_PROTECT_H */
