/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Policy v1: parse (JSON via jansson) -> validate -> compile into the exact
 * entries of the datapath maps (include/airlock/abi.h).
 *
 * Every function returns 0 or a negative errno.  On failure *err says where
 * (file, line, column, key) and why, and no output is produced: a policy is
 * applied whole or not at all.
 */
#ifndef AIRLOCK_POLICY_H
#define AIRLOCK_POLICY_H

#include <jansson.h>
#include <linux/types.h>
#include <stddef.h>

#include "airlock/abi.h"

#define POLICY_MAX_FILE_BYTES   (16u << 20)  /* a larger file is refused */
#define POLICY_MAX_TENANTS      AIRLOCK_TENANT_MAX
#define POLICY_MAX_NAME         63           /* tenant and rule names */
#define POLICY_MAX_GLOB         1024         /* workload cgroup glob */
#define POLICY_MAX_EGRESS       65536        /* egress entries per tenant: rule_id is a __u16 */

struct policy_error {
	char file[256];
	int line;          /* 1-based; 0 when not known */
	int column;        /* 1-based; 0 when not known */
	char key[256];     /* JSON path of the offending value, e.g. tenants[0].egress[1].ports[0] */
	char reason[512];
};

/* An address prefix; IPv4 is held IPv4-mapped, prefixlen counted over 128. */
struct policy_cidr {
	__u8 addr[16];
	__u8 prefixlen;    /* 0..128; IPv4 /n is 96 + n */
	__u8 family;       /* AF_INET or AF_INET6, as written */
};

struct policy_port_range {
	__u16 lo;
	__u16 hi;
};

struct policy_egress {
	char *name;
	struct policy_cidr *to;
	size_t n_to;
	struct policy_port_range *ports;  /* none written: one range 0-65535; sorted and
					   * merged, at most AIRLOCK_MAX_RULES ranges */
	size_t n_ports;
	__u8 proto;                       /* IPPROTO_TCP, IPPROTO_UDP, AIRLOCK_PROTO_ANY */
};

struct policy_workload {
	char *cgroup;      /* glob, relative to the cgroup2 mount, starts with '/' */
};

/*
 * Content protection of one tenant: the tenant's "content" object
 * (policy/content.c; README.md, section "Content").  What the scanner does
 * with each finding is an action; the values equal enum scan_action's
 * (agent/scan/scan.h), ordered by severity.
 */
enum policy_action {
	POLICY_ACT_ALLOW = 0,
	POLICY_ACT_FLAG,             /* audit only */
	POLICY_ACT_MASK,             /* ****1111 */
	POLICY_ACT_REDACT,           /* [TYPE] */
	POLICY_ACT_TOKENIZE,         /* [[TYPE_0123456789]], restored in the response */
	POLICY_ACT_BLOCK,            /* refuse the request */
};

/* Values equal enum scan_confidence's. */
enum policy_confidence {
	POLICY_CONF_LOW = 1,
	POLICY_CONF_MEDIUM,
	POLICY_CONF_HIGH,
};

#define POLICY_CONTENT_MAX_ACTIONS      256         /* keys of "actions" */
#define POLICY_CONTENT_MAX_RULES        64          /* custom rules per tenant */
#define POLICY_CONTENT_MAX_RULE_NAME    56          /* characters: "custom:" + name is the rule id */
#define POLICY_CONTENT_MAX_WORDS        10000       /* words of one dictionary rule */
#define POLICY_CONTENT_MAX_WORDS_TOTAL  50000       /* words of all rules of a tenant */
#define POLICY_CONTENT_MAX_WORD         256         /* bytes of a dictionary word */
#define POLICY_CONTENT_MAX_REGEX        1024        /* bytes of a pattern */
#define POLICY_CONTENT_MIN_WIDTH        3           /* bytes the shortest match of a pattern has */
#define POLICY_CONTENT_MAX_CONTEXT      32          /* context words of a rule */
#define POLICY_CONTENT_MAX_CONTEXT_WORD 64          /* bytes of a context word */
#define POLICY_CONTENT_MAX_HASHES       (1u << 20)  /* exactData hashes of one rule */
#define POLICY_CONTENT_SALT_MIN         16          /* bytes of an exactData salt */
#define POLICY_CONTENT_SALT_MAX         64
#define POLICY_CONTENT_MAX_HOSTS        256         /* exfiltration.allowedHosts */
#define POLICY_CONTENT_MAX_HOST         253         /* bytes of a host name */
#define POLICY_CONTENT_MAX_TYPE         24          /* characters of a custom type (VAULT_TYPE_MAX) */
#define POLICY_CONTENT_HASH_LEN         32          /* SHA-256 */

/* One key of "actions": the action at each confidence. */
struct policy_content_action {
	char *key;                   /* a detector type, a category, a custom type, or "*" */
	__u8 action[3];              /* enum policy_action at LOW, MEDIUM, HIGH (index conf - 1) */
};

enum policy_rule_kind {
	POLICY_RULE_WORDS = 0,       /* "words": a dictionary */
	POLICY_RULE_REGEX,           /* "regex" */
	POLICY_RULE_EXACT,           /* "exactData": salted SHA-256 of the protected values */
};

enum policy_exact_norm {
	POLICY_EXACT_NONE = 0,       /* hash the matched bytes */
	POLICY_EXACT_LOWERCASE,      /* ASCII-lowercase them first */
	POLICY_EXACT_DIGITS,         /* hash only their digits */
};

struct policy_content_rule {
	char *name;                  /* policy name pattern, at most 56 characters, unique in the
				      * tenant; the finding's rule is "custom:" + name */
	char *type;                  /* [A-Z][A-Z0-9_]*, the finding's type */
	enum policy_rule_kind kind;
	char **words;                /* WORDS; NULL-terminated */
	size_t n_words;
	int case_sensitive;          /* WORDS: 0 matches any case */
	char *regex;                 /* REGEX, and EXACT's candidate "pattern" */
	char **context;              /* lower case, NULL-terminated; a match counts only near one */
	size_t n_context;
	__u8 *salt;                  /* EXACT */
	size_t salt_len;
	__u8 (*sha256)[POLICY_CONTENT_HASH_LEN];
	size_t n_sha256;
	enum policy_exact_norm normalize;
	int has_action;              /* "action" given: it beats "actions" */
	__u8 action;                 /* enum policy_action */
};

struct policy_content {
	struct policy_content_action *actions;
	size_t n_actions;
	__u8 min_confidence;         /* enum policy_confidence: findings below are ignored */
	struct policy_content_rule *rules;
	size_t n_rules;
	char **allowed_hosts;        /* host suffixes, NULL-terminated ("*." stripped) */
	size_t n_allowed_hosts;
	__u8 token_arrays;           /* ALLOW, FLAG or BLOCK: token-id inputs */
	__u8 binary;                 /* ALLOW, FLAG or BLOCK: images, audio, files */
};

/* What a tenant without "content" gets (README.md lists the same). */
#define POLICY_CONTENT_DEFAULT_MIN_CONF     POLICY_CONF_MEDIUM
#define POLICY_CONTENT_DEFAULT_TOKEN_ARRAYS POLICY_ACT_BLOCK
#define POLICY_CONTENT_DEFAULT_BINARY       POLICY_ACT_FLAG

struct policy_tenant {
	char *name;
	__u32 id;          /* policy_tenant_id(name) */
	__u16 slot;        /* counter slot in alk_stats; set by the agent, 0 until then */
	struct policy_workload *workloads;
	size_t n_workloads;
	struct policy_egress *egress;
	size_t n_egress;
	struct policy_content *content;   /* NULL: no "content", the defaults apply */
};

struct policy {
	char *file;
	__u32 unmatched;   /* AIRLOCK_ALLOW or AIRLOCK_DENY */
	struct policy_tenant *tenants;
	size_t n_tenants;
	/* The source text, kept so that policy_compile() can point its errors
	 * (too many rules for a prefix, too many entries) at a line. */
	char *text;
	size_t text_len;
};

/* One entry of the policy trie, exactly as the agent will load it. */
struct policy_entry {
	struct airlock_policy_key key;
	struct airlock_policy_value value;
};

struct policy_compiled {
	struct policy_entry *entries;
	size_t n_entries;
};

/* Stable tenant id: FNV-1a 32 of the name, never 0.  Stable across reloads,
 * restarts and nodes, so counters and cached verdicts keep their meaning. */
__u32 policy_tenant_id(const char *name);

int policy_load_file(const char *path, struct policy **ret, struct policy_error *err);
int policy_load_buffer(const char *file, const char *buf, size_t len, struct policy **ret,
		       struct policy_error *err);
struct policy *policy_free(struct policy *p);

int policy_compile(const struct policy *p, struct policy_compiled **ret, struct policy_error *err);
struct policy_compiled *policy_compiled_free(struct policy_compiled *c);

/*
 * Tenant of a cgroup, by its path relative to the cgroup2 mount ("/a/b").
 * A cgroup belongs to the tenant whose workload glob matches it or its
 * nearest matching ancestor (nested cgroups inherit).  Returns the tenant
 * index or -1; *ret_inherited says whether an ancestor matched.
 */
int policy_match_cgroup(const struct policy *p, const char *rel_path, int *ret_inherited);

/* "file:line:column: key: reason" into buf. */
void policy_error_format(const struct policy_error *err, char *buf, size_t len);

/* A JSON string of s even when s is not UTF-8 (a file name need not be):
 * invalid bytes become '?'.  NULL without memory. */
json_t *policy_json_string(const char *s);

/* {"file","line","column","key","reason"}, or NULL without memory. */
json_t *policy_error_json(const struct policy_error *err);

/*
 * The compiled policy as JSON, exactly the map entries the agent loads:
 * {"file", "config": {...}, "tenants": [...], "entries": [{"key", "value"}]}.
 * policy/README.md documents every field.  NULL without memory.
 */
json_t *policy_compiled_json(const struct policy *p, const struct policy_compiled *c);

/*
 * 1-based line and column (in characters) where the value at a JSON path
 * such as "tenants[1].egress[0].ports[2]" starts in text; "$" or "" is the
 * document itself.  -ENOENT when the path is not there, -EINVAL when the
 * path or the text is malformed.
 */
int policy_locate(const char *text, size_t len, const char *path, int *ret_line,
		  int *ret_column);

/* Parse "10.0.0.0/8", "fd00::/16" or a bare address (a host route).  On
 * failure returns -EINVAL and, when why is given, says why in it. */
int policy_cidr_parse(const char *s, struct policy_cidr *ret, char *why, size_t why_len);

/* A trie key's prefix as text: "10.0.0.0/8", "fd00::/16"; IPv4-mapped
 * prefixes of /96 and longer print as IPv4.  with_len 0 leaves out "/n". */
int policy_key_format(const struct airlock_policy_key *key, int with_len, char *buf, size_t len);

/* "tcp", "udp", "any", or NULL for another protocol number. */
const char *policy_proto_name(__u8 proto);

/*
 * The action for a finding: the finding's custom rule's "action" (rule: the
 * rule name, for custom findings only, else NULL), else "actions" by exact
 * type, else by category ("PII", "SECRET", "CUSTOM", ...), else "*", else
 * the built-in default of README.md ("Content", defaults).  c NULL: the
 * defaults alone.  confidence is an enum policy_confidence.
 */
enum policy_action policy_content_action(const struct policy_content *c, const char *rule,
					 const char *type, const char *category, int confidence);

/* "allow", "flag", ...; NULL for another value. */
const char *policy_action_name(enum policy_action a);

/* A content section with nothing in it but the defaults (for callers that
 * build one in code); NULL without memory. */
struct policy_content *policy_content_new(void);
struct policy_content *policy_content_free(struct policy_content *c);

#endif /* AIRLOCK_POLICY_H */
