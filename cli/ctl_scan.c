/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * airlockctl scan [--policy FILE [--tenant NAME]] [--key-file FILE | --ephemeral-key]
 *                 [--response] [--json | --jsonl | --body [--path PATH]]
 * airlockctl scan --edm-hash SALT [--normalize none|lowercase|digits] [--json]
 *
 * Standard input through the tenant's content pipeline (agent/scan/protect.h)
 * without a daemon: what a policy author checks a rule with, and what CI
 * runs a corpus through.  Exit 0 ok, 1 error, 2 usage, 3 blocked.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ctl_scan.h"
#include "normalize.h"
#include "policy.h"
#include "protect.h"
#include "rules.h"

#define JSON_OUT (JSON_COMPACT | JSON_PRESERVE_ORDER)
#define LINE_MAX_BYTES (BODY_MAX_BYTES)   /* one --jsonl line */

struct args {
	const char *policy;
	const char *tenant;
	const char *key_file;
	const char *path;
	const char *edm_salt;
	const char *normalize;
	int json;
	int jsonl;
	int body;
	int response;
	int ephemeral;
};

struct session {
	struct policy *pol;
	struct protect *p;
	struct scan_scratch *scratch;
	enum protect_dir dir;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: airlockctl scan [--policy FILE [--tenant NAME]] [--key-file FILE | --ephemeral-key]\n"
		"                       [--response] [--json | --jsonl | --body [--path PATH]]\n"
		"       airlockctl scan --edm-hash SALT [--normalize none|lowercase|digits] [--json]\n"
		"\n"
		"Reads standard input and runs it through the tenant's content pipeline.\n"
		"\n"
		"  (default)        the text: a findings table, then the rewritten text\n"
		"  --json           the same as one JSON object: {\"findings\":[...],\"output\":...}\n"
		"  --jsonl          one {\"text\": \"...\"} object per line in, one result per line out\n"
		"  --body           an HTTP JSON body: prints the body that would be forwarded, or the\n"
		"                   OpenAI-shaped error when it is refused; findings on stderr\n"
		"  --path PATH      the endpoint (picks the API shape), e.g.\n"
		"                   /openai/deployments/x/chat/completions; default: every string\n"
		"  --response       model output instead of a prompt: exfiltration checks (images and\n"
		"                   links to hosts outside exfiltration.allowedHosts)\n"
		"  --policy FILE    the policy; --tenant picks the tenant (needed when FILE has several)\n"
		"                   without --policy: the built-in defaults (--tenant still names the key)\n"
		"  --key-file FILE  the node secret (default " PROTECT_KEY_FILE_DEFAULT ",\n"
		"                   created when missing); --ephemeral-key: a random one for this run\n"
		"  --edm-hash SALT  print SHA-256(salt || value) of each input line, for exactData\n"
		"\n"
		"Exit status: 0 ok, 1 error, 2 usage, 3 blocked (with --jsonl: some line was).\n");
}

/* 0, 1 for help, -1 for a usage error (reported). */
static int parse_args(int argc, char **argv, struct args *ret)
{
	struct args a = { .key_file = PROTECT_KEY_FILE_DEFAULT };
	int i;

	for (i = 1; i < argc; i++) {
		const char *s = argv[i];
		const char **val = NULL;

		if (!strcmp(s, "-h") || !strcmp(s, "--help"))
			return 1;
		else if (!strcmp(s, "--json"))
			a.json = 1;
		else if (!strcmp(s, "--jsonl"))
			a.jsonl = 1;
		else if (!strcmp(s, "--body"))
			a.body = 1;
		else if (!strcmp(s, "--response"))
			a.response = 1;
		else if (!strcmp(s, "--ephemeral-key"))
			a.ephemeral = 1;
		else if (!strcmp(s, "--policy"))
			val = &a.policy;
		else if (!strcmp(s, "--tenant"))
			val = &a.tenant;
		else if (!strcmp(s, "--key-file"))
			val = &a.key_file;
		else if (!strcmp(s, "--path"))
			val = &a.path;
		else if (!strcmp(s, "--edm-hash"))
			val = &a.edm_salt;
		else if (!strcmp(s, "--normalize"))
			val = &a.normalize;
		else {
			fprintf(stderr, "airlockctl scan: unknown argument %s\n", s);
			return -1;
		}
		if (val) {
			if (i + 1 >= argc) {
				fprintf(stderr, "airlockctl scan: %s needs a value\n", s);
				return -1;
			}
			*val = argv[++i];
		}
	}
	if (a.jsonl && a.body) {
		fprintf(stderr, "airlockctl scan: --jsonl and --body do not go together\n");
		return -1;
	}
	if (a.path && !a.body) {
		fprintf(stderr, "airlockctl scan: --path needs --body\n");
		return -1;
	}
	if (a.normalize && !a.edm_salt) {
		fprintf(stderr, "airlockctl scan: --normalize needs --edm-hash\n");
		return -1;
	}
	*ret = a;
	return 0;
}

/* --- input ------------------------------------------------------------------------ */

/* All of stdin, at most max bytes (-EFBIG beyond), NUL-terminated. */
static int read_stdin(size_t max, char **ret, size_t *ret_len)
{
	size_t cap = 64 << 10, len = 0, n;
	char *buf = malloc(cap + 1), *grown;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			if (cap > max)
				break;
			cap *= 2;
			grown = realloc(buf, cap + 1);
			if (!grown) {
				free(buf);
				return -ENOMEM;
			}
			buf = grown;
		}
		n = fread(buf + len, 1, cap - len, stdin);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(stdin)) {
		free(buf);
		return -EIO;
	}
	if (len > max) {
		free(buf);
		return -EFBIG;
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
}

/* --- JSON out --------------------------------------------------------------------- */

/* A JSON string of any bytes: invalid UTF-8 becomes U+FFFD. */
static json_t *json_bytes(const char *s, size_t n)
{
	json_t *j = json_stringn(s, n);
	size_t i = 0, o = 0;
	char *copy;

	if (j)
		return j;
	copy = malloc(n * 3 + 1);
	if (!copy)
		return NULL;
	while (i < n) {
		uint32_t cp;
		size_t k = (unsigned char)s[i] < 0x80
				   ? 1
				   : scan_utf8_decode((const unsigned char *)s + i, n - i, &cp);

		if (k == 0) {
			memcpy(copy + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(copy + o, s + i, k);
		o += k;
		i += k;
	}
	j = json_stringn(copy, o);
	free(copy);
	return j;
}

/* {"type","value","start","end","confidence","action"}: the documented keys, nothing else. */
static json_t *finding_json(const struct scan_finding *f, const char *text)
{
	return json_pack("{s:s, s:o, s:I, s:I, s:s, s:s}", "type", f->type, "value",
			 json_bytes(text + f->start, f->end - f->start), "start", (json_int_t)f->start,
			 "end", (json_int_t)f->end, "confidence", scan_confidence_name(f->confidence),
			 "action", scan_action_name(f->action));
}

static json_t *result_json(const struct protect_result *res, const char *text)
{
	json_t *arr = json_array(), *o;
	size_t i;

	for (i = 0; arr && i < res->n; i++)
		if (json_array_append_new(arr, finding_json(&res->findings[i], text)))
			arr = (json_decref(arr), NULL);
	o = json_pack("{s:o, s:o}", "findings", arr, "output",
		      res->blocked ? json_null() : json_bytes(res->text, res->len));
	if (o && res->blocked &&
	    (json_object_set_new(o, "blocked", json_true()) ||
	     json_object_set_new(o, "block", finding_json(&res->findings[res->block], text))))
		o = (json_decref(o), NULL);
	return o;
}

static int print_json(json_t *j)
{
	int r;

	if (!j) {
		fprintf(stderr, "airlockctl scan: out of memory\n");
		return CTL_SCAN_ERROR;
	}
	r = json_dumpf(j, stdout, JSON_OUT);
	json_decref(j);
	if (r < 0 || fputc('\n', stdout) == EOF)
		return CTL_SCAN_ERROR;
	return CTL_SCAN_OK;
}

/* --- human out -------------------------------------------------------------------- */

/* At most 60 bytes of the value, control characters escaped. */
static void print_value(FILE *f, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < 60; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	if (n > 60)
		fputs("...", f);
}

static void print_table(const struct protect_result *res, const char *text)
{
	size_t i;

	if (!res->n) {
		printf("no findings\n");
		return;
	}
	printf("%-20s %7s %7s  %-10s  %-8s  %-28s  %s\n", "TYPE", "START", "END", "CONFIDENCE",
	       "ACTION", "RULE", "VALUE");
	for (i = 0; i < res->n; i++) {
		const struct scan_finding *f = &res->findings[i];

		printf("%-20s %7zu %7zu  %-10s  %-8s  %-28s  ", f->type, f->start, f->end,
		       scan_confidence_name(f->confidence), scan_action_name(f->action), f->detail);
		print_value(stdout, text + f->start, f->end - f->start);
		putchar('\n');
	}
}

static int print_text_result(const struct protect_result *res, const char *text)
{
	const struct scan_finding *b;

	print_table(res, text);
	putchar('\n');
	if (res->blocked) {
		b = &res->findings[res->block];
		printf("blocked: %s (%s) at bytes %zu-%zu\n", b->type, b->detail, b->start, b->end);
		return CTL_SCAN_BLOCKED;
	}
	fwrite(res->text, 1, res->len, stdout);
	if (!res->len || res->text[res->len - 1] != '\n')
		putchar('\n');
	return CTL_SCAN_OK;
}

/* Scanner errors as a policy author reads them. */
static const char *scan_error(int err)
{
	if (err == -E2BIG)
		return "over the scanner's limits (input size, candidates or findings); the proxy "
		       "refuses such content";
	if (err == -EEXIST)
		return "placeholder collision in the vault";
	return strerror(-err);
}

/* --- setup -------------------------------------------------------------------------- */

static const struct policy_tenant *pick_tenant(const struct args *a, const struct policy *pol)
{
	size_t i;

	if (!a->tenant && pol->n_tenants == 1)
		return &pol->tenants[0];
	if (!a->tenant) {
		fprintf(stderr, "airlockctl scan: %s has %zu tenants, name one with --tenant:",
			a->policy, pol->n_tenants);
		for (i = 0; i < pol->n_tenants; i++)
			fprintf(stderr, " %s", pol->tenants[i].name);
		fputc('\n', stderr);
		return NULL;
	}
	for (i = 0; i < pol->n_tenants; i++)
		if (!strcmp(pol->tenants[i].name, a->tenant))
			return &pol->tenants[i];
	fprintf(stderr, "airlockctl scan: %s has no tenant \"%s\"\n", a->policy, a->tenant);
	return NULL;
}

static int load_secret(const struct args *a, uint8_t secret[PROTECT_NODE_SECRET_LEN])
{
	int r;

	if (a->ephemeral)
		return RAND_bytes(secret, PROTECT_NODE_SECRET_LEN) == 1 ? 0 : -EIO;
	r = protect_node_secret_load(a->key_file, true, secret);
	if (r < 0)
		fprintf(stderr, "airlockctl scan: tokenization key %s: %s%s\n", a->key_file,
			r == -EINVAL ? "not a 32-byte key file" : strerror(-r),
			" (use --key-file FILE or --ephemeral-key)");
	return r;
}

static int setup(const struct args *a, struct session *s)
{
	struct policy_tenant none = { .name = (char *)(a->tenant ? a->tenant : "") };
	const struct policy_tenant *t = &none;
	uint8_t secret[PROTECT_NODE_SECRET_LEN];
	struct protect_opts o = { 0 };
	struct protect_error perr = { 0 };
	struct policy_error err;
	char line[1400];
	int r;

	s->dir = a->response ? PROTECT_RESPONSE : PROTECT_REQUEST;
	if (a->policy) {
		if (!strcmp(a->policy, "-")) {
			fprintf(stderr, "airlockctl scan: standard input is the text; give the "
					"policy as a file\n");
			return CTL_SCAN_USAGE;
		}
		if (policy_load_file(a->policy, &s->pol, &err) < 0) {
			policy_error_format(&err, line, sizeof(line));
			fprintf(stderr, "%s\n", line);
			return CTL_SCAN_ERROR;
		}
		t = pick_tenant(a, s->pol);
		if (!t)
			return a->tenant ? CTL_SCAN_ERROR : CTL_SCAN_USAGE;
	}
	if (load_secret(a, secret) < 0)
		return CTL_SCAN_ERROR;
	o.node_secret = secret;
	o.node_secret_len = sizeof(secret);
	r = protect_new(t, &o, &s->p, &perr);
	OPENSSL_cleanse(secret, sizeof(secret));
	if (r < 0) {
		fprintf(stderr, "airlockctl scan: tenant \"%s\"%s%s: %s\n", t->name,
			perr.rule[0] ? ", rule " : "", perr.rule, perr.message[0] ? perr.message
										  : strerror(-r));
		return CTL_SCAN_ERROR;
	}
	r = protect_scratch_new(s->p, &s->scratch);
	if (r < 0) {
		fprintf(stderr, "airlockctl scan: %s\n", strerror(-r));
		return CTL_SCAN_ERROR;
	}
	return 0;
}

static void session_fini(struct session *s)
{
	scan_scratch_free(s->scratch);
	protect_free(s->p);
	policy_free(s->pol);
}

/* One text through a fresh request (its own vault). */
static int run_text(struct session *s, const char *text, size_t len, struct protect_result *res)
{
	struct protect_req *r = NULL;
	int err;

	err = protect_req_new(s->p, s->scratch, &r);
	if (!err)
		err = protect_text(r, s->dir, text, len, res);
	protect_req_free(r);
	return err;
}

/* --- modes ---------------------------------------------------------------------------- */

static int cmd_text(const struct args *a, struct session *s)
{
	struct protect_result res = { 0 };
	size_t len;
	char *text;
	int r;

	r = read_stdin(SCAN_INPUT_MAX_DEFAULT, &text, &len);
	if (r < 0) {
		fprintf(stderr, "airlockctl scan: standard input: %s\n",
			r == -EFBIG ? "larger than the scanner's input limit" : strerror(-r));
		return CTL_SCAN_ERROR;
	}
	r = run_text(s, text, len, &res);
	if (r < 0) {
		fprintf(stderr, "airlockctl scan: %s\n", scan_error(r));
		free(text);
		return CTL_SCAN_ERROR;
	}
	if (a->json) {
		r = print_json(result_json(&res, text));
		if (r == CTL_SCAN_OK && res.blocked)
			r = CTL_SCAN_BLOCKED;
	} else {
		r = print_text_result(&res, text);
	}
	protect_result_fini(&res);
	free(text);
	return r;
}

static int line_error(size_t lineno, const char *fmt, const char *detail)
{
	char msg[512], full[600];

	snprintf(msg, sizeof(msg), fmt, detail);
	snprintf(full, sizeof(full), "line %zu: %s", lineno, msg);
	print_json(json_pack("{s:o}", "error", json_bytes(full, strlen(full))));
	return CTL_SCAN_ERROR;
}

/* One line: a result line or an error line.  CTL_SCAN_* of the line. */
static int jsonl_line(struct session *s, const char *line, size_t len, size_t lineno)
{
	struct protect_result res = { 0 };
	json_error_t je;
	json_t *j, *t;
	int r;

	j = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	if (!j)
		return line_error(lineno, "invalid JSON: %s", je.text);
	t = json_object_get(j, "text");
	if (!json_is_object(j) || !json_is_string(t)) {
		json_decref(j);
		return line_error(lineno, "%s", "expected {\"text\": \"...\"}");
	}
	r = run_text(s, json_string_value(t), json_string_length(t), &res);
	if (r < 0) {
		json_decref(j);
		return line_error(lineno, "%s", scan_error(r));
	}
	r = print_json(result_json(&res, json_string_value(t)));
	if (r == CTL_SCAN_OK && res.blocked)
		r = CTL_SCAN_BLOCKED;
	protect_result_fini(&res);
	json_decref(j);
	return r;
}

static int cmd_jsonl(struct session *s)
{
	size_t cap = 0, lineno = 0;
	int rc = CTL_SCAN_OK;
	char *line = NULL;
	ssize_t n;

	while ((n = getline(&line, &cap, stdin)) > 0) {
		size_t len = (size_t)n, i;
		int r;

		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
			;
		if (i == len)
			continue;       /* blank lines carry no case */
		if (len > LINE_MAX_BYTES)
			r = line_error(lineno, "%s", "line too long");
		else
			r = jsonl_line(s, line, len, lineno);
		if (r == CTL_SCAN_ERROR || (r == CTL_SCAN_BLOCKED && rc == CTL_SCAN_OK))
			rc = r;
		if (fflush(stdout) == EOF)
			rc = CTL_SCAN_ERROR;
	}
	free(line);
	if (ferror(stdin)) {
		fprintf(stderr, "airlockctl scan: reading standard input failed\n");
		rc = CTL_SCAN_ERROR;
	}
	return rc;
}

static json_t *body_finding_json(const struct body_finding *bf)
{
	const struct scan_finding *f = &bf->f;

	return json_pack("{s:o, s:s, s:s, s:I, s:I, s:s, s:s}", "path",
			 json_bytes(bf->path, strlen(bf->path)), "type", f->type, "rule", f->detail,
			 "start", (json_int_t)f->start, "end", (json_int_t)f->end, "confidence",
			 scan_confidence_name(f->confidence), "action", scan_action_name(f->action));
}

static void print_body_findings(const struct body_result *res)
{
	size_t i;

	for (i = 0; i < res->n_findings; i++) {
		const struct scan_finding *f = &res->findings[i].f;

		fprintf(stderr, "%s: %s %zu-%zu %s %s (%s)\n", res->findings[i].path, f->type,
			f->start, f->end, scan_confidence_name(f->confidence),
			scan_action_name(f->action), f->detail);
	}
}

/* --json: {"findings":[...],"body":<forwarded JSON>|null,"blocked":bool[,"error":{...}]} */
static int print_body_json(const struct body_result *res, const char *body, size_t len,
			   const char *block_msg)
{
	json_t *arr = json_array(), *o, *fwd = NULL;
	size_t i;

	for (i = 0; arr && i < res->n_findings; i++)
		if (json_array_append_new(arr, body_finding_json(&res->findings[i])))
			arr = (json_decref(arr), NULL);
	if (!res->blocked)
		fwd = res->body ? json_loadb(res->body, res->len, JSON_ALLOW_NUL, NULL)
				: json_loadb(body, len, JSON_ALLOW_NUL, NULL);
	o = json_pack("{s:o, s:o, s:b}", "findings", arr, "body", fwd ? fwd : json_null(),
		      "blocked", res->blocked);
	if (o && block_msg) {
		json_t *e = json_loads(block_msg, 0, NULL);

		if (!e || json_object_set_new(o, "error", json_object_get(e, "error") ?
							     json_incref(json_object_get(e, "error")) :
							     json_null()))
			o = (json_decref(o), NULL);
		json_decref(e);
	}
	return print_json(o);
}

static int cmd_body(const struct args *a, struct session *s)
{
	struct body_result res = { 0 };
	struct body_error berr = { 0 };
	struct protect_req *r = NULL;
	char *body, *msg = NULL;
	size_t len;
	int rc;

	rc = read_stdin(BODY_RESTORE_MAX_BYTES, &body, &len);
	if (rc < 0) {
		fprintf(stderr, "airlockctl scan: standard input: %s\n",
			rc == -EFBIG ? "larger than the body limit" : strerror(-rc));
		return CTL_SCAN_ERROR;
	}
	rc = protect_req_new(s->p, s->scratch, &r);
	if (!rc)
		rc = s->dir == PROTECT_RESPONSE ? protect_response_body(r, body, len, &berr, &res)
						: protect_body(r, a->path, body, len, &berr, &res);
	if (rc < 0) {
		if (berr.line > 0)
			fprintf(stderr, "airlockctl scan: body:%d:%d: %s\n", berr.line, berr.column,
				berr.text);
		else
			fprintf(stderr, "airlockctl scan: body: %s\n",
				berr.text[0] ? berr.text : scan_error(rc));
		rc = CTL_SCAN_ERROR;
		goto out_free;
	}
	if (res.blocked) {
		msg = protect_block_message(s->dir, &res.findings[res.block].f,
					    res.findings[res.block].path);
		if (!msg) {
			rc = CTL_SCAN_ERROR;
			goto out_free;
		}
	}
	if (a->json) {
		rc = print_body_json(&res, body, len, msg);
	} else {
		print_body_findings(&res);
		if (msg)
			printf("%s\n", msg);
		else if (res.body)
			printf("%.*s\n", (int)res.len, res.body);
		else if (fwrite(body, 1, len, stdout) == len && (!len || body[len - 1] != '\n'))
			putchar('\n');
		rc = CTL_SCAN_OK;
	}
	if (rc == CTL_SCAN_OK && res.blocked)
		rc = CTL_SCAN_BLOCKED;
out_free:
	free(msg);
	body_result_fini(&res);
	protect_req_free(r);
	free(body);
	return rc;
}

/* --- exact data hashes ------------------------------------------------------------ */

static int hex_decode(const char *s, uint8_t *out, size_t cap, size_t *ret_len)
{
	size_t n = strlen(s), i;

	if (n % 2 || n / 2 > cap)
		return -EINVAL;
	for (i = 0; i < n; i += 2) {
		unsigned int v;

		if (sscanf(s + i, "%2x", &v) != 1 || !strchr("0123456789abcdefABCDEF", s[i]) ||
		    !strchr("0123456789abcdefABCDEF", s[i + 1]))
			return -EINVAL;
		out[i / 2] = (uint8_t)v;
	}
	*ret_len = n / 2;
	return 0;
}

/* The value as the engine hashes it for the rule's "normalize". */
static size_t edm_normalize(const char *mode, char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (mode && !strcmp(mode, "digits")) {
			if (c >= '0' && c <= '9')
				s[o++] = c;
		} else if (mode && !strcmp(mode, "lowercase")) {
			s[o++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
		} else {
			s[o++] = c;
		}
	}
	return o;
}

static int cmd_edm_hash(const struct args *a)
{
	uint8_t salt[POLICY_CONTENT_SALT_MAX], h[SCAN_EDM_HASH_LEN];
	size_t salt_len, cap = 0, i;
	json_t *arr = a->json ? json_array() : NULL;
	char *line = NULL, hex[2 * SCAN_EDM_HASH_LEN + 1];
	int rc = CTL_SCAN_OK;
	ssize_t n;

	if (a->normalize && strcmp(a->normalize, "none") && strcmp(a->normalize, "lowercase") &&
	    strcmp(a->normalize, "digits")) {
		fprintf(stderr, "airlockctl scan: --normalize is none, lowercase or digits\n");
		return CTL_SCAN_USAGE;
	}
	if (hex_decode(a->edm_salt, salt, sizeof(salt), &salt_len) < 0 ||
	    salt_len < POLICY_CONTENT_SALT_MIN) {
		fprintf(stderr, "airlockctl scan: the salt is %d to %d bytes in hex\n",
			POLICY_CONTENT_SALT_MIN, POLICY_CONTENT_SALT_MAX);
		return CTL_SCAN_USAGE;
	}
	if (a->json && !arr)
		return CTL_SCAN_ERROR;
	while ((n = getline(&line, &cap, stdin)) > 0) {
		size_t len = (size_t)n;

		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (!len)
			continue;
		len = edm_normalize(a->normalize, line, len);
		if (scan_edm_hash(salt, salt_len, line, len, h) < 0) {
			rc = CTL_SCAN_ERROR;
			break;
		}
		for (i = 0; i < SCAN_EDM_HASH_LEN; i++)
			snprintf(hex + 2 * i, 3, "%02x", h[i]);
		if (arr)
			json_array_append_new(arr, json_string(hex));
		else
			printf("%s\n", hex);
	}
	if (line)
		OPENSSL_cleanse(line, cap);
	free(line);
	if (arr && rc == CTL_SCAN_OK)
		return print_json(arr);
	json_decref(arr);
	return rc;
}

int ctl_scan(int argc, char **argv)
{
	struct session s = { 0 };
	struct args a;
	int r;

	switch (parse_args(argc, argv, &a)) {
	case 0:
		break;
	case 1:
		usage(stdout);
		return CTL_SCAN_OK;
	default:
		usage(stderr);
		return CTL_SCAN_USAGE;
	}
	if (a.edm_salt)
		return cmd_edm_hash(&a);
	r = setup(&a, &s);
	if (r == 0) {
		if (a.jsonl)
			r = cmd_jsonl(&s);
		else if (a.body)
			r = cmd_body(&a, &s);
		else
			r = cmd_text(&a, &s);
	}
	session_fini(&s);
	if (fflush(stdout) == EOF && r == CTL_SCAN_OK)
		r = CTL_SCAN_ERROR;
	return r;
}
