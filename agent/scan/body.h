/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Structure-aware rewriting of OpenAI / Azure OpenAI JSON bodies.
 *
 * Requests: one pass over the bytes checks the body (strict JSON as jansson
 * reads it: object or array at the top, UTF-8, no lone surrogates, integers
 * within 64 bits, no duplicate keys, since upstream parsers disagree on which
 * duplicate wins; bounded size and depth) and records where each value is.
 * Each string value to protect is scanned (JSON escapes such as \u0040 and
 * surrogate pairs decoded first; without escapes, in place), the findings get
 * their action from the policy and the transforms rewrite the string.  The
 * result is the original bytes with each rewritten string replaced by its
 * new value re-encoded as a JSON string (quotes, backslashes and control
 * characters escaped, the rest UTF-8); everything else, layout included, is
 * kept, and a body with nothing rewritten is not copied at all.  Object keys
 * are not scanned.
 *
 * What is scanned:
 *  - unknown endpoints (BODY_API_GENERIC): every string value;
 *  - known endpoints: every string value too (a field list would be a bypass:
 *    tools[].function.description, user, metadata...) except
 *      identifiers and enumerations the API interprets (model, role, type, id,
 *      tool_call_id, call_id, status, detail, format...), function names
 *      (name beside arguments/parameters or under "function"), which rewriting
 *      would break;
 *      binary payloads (image_url.url and input_image.image_url when a data:
 *      URL, input_audio.data, file_data): not text; opts->binary decides
 *      (allow, flag or block), http(s) image URLs are scanned as text;
 *    and with these shapes:
 *      chat  messages[].content string or parts (text), tool_calls[].function
 *            .arguments: a JSON document inside a string, decoded, its string
 *            values scanned and rewritten in it as above, the new document
 *            re-encoded as the string (scanned as plain text when it does not
 *            parse); assistant and tool messages alike;
 *      responses  input (string or items: content string or input_text parts,
 *            function_call.arguments as above, function_call_output.output),
 *            instructions;
 *      embeddings  input string or strings; completions  prompt string or
 *            strings.  Token-id arrays (int[] or int[][]) cannot be scanned:
 *            opts->token_arrays decides (allow, flag or block).
 * Unscannable parts that are flagged or blocked are reported as findings of
 * type TOKEN_IDS or BINARY_DATA.
 *
 * Responses: placeholders found in the vault are restored in every string
 * value (choices[].message.content, output[].content[].text, ...); arguments
 * strings are decoded and restored as JSON so that a value holding a quote
 * keeps them valid JSON.
 */
#ifndef AIRLOCK_SCAN_BODY_H
#define AIRLOCK_SCAN_BODY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "scan.h"
#include "transform.h"
#include "vault.h"

#define BODY_MAX_BYTES    (8u << 20)   /* default request body limit */
#define BODY_RESTORE_MAX_BYTES (16u << 20) /* non-streamed response limit */
#define BODY_MAX_DEPTH    64           /* default nesting limit, nested arguments included */
#define BODY_MAX_FINDINGS 4096         /* default findings per body */
#define BODY_PATH_MAX     512          /* a reported path is cut here */
#define BODY_ERROR_LEN    160

enum body_api {
	BODY_API_GENERIC = 0,   /* unknown endpoint: every string value */
	BODY_API_CHAT,          /* .../chat/completions */
	BODY_API_RESPONSES,     /* .../responses */
	BODY_API_EMBEDDINGS,    /* .../embeddings */
	BODY_API_COMPLETIONS,   /* .../completions (legacy) */
};

/* Findings of text[0..len) appended to out; 0 or a negative errno. */
typedef int (*body_scan_fn)(void *ctx, const char *text, size_t len, struct scan_result *out);
/*
 * Optional, preferred over scan when set: the findings of n texts at once,
 * text i's in out->v[first[i] .. first[i + 1]) (first: n + 1 entries), as n
 * scan calls would give them.  The body is then walked twice: once to
 * collect every string to scan, once to apply the findings.
 */
typedef int (*body_scan_batch_fn)(void *ctx, const struct scan_part *texts, size_t n,
				  struct scan_result *out, size_t *first);
/* The policy: sets f->action.  NULL keeps the action the scanner set. */
typedef void (*body_decide_fn)(void *ctx, struct scan_finding *f);

struct body_opts {
	enum body_api api;
	body_scan_fn scan;
	body_scan_batch_fn scan_batch;   /* NULL: scan, string by string */
	void *scan_ctx;
	body_decide_fn decide;
	void *decide_ctx;
	struct transform_ctx xform;      /* tenant key and this request's vault */
	enum scan_action token_arrays;   /* token-id inputs: ALLOW, FLAG or BLOCK */
	enum scan_action binary;         /* data: URLs, audio, file data: ALLOW, FLAG or BLOCK */
	size_t max_bytes;                /* 0: BODY_MAX_BYTES */
	unsigned max_depth;              /* 0: BODY_MAX_DEPTH */
	size_t max_findings;             /* 0: BODY_MAX_FINDINGS */
};

struct body_finding {
	struct scan_finding f;           /* offsets into the decoded string at path */
	char *path;                      /* "messages[1].content", "input[0].content[2].text" */
};

struct body_result {
	char *body;                      /* rewritten JSON (NUL-terminated); NULL: forward the original bytes */
	size_t len;
	bool blocked;                    /* refuse the request; body is NULL */
	size_t block;                    /* when blocked: index of the finding that blocked */
	struct body_finding *findings;   /* one allocation, the paths included */
	size_t n_findings;
	size_t rewritten;                /* spans rewritten */
};

struct body_error {
	int line;                        /* of the JSON error, 0 when not a syntax error */
	int column;
	char text[BODY_ERROR_LEN];
};

/*
 * Findings with their paths, gathered for a struct body_result (the request
 * walk here and protect.c's response walk).  Zero-initialise; max 0:
 * BODY_MAX_FINDINGS; arena set: gathered in that arena.  -E2BIG beyond max,
 * -ENOMEM.
 */
struct body_findings {
	struct body_finding *v;          /* path NULL until body_result_take() */
	size_t n, cap;
	size_t max;
	bool blocked;                    /* a finding's action is block */
	size_t block;                    /* the first such */
	struct vault_buf paths;          /* v[i]'s path is the i-th NUL-terminated string */
	struct vault_arena *arena;
};

int body_findings_add(struct body_findings *fs, const char *path, size_t path_len,
		      const struct scan_finding *f);
/* Frees what fs gathered; max and arena stay. */
void body_findings_fini(struct body_findings *fs);
/*
 * fs's findings into res as one allocation (findings and paths, freed by
 * body_result_fini()), fs emptied; a blocked result rewrote nothing.
 * -ENOMEM with res untouched.
 */
int body_result_take(struct body_result *res, struct body_findings *fs, size_t rewritten);

/*
 * Reported paths: ".key" (just "key" first), ["key"] when not an identifier
 * (JSON-escaped), "[i]".  Best effort: a path that cannot grow stays as it
 * was.  Each push returns the length to pop back to.
 */
size_t body_path_push_key(struct vault_buf *p, const char *key, size_t len);
size_t body_path_push_index(struct vault_buf *p, size_t i);
void body_path_pop(struct vault_buf *p, size_t old);

/* The API a request path (query string allowed) is for; Azure paths included. */
enum body_api body_api_from_path(const char *path);

/*
 * 0 with *ret filled; on failure a negative errno, *ret untouched and the
 * reason in *err (may be NULL): -EINVAL invalid JSON (or duplicate keys, or
 * not an object or array), -EMSGSIZE too large or too deep, -E2BIG too many
 * findings or vault full, -EEXIST tag collision, errors of the scan callback.
 */
int body_rewrite_request(const struct body_opts *o, const char *json, size_t len,
			 struct body_error *err, struct body_result *ret);
void body_result_fini(struct body_result *r);

/*
 * Restore the vault's placeholders in a non-streamed response.  Returns the
 * number restored with the new JSON in *ret_json (NULL when 0: forward the
 * original), or -EINVAL / -EMSGSIZE / -ENOMEM with *ret_json untouched.
 */
int body_restore_response(const char *json, size_t len, const struct vault *v,
			  struct body_error *err, char **ret_json, size_t *ret_len);

/* In place on a parsed value (SSE events); returns the number restored. */
int body_restore_json(json_t *root, const struct vault *v);

#endif /* AIRLOCK_SCAN_BODY_H */
