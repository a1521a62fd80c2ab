/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The tenant "content" section of a policy: the documented example loads
 * into the right structure, tenants without it get the defaults, the
 * decision order (rule action, type, category, "*", built-in default), and
 * every validation error with its file:line:column and key.
 *
 * Error cases mark the expected position with '@' in the JSON; the marker is
 * cut out before parsing, so the expected line and column come from the
 * test text, not from the code under test.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy.h"
#include "policy_errors.h"

#define SALT "00112233445566778899aabbccddeeff"
#define HASH "f7f7f3e05743b493dcf2ee459620b0a3fad6738efb7cfaf85d07b58ddaaadb8d"

static const char example_json[] =
	"{\n"
	"  \"apiVersion\": \"airlock/v1\",\n"
	"  \"tenants\": [\n"
	"    {\n"
	"      \"name\": \"contoso\",\n"
	"      \"workloads\": [ { \"cgroup\": \"/c/*\" } ],\n"
	"      \"egress\": [],\n"
	"      \"content\": {\n"
	"        \"actions\": { \"SECRET\": \"block\", \"EMAIL_CONTENT\": \"block\", \"EMAIL\": "
	"\"tokenize\", \"CREDIT_CARD\": \"mask\", \"PROMPT_INJECTION\": { \"high\": \"block\", "
	"\"medium\": \"flag\" }, \"PII\": \"redact\", \"CODENAME\": \"flag\", \"*\": \"tokenize\", "
	"\"x-note\": \"ignored\" },\n"
	"        \"minConfidence\": \"high\",\n"
	"        \"customRules\": [\n"
	"          { \"name\": \"project-codenames\", \"type\": \"CODENAME\", \"words\": "
	"[\"bluebird\", \"nightjar\"], \"action\": \"redact\" },\n"
	"          { \"name\": \"employee-id\", \"type\": \"EMPLOYEE_ID\", \"regex\": "
	"\"EMP-[0-9]{6}\", \"action\": \"tokenize\", \"context\": [\"Employee\", \"staff id\"] },\n"
	"          { \"name\": \"vip-customers\", \"type\": \"VIP_ACCOUNT\", \"exactData\": { "
	"\"salt\": \"" SALT "\", \"sha256\": [\"" HASH "\", \"" HASH "\"], \"pattern\": "
	"\"[0-9]{8,12}\", \"normalize\": \"digits\" }, \"action\": \"block\" },\n"
	"          { \"name\": \"ticket\", \"type\": \"TICKET\", \"words\": [\"OPS\"], "
	"\"caseSensitive\": true }\n"
	"        ],\n"
	"        \"exfiltration\": { \"allowedHosts\": [\"contoso.com\", \"*.fabrikam.com\"] },\n"
	"        \"embeddingsTokenArrays\": \"flag\",\n"
	"        \"binaryData\": \"block\"\n"
	"      }\n"
	"    },\n"
	"    { \"name\": \"plain\", \"workloads\": [ { \"cgroup\": \"/p/*\" } ], \"egress\": [] }\n"
	"  ]\n"
	"}\n";

static struct policy *load_ok(const char *json)
{
	struct policy_error err;
	struct policy *p = NULL;
	char line[1400];
	int r;

	r = policy_load_buffer("test.json", json, strlen(json), &p, &err);
	if (r < 0) {
		policy_error_format(&err, line, sizeof(line));
		print_message("unexpected error: %s\n", line);
	}
	assert_int_equal(r, 0);
	assert_non_null(p);
	return p;
}

static void test_example(void **state)
{
	struct policy *p = load_ok(example_json);
	const struct policy_content *c;
	const struct policy_content_rule *r;

	(void)state;
	assert_int_equal(p->n_tenants, 2);
	assert_null(p->tenants[1].content);
	c = p->tenants[0].content;
	assert_non_null(c);

	assert_int_equal(c->n_actions, 8);     /* "x-note" is an annotation */
	assert_string_equal(c->actions[4].key, "PROMPT_INJECTION");
	assert_int_equal(c->actions[4].action[2], POLICY_ACT_BLOCK);
	assert_int_equal(c->actions[4].action[1], POLICY_ACT_FLAG);
	assert_int_equal(c->actions[4].action[0], POLICY_ACT_FLAG);   /* low takes medium's */
	assert_int_equal(c->min_confidence, POLICY_CONF_HIGH);
	assert_int_equal(c->token_arrays, POLICY_ACT_FLAG);
	assert_int_equal(c->binary, POLICY_ACT_BLOCK);

	assert_int_equal(c->n_rules, 4);
	r = &c->rules[0];
	assert_string_equal(r->name, "project-codenames");
	assert_string_equal(r->type, "CODENAME");
	assert_int_equal(r->kind, POLICY_RULE_WORDS);
	assert_int_equal(r->n_words, 2);
	assert_string_equal(r->words[1], "nightjar");
	assert_false(r->case_sensitive);
	assert_true(r->has_action);
	assert_int_equal(r->action, POLICY_ACT_REDACT);

	r = &c->rules[1];
	assert_int_equal(r->kind, POLICY_RULE_REGEX);
	assert_string_equal(r->regex, "EMP-[0-9]{6}");
	assert_int_equal(r->n_context, 2);
	assert_string_equal(r->context[0], "employee");   /* lower-cased */
	assert_string_equal(r->context[1], "staff id");

	r = &c->rules[2];
	assert_int_equal(r->kind, POLICY_RULE_EXACT);
	assert_string_equal(r->regex, "[0-9]{8,12}");
	assert_int_equal(r->salt_len, 16);
	assert_int_equal(r->salt[0], 0x00);
	assert_int_equal(r->salt[15], 0xff);
	assert_int_equal(r->n_sha256, 2);
	assert_int_equal(r->sha256[0][0], 0xf7);
	assert_int_equal(r->sha256[1][31], 0x8d);
	assert_int_equal(r->normalize, POLICY_EXACT_DIGITS);

	r = &c->rules[3];
	assert_true(r->case_sensitive);
	assert_false(r->has_action);

	assert_int_equal(c->n_allowed_hosts, 2);
	assert_string_equal(c->allowed_hosts[0], "contoso.com");
	assert_string_equal(c->allowed_hosts[1], "fabrikam.com");   /* "*." is implied */
	assert_null(c->allowed_hosts[2]);                            /* NULL-terminated */
	policy_free(p);
}

/* The egress-only documents load exactly as before: no content, defaults. */
static void test_no_content(void **state)
{
	static const char json[] =
		"{\"apiVersion\": \"airlock/v1\", \"defaults\": {\"unmatchedWorkloads\": \"allow\"},"
		" \"tenants\": [{\"name\": \"a\", \"workloads\": [{\"cgroup\": \"/a/*\"}], "
		"\"egress\": [{\"name\": \"e\", \"to\": [\"10.0.0.0/8\"], \"ports\": [443]}]}]}";
	struct policy_compiled *comp = NULL;
	struct policy_error err;
	struct policy *p = load_ok(json);

	(void)state;
	assert_null(p->tenants[0].content);
	assert_int_equal(policy_compile(p, &comp, &err), 0);
	assert_int_equal(comp->n_entries, 1);
	policy_compiled_free(comp);
	policy_free(p);

	/* an empty object is the defaults, spelled out */
	p = load_ok("{\"apiVersion\": \"airlock/v1\", \"tenants\": [{\"name\": \"a\", "
		    "\"workloads\": [{\"cgroup\": \"/a\"}], \"egress\": [], \"content\": {}}]}");
	assert_non_null(p->tenants[0].content);
	assert_int_equal(p->tenants[0].content->min_confidence, POLICY_CONF_MEDIUM);
	assert_int_equal(p->tenants[0].content->token_arrays, POLICY_ACT_BLOCK);
	assert_int_equal(p->tenants[0].content->binary, POLICY_ACT_FLAG);
	assert_int_equal(p->tenants[0].content->n_actions, 0);
	policy_free(p);
}

#define ACT(c, rule, type, cat, conf) policy_content_action(c, rule, type, cat, POLICY_CONF_##conf)

static void test_defaults(void **state)
{
	struct policy_content *c = policy_content_new();

	(void)state;
	assert_int_equal(ACT(NULL, NULL, "SECRET", "SECRET", LOW), POLICY_ACT_BLOCK);
	assert_int_equal(ACT(NULL, NULL, "EMAIL_CONTENT", "EMAIL_CONTENT", MEDIUM), POLICY_ACT_BLOCK);
	assert_int_equal(ACT(NULL, NULL, "EXFILTRATION", "EXFILTRATION", MEDIUM), POLICY_ACT_BLOCK);
	assert_int_equal(ACT(NULL, NULL, "PROMPT_INJECTION", "PROMPT_INJECTION", HIGH),
			 POLICY_ACT_BLOCK);
	assert_int_equal(ACT(NULL, NULL, "PROMPT_INJECTION", "PROMPT_INJECTION", MEDIUM),
			 POLICY_ACT_FLAG);
	assert_int_equal(ACT(NULL, NULL, "PROMPT_INJECTION", "PROMPT_INJECTION", LOW),
			 POLICY_ACT_FLAG);
	assert_int_equal(ACT(NULL, NULL, "EMAIL", "PII", HIGH), POLICY_ACT_TOKENIZE);
	assert_int_equal(ACT(NULL, NULL, "PHONE", "PII", MEDIUM), POLICY_ACT_TOKENIZE);
	assert_int_equal(ACT(NULL, NULL, "CREDIT_CARD", "PII", HIGH), POLICY_ACT_MASK);
	assert_int_equal(ACT(NULL, NULL, "IBAN", "PII", HIGH), POLICY_ACT_MASK);
	assert_int_equal(ACT(NULL, NULL, "US_SSN", "PII", HIGH), POLICY_ACT_MASK);
	assert_int_equal(ACT(NULL, NULL, "US_BANK_NUMBER", "PII", HIGH), POLICY_ACT_MASK);
	assert_int_equal(ACT(NULL, NULL, "URL", "PII", HIGH), POLICY_ACT_FLAG);
	assert_int_equal(ACT(NULL, "my-rule", "CODENAME", "CUSTOM", HIGH), POLICY_ACT_TOKENIZE);
	/* a custom rule reporting a built-in's type gets that type's default */
	assert_int_equal(ACT(NULL, "my-rule", "SECRET", "CUSTOM", HIGH), POLICY_ACT_BLOCK);
	/* nothing known: protected, not refused */
	assert_int_equal(ACT(NULL, NULL, "NEW_THING", "NEW_CATEGORY", HIGH), POLICY_ACT_TOKENIZE);
	/* an empty section is the defaults */
	assert_int_equal(ACT(c, NULL, "SECRET", "SECRET", HIGH), POLICY_ACT_BLOCK);
	assert_int_equal(ACT(c, NULL, "CREDIT_CARD", "PII", HIGH), POLICY_ACT_MASK);
	policy_content_free(c);

	assert_string_equal(policy_action_name(POLICY_ACT_TOKENIZE), "tokenize");
	assert_null(policy_action_name((enum policy_action)42));
}

static void test_precedence(void **state)
{
	struct policy *p = load_ok(example_json);
	const struct policy_content *c = p->tenants[0].content;

	(void)state;
	/* the rule's own action beats "actions" for its type */
	assert_int_equal(ACT(c, "project-codenames", "CODENAME", "CUSTOM", HIGH), POLICY_ACT_REDACT);
	/* a rule without an action: its type's entry */
	assert_int_equal(ACT(c, "ticket", "CODENAME", "CUSTOM", HIGH), POLICY_ACT_FLAG);
	/* exact type beats its category */
	assert_int_equal(ACT(c, NULL, "EMAIL", "PII", HIGH), POLICY_ACT_TOKENIZE);
	assert_int_equal(ACT(c, NULL, "CREDIT_CARD", "PII", HIGH), POLICY_ACT_MASK);
	/* category beats "*" */
	assert_int_equal(ACT(c, NULL, "PHONE", "PII", HIGH), POLICY_ACT_REDACT);
	/* "*" beats the built-in defaults (EXFILTRATION would block) */
	assert_int_equal(ACT(c, NULL, "EXFILTRATION", "EXFILTRATION", HIGH), POLICY_ACT_TOKENIZE);
	assert_int_equal(ACT(c, "ticket", "TICKET", "CUSTOM", HIGH), POLICY_ACT_TOKENIZE);
	/* per confidence */
	assert_int_equal(ACT(c, NULL, "PROMPT_INJECTION", "PROMPT_INJECTION", HIGH), POLICY_ACT_BLOCK);
	assert_int_equal(ACT(c, NULL, "PROMPT_INJECTION", "PROMPT_INJECTION", LOW), POLICY_ACT_FLAG);
	/* a rule name is only looked up for custom findings (rule NULL) */
	assert_int_equal(ACT(c, NULL, "VIP_ACCOUNT", "CUSTOM", HIGH), POLICY_ACT_TOKENIZE);
	assert_int_equal(ACT(c, "vip-customers", "VIP_ACCOUNT", "CUSTOM", HIGH), POLICY_ACT_BLOCK);
	policy_free(p);
}

#define DOC(content)                                                                         \
	"{\"apiVersion\": \"airlock/v1\", \"tenants\": [{\"name\": \"t\", \"workloads\": "    \
	"[{\"cgroup\": \"/t\"}], \"egress\": [], \"content\": " content "}]}"
#define RULES(rules) DOC("{\"customRules\": [" rules "]}")
#define WORDS_RULE(rest) "{\"name\": \"r\", \"type\": \"T\", \"words\": [\"w\"]" rest "}"
#define EXACT(inner) RULES("{\"name\": \"r\", \"type\": \"T\", \"exactData\": " inner "}")
#define C "tenants[0].content"

static const struct error_case error_cases[] = {
	{ "content array", DOC("@[]"), C, "must be an object, not an array" },
	{ "content typo", DOC("{@\"action\": {}}"), C ".action", "did you mean \"actions\"?" },
	{ "content unknown", DOC("{@\"zzz\": 1}"), C ".zzz", "unknown key \"zzz\"" },
	{ "actions array", DOC("{\"actions\": @[]}"), C ".actions", "must be an object" },
	{ "unknown action", DOC("{\"actions\": {\"EMAIL\": @\"blok\"}}"), C ".actions.EMAIL",
	  "unknown action \"blok\": use allow, flag, mask, redact, tokenize or block" },
	{ "action number", DOC("{\"actions\": {\"EMAIL\": @1}}"), C ".actions.EMAIL",
	  "must be an action string" },
	{ "unknown type", DOC("{\"actions\": {@\"PASSPORT_NUMBER\": \"block\"}}"),
	  C ".actions.PASSPORT_NUMBER", "unknown type \"PASSPORT_NUMBER\"" },
	{ "lower-case type", DOC("{\"actions\": {@\"email\": \"block\"}}"), C ".actions.email",
	  "did you mean \"EMAIL\"?" },
	{ "lower-case category", DOC("{\"actions\": {@\"pii\": \"block\"}}"), C ".actions.pii",
	  "did you mean \"PII\"?" },
	{ "token ids in actions", DOC("{\"actions\": {@\"TOKEN_IDS\": \"block\"}}"),
	  C ".actions.TOKEN_IDS", "set by \"embeddingsTokenArrays\"" },
	{ "custom type of another tenant's rule", DOC("{\"actions\": {@\"CODENAME\": \"block\"}}"),
	  C ".actions.CODENAME", "a custom rule's type" },
	{ "levels without high", DOC("{\"actions\": {\"PROMPT_INJECTION\": @{\"low\": \"flag\"}}}"),
	  C ".actions.PROMPT_INJECTION.high", "required key missing" },
	{ "levels typo", DOC("{\"actions\": {\"SECRET\": {\"high\": \"block\", @\"med\": \"flag\"}}}"),
	  C ".actions.SECRET.med", "unknown key \"med\"" },
	{ "levels bad action", DOC("{\"actions\": {\"SECRET\": {\"high\": \"block\", \"low\": @\"no\"}}}"),
	  C ".actions.SECRET.low", "unknown action \"no\"" },
	{ "min confidence", DOC("{\"minConfidence\": @\"very\"}"), C ".minConfidence",
	  "must be \"low\", \"medium\" or \"high\"" },
	{ "rules object", DOC("{\"customRules\": @{}}"), C ".customRules", "must be an array" },
	{ "rule string", RULES("@\"r\""), C ".customRules[0]", "must be an object" },
	{ "rule no name", RULES("@{\"type\": \"T\", \"words\": [\"w\"]}"), C ".customRules[0].name",
	  "required key missing" },
	{ "rule bad name", RULES("{\"name\": @\"My Rule\", \"type\": \"T\", \"words\": [\"w\"]}"),
	  C ".customRules[0].name", "invalid rule name \"My Rule\"" },
	{ "rule name 57",
	  RULES("{\"name\": @\"a12345678901234567890123456789012345678901234567890123456\", "
		"\"type\": \"T\", \"words\": [\"w\"]}"),
	  C ".customRules[0].name", "at most 56 characters" },
	{ "rule dup name", RULES(WORDS_RULE("") ", {\"name\": @\"r\", \"type\": \"U\", \"words\": [\"v\"]}"),
	  C ".customRules[1].name", "duplicate rule name \"r\" in this tenant (first at customRules[0])" },
	{ "rule typo", RULES("{\"name\": \"r\", \"type\": \"T\", @\"word\": [\"w\"]}"),
	  C ".customRules[0].word", "did you mean \"words\"?" },
	{ "rule no type", RULES("@{\"name\": \"r\", \"words\": [\"w\"]}"), C ".customRules[0].type",
	  "required key missing" },
	{ "rule lower type", RULES("{\"name\": \"r\", \"type\": @\"codename\", \"words\": [\"w\"]}"),
	  C ".customRules[0].type", "invalid type \"codename\"" },
	{ "rule long type",
	  RULES("{\"name\": \"r\", \"type\": @\"ABCDEFGHIJKLMNOPQRSTUVWXY\", \"words\": [\"w\"]}"),
	  C ".customRules[0].type", "at most 24 characters" },
	{ "rule reserved type", RULES("{\"name\": \"r\", \"type\": @\"TOKEN_IDS\", \"words\": [\"w\"]}"),
	  C ".customRules[0].type", "reserved" },
	{ "rule no detector", RULES("@{\"name\": \"r\", \"type\": \"T\"}"), C ".customRules[0]",
	  "one of \"words\", \"regex\" or \"exactData\"" },
	{ "rule two detectors",
	  RULES("{\"name\": \"r\", \"type\": \"T\", \"words\": [\"w\"], @\"regex\": \"abc\"}"),
	  C ".customRules[0].regex", "not several" },
	{ "words empty", RULES("{\"name\": \"r\", \"type\": \"T\", \"words\": @[]}"),
	  C ".customRules[0].words", "at least one word" },
	{ "words string", RULES("{\"name\": \"r\", \"type\": \"T\", \"words\": @\"w\"}"),
	  C ".customRules[0].words", "must be an array of strings" },
	{ "word empty", RULES("{\"name\": \"r\", \"type\": \"T\", \"words\": [\"a\", @\"\"]}"),
	  C ".customRules[0].words[1]", "empty word" },
	{ "word number", RULES("{\"name\": \"r\", \"type\": \"T\", \"words\": [@7]}"),
	  C ".customRules[0].words[0]", "must be a string, not an integer" },
	{ "regex lookbehind",
	  RULES("{\"name\": \"r\", \"type\": \"T\", \"regex\": @\"(?<=id:)[0-9]{6}\"}"),
	  C ".customRules[0].regex",
	  "Hyperscan rejects the pattern: Zero-width assertions are not supported." },
	{ "regex backref", RULES("{\"name\": \"r\", \"type\": \"T\", \"regex\": @\"(ab)\\\\1\"}"),
	  C ".customRules[0].regex", "Hyperscan rejects the pattern: Back-references" },
	{ "regex syntax", RULES("{\"name\": \"r\", \"type\": \"T\", \"regex\": @\"abc(\"}"),
	  C ".customRules[0].regex", "Missing close parenthesis" },
	{ "regex empty match", RULES("{\"name\": \"r\", \"type\": \"T\", \"regex\": @\"a*\"}"),
	  C ".customRules[0].regex", "can match 0 bytes; a pattern must match at least 3" },
	{ "regex short", RULES("{\"name\": \"r\", \"type\": \"T\", \"regex\": @\"[0-9]+\"}"),
	  C ".customRules[0].regex", "can match 1 bytes" },
	{ "regex empty", RULES("{\"name\": \"r\", \"type\": \"T\", \"regex\": @\"\"}"),
	  C ".customRules[0].regex", "empty pattern" },
	{ "case sensitive regex",
	  RULES("{\"name\": \"r\", \"type\": \"T\", \"regex\": \"abc\", @\"caseSensitive\": true}"),
	  C ".customRules[0].caseSensitive", "only for \"words\"" },
	{ "case sensitive string", RULES(WORDS_RULE(", \"caseSensitive\": @\"yes\"")),
	  C ".customRules[0].caseSensitive", "must be true or false" },
	{ "rule action", RULES(WORDS_RULE(", \"action\": @\"hide\"")), C ".customRules[0].action",
	  "unknown action \"hide\"" },
	{ "context empty", RULES(WORDS_RULE(", \"context\": @[]")), C ".customRules[0].context",
	  "leave \"context\" out" },
	{ "context non-ascii", RULES(WORDS_RULE(", \"context\": [\"id\", @\"caf\xc3\xa9\"]")),
	  C ".customRules[0].context[1]", "printable ASCII" },
	{ "exact not object", EXACT("@[]"), C ".customRules[0].exactData", "must be an object" },
	{ "exact no salt", EXACT("@{\"sha256\": [\"" HASH "\"], \"pattern\": \"[0-9]{8}\"}"),
	  C ".customRules[0].exactData.salt", "required key missing" },
	{ "exact odd salt", EXACT("{\"salt\": @\"abc\", \"sha256\": [\"" HASH "\"], \"pattern\": \"x{3}\"}"),
	  C ".customRules[0].exactData.salt", "salt of 3 hex digits" },
	{ "exact short salt", EXACT("{\"salt\": @\"0011\", \"sha256\": [\"" HASH "\"], \"pattern\": \"x{3}\"}"),
	  C ".customRules[0].exactData.salt", "16 to 64 bytes" },
	{ "exact salt not hex",
	  EXACT("{\"salt\": @\"zz112233445566778899aabbccddeeff\", \"sha256\": [\"" HASH "\"], "
		"\"pattern\": \"x{3}\"}"),
	  C ".customRules[0].exactData.salt", "salt is not hex" },
	{ "exact hash short", EXACT("{\"salt\": \"" SALT "\", \"sha256\": [\"" HASH "\", @\"abcd\"], "
				    "\"pattern\": \"x{3}\"}"),
	  C ".customRules[0].exactData.sha256[1]", "a SHA-256 is 64 hex digits, this has 4" },
	{ "exact hash not hex",
	  EXACT("{\"salt\": \"" SALT "\", \"sha256\": [@\"g7f7f3e05743b493dcf2ee459620b0a3fad6738efb7c"
		"faf85d07b58ddaaadb8d\"], \"pattern\": \"x{3}\"}"),
	  C ".customRules[0].exactData.sha256[0]", "not hex" },
	{ "exact no hashes", EXACT("{\"salt\": \"" SALT "\", \"sha256\": @[], \"pattern\": \"x{3}\"}"),
	  C ".customRules[0].exactData.sha256", "at least one hash" },
	{ "exact no pattern", EXACT("@{\"salt\": \"" SALT "\", \"sha256\": [\"" HASH "\"]}"),
	  C ".customRules[0].exactData.pattern", "required key missing" },
	{ "exact bad pattern",
	  EXACT("{\"salt\": \"" SALT "\", \"sha256\": [\"" HASH "\"], \"pattern\": @\"[0-9\"}"),
	  C ".customRules[0].exactData.pattern", "Hyperscan rejects the pattern" },
	{ "exact normalize",
	  EXACT("{\"salt\": \"" SALT "\", \"sha256\": [\"" HASH "\"], \"pattern\": \"x{3}\", "
		"\"normalize\": @\"upper\"}"),
	  C ".customRules[0].exactData.normalize", "\"none\", \"lowercase\" or \"digits\"" },
	{ "exact typo",
	  EXACT("{\"salt\": \"" SALT "\", @\"sha265\": [\"" HASH "\"], \"pattern\": \"x{3}\"}"),
	  C ".customRules[0].exactData.sha265", "did you mean \"sha256\"?" },
	{ "exfil array", DOC("{\"exfiltration\": @[]}"), C ".exfiltration", "must be an object" },
	{ "exfil typo", DOC("{\"exfiltration\": {@\"allowedHost\": []}}"), C ".exfiltration.allowedHost",
	  "did you mean \"allowedHosts\"?" },
	{ "host with scheme",
	  DOC("{\"exfiltration\": {\"allowedHosts\": [\"a.com\", @\"https://b.com\"]}}"),
	  C ".exfiltration.allowedHosts[1]", "without scheme, port, path" },
	{ "host inner wildcard", DOC("{\"exfiltration\": {\"allowedHosts\": [@\"a.*.com\"]}}"),
	  C ".exfiltration.allowedHosts[0]", "other wildcards" },
	{ "host empty label", DOC("{\"exfiltration\": {\"allowedHosts\": [@\"a..com\"]}}"),
	  C ".exfiltration.allowedHosts[0]", "labels have 1 to 63 characters" },
	{ "host underscore", DOC("{\"exfiltration\": {\"allowedHosts\": [@\"a_b.com\"]}}"),
	  C ".exfiltration.allowedHosts[0]", "use letters, digits" },
	{ "token arrays mask", DOC("{\"embeddingsTokenArrays\": @\"mask\"}"),
	  C ".embeddingsTokenArrays", "must be \"allow\", \"flag\" or \"block\"" },
	{ "binary tokenize", DOC("{\"binaryData\": @\"tokenize\"}"), C ".binaryData",
	  "cannot be scanned" },
	{ "tenant typo", "{\"apiVersion\": \"airlock/v1\", \"tenants\": [{\"name\": \"t\", "
			 "\"workloads\": [{\"cgroup\": \"/t\"}], \"egress\": [], @\"contents\": {}}]}",
	  "tenants[0].contents", "did you mean \"content\"?" },
	{ "multi-line position",
	  "{\n  \"apiVersion\": \"airlock/v1\",\n  \"tenants\": [\n    {\n      \"name\": \"a\",\n"
	  "      \"workloads\": [{\"cgroup\": \"/a\"}],\n      \"egress\": [],\n"
	  "      \"content\": {\n        \"customRules\": [\n"
	  "          {\"name\": \"ok\", \"type\": \"OK\", \"words\": [\"fine\"]},\n"
	  "          {\"name\": \"bad\", \"type\": \"BAD\",\n"
	  "           \"regex\": @\"(?<!x)abc\"}\n"
	  "        ]\n      }\n    }\n  ]\n}\n",
	  "tenants[0].content.customRules[1].regex", "Zero-width assertions" },
};

static void test_errors(void **state)
{
	(void)state;
	check_error_cases(error_cases, sizeof(error_cases) / sizeof(error_cases[0]));
}

/* Grow a document past a limit; the error names the limit at the array. */
static void test_limits(void **state)
{
	struct policy_error err;
	struct policy *p = NULL;
	size_t cap = 1 << 20, len, i;
	char *doc = malloc(cap);

	(void)state;
	assert_non_null(doc);
	len = (size_t)snprintf(doc, cap, "{\"apiVersion\": \"airlock/v1\", \"tenants\": [{\"name\": "
					 "\"t\", \"workloads\": [{\"cgroup\": \"/t\"}], \"egress\": "
					 "[], \"content\": {\"customRules\": [");
	for (i = 0; i <= POLICY_CONTENT_MAX_RULES; i++)
		len += (size_t)snprintf(doc + len, cap - len,
					"%s{\"name\": \"r%zu\", \"type\": \"T\", \"words\": [\"w%zu\"]}",
					i ? ", " : "", i, i);
	len += (size_t)snprintf(doc + len, cap - len, "]}}]}");
	assert_int_equal(policy_load_buffer("big.json", doc, len, &p, &err), -EINVAL);
	assert_string_equal(err.key, "tenants[0].content.customRules");
	assert_non_null(strstr(err.reason, "65 custom rules, limit 64 per tenant"));

	/* words: the per-rule limit */
	len = (size_t)snprintf(doc, cap, "{\"apiVersion\": \"airlock/v1\", \"tenants\": [{\"name\": "
					 "\"t\", \"workloads\": [{\"cgroup\": \"/t\"}], \"egress\": "
					 "[], \"content\": {\"customRules\": [{\"name\": \"r\", "
					 "\"type\": \"T\", \"words\": [");
	for (i = 0; i <= POLICY_CONTENT_MAX_WORDS; i++)
		len += (size_t)snprintf(doc + len, cap - len, "%s\"w%zu\"", i ? "," : "", i);
	len += (size_t)snprintf(doc + len, cap - len, "]}]}}]}");
	assert_int_equal(policy_load_buffer("big.json", doc, len, &p, &err), -EINVAL);
	assert_string_equal(err.key, "tenants[0].content.customRules[0].words");
	assert_non_null(strstr(err.reason, "10001 words, limit 10000 per rule"));

	/* a pattern over the byte limit */
	len = (size_t)snprintf(doc, cap, "{\"apiVersion\": \"airlock/v1\", \"tenants\": [{\"name\": "
					 "\"t\", \"workloads\": [{\"cgroup\": \"/t\"}], \"egress\": "
					 "[], \"content\": {\"customRules\": [{\"name\": \"r\", "
					 "\"type\": \"T\", \"regex\": \"");
	for (i = 0; i <= POLICY_CONTENT_MAX_REGEX; i++)
		doc[len++] = 'a';
	len += (size_t)snprintf(doc + len, cap - len, "\"}]}}]}");
	assert_int_equal(policy_load_buffer("big.json", doc, len, &p, &err), -EINVAL);
	assert_string_equal(err.key, "tenants[0].content.customRules[0].regex");
	assert_non_null(strstr(err.reason, "pattern of 1025 bytes, limit 1024"));
	assert_null(p);
	free(doc);
}

/* Custom types become legal action keys once a rule defines them, in any order. */
static void test_custom_type_keys(void **state)
{
	struct policy *p = load_ok(DOC("{\"actions\": {\"CODENAME\": \"block\", \"US_SSN\": "
				       "\"redact\", \"PROMPT_INJECTION\": \"flag\", \"CUSTOM\": "
				       "\"flag\"}, \"customRules\": [{\"name\": \"c\", \"type\": "
				       "\"CODENAME\", \"words\": [\"bluebird\"]}]}"));
	const struct policy_content *c = p->tenants[0].content;

	(void)state;
	assert_int_equal(c->n_actions, 4);
	assert_int_equal(ACT(c, "c", "CODENAME", "CUSTOM", HIGH), POLICY_ACT_BLOCK);
	assert_int_equal(ACT(c, NULL, "US_SSN", "PII", HIGH), POLICY_ACT_REDACT);
	assert_int_equal(ACT(c, "other", "OTHER", "CUSTOM", HIGH), POLICY_ACT_FLAG);
	policy_free(p);
}

/* policy/examples/content.json: loads, compiles, and means what the README says. */
static void test_example_file(void **state)
{
	struct policy_compiled *comp = NULL;
	const struct policy_content *c;
	struct policy_error err;
	struct policy *p = NULL;
	char line[1400] = "";
	int r;

	(void)state;
	r = policy_load_file("policy/examples/content.json", &p, &err);
	if (r < 0)
		policy_error_format(&err, line, sizeof(line));
	print_message("# %s\n", line);
	assert_int_equal(r, 0);
	assert_int_equal(policy_compile(p, &comp, &err), 0);
	assert_int_equal(comp->n_entries, 2);
	c = p->tenants[0].content;
	assert_non_null(c);
	assert_int_equal(c->n_rules, 3);
	assert_int_equal(c->rules[2].kind, POLICY_RULE_EXACT);
	assert_int_equal(ACT(c, NULL, "PROMPT_INJECTION", "PROMPT_INJECTION", MEDIUM), POLICY_ACT_FLAG);
	assert_null(p->tenants[1].content);
	policy_compiled_free(comp);
	policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_no_content),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_custom_type_keys),
		cmocka_unit_test(test_example_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
