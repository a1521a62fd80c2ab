// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Secret detectors (rules_secret*.c) through the real engine: each family
 * finds its tokens with the right rule id and value span, placeholders and
 * look-alikes stay quiet, and the tables are cheap for Hyperscan (every
 * pattern keeps start-of-match, a long value is one candidate, not one per
 * byte).  Tokens are made up here by a fixed PRNG; no real credential.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine.h"
#include "rules.h"
#include "rules_secret.h"

int rules_secret_register(struct scan_ruleset *rs);

struct fx {
	struct scan_ruleset *rs;
	struct scan_engine *eng;
	struct scan_scratch *s;
	struct scan_result res;
};

/* One engine for the whole group: compiling every secret rule with
 * start-of-match takes seconds, and the tests only read it. */
static int group_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || scan_ruleset_new(&f->rs) || rules_secret_register(f->rs) ||
	    scan_engine_new(f->rs, &f->eng) || scan_scratch_new(f->eng, &f->s))
		return -1;
	*state = f;
	return 0;
}

/* Each test starts from an empty result. */
static int setup(void **state)
{
	struct fx *f = *state;

	scan_result_reset(&f->res);
	return 0;
}

static int group_teardown(void **state)
{
	struct fx *f = *state;

	scan_result_free(&f->res);
	scan_scratch_free(f->s);
	scan_engine_free(f->eng);
	scan_ruleset_free(f->rs);
	free(f);
	return 0;
}

/* Deterministic filler: n characters of cs. */
static unsigned int seed = 12345;

static char *gen(char *out, const char *prefix, const char *cs, size_t n, const char *suffix)
{
	size_t l = strlen(prefix), m = strlen(cs), i;

	memcpy(out, prefix, l);
	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		out[l + i] = cs[(seed >> 16) % m];
	}
	strcpy(out + l + n, suffix);
	return out;
}

#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
#define LOWNUM "abcdefghijklmnopqrstuvwxyz0123456789"
#define HEX "0123456789abcdef"
#define B64 ALNUM "+/"
#define B32 "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

static void scan(struct fx *f, const char *text)
{
	scan_result_reset(&f->res);
	assert_int_equal(scan_text(f->eng, f->s, text, strlen(text), &f->res), 0);
}

/* The text holds exactly one SECRET finding, of rule `id`, spanning `value`. */
static void expect_one(struct fx *f, const char *text, const char *id, const char *value)
{
	const char *at = strstr(text, value);
	size_t i, n = 0;

	assert_non_null(at);
	scan(f, text);
	for (i = 0; i < f->res.n; i++) {
		if (f->res.v[i].category != SCAN_CAT_SECRET)
			continue;
		n++;
		if (strcmp(f->res.v[i].detail, id) || f->res.v[i].start != (size_t)(at - text) ||
		    f->res.v[i].end != (size_t)(at - text) + strlen(value))
			fail_msg("%s: got %s [%zu,%zu) want [%zu,%zu) in: %.120s", id, f->res.v[i].detail,
				 f->res.v[i].start, f->res.v[i].end, (size_t)(at - text),
				 (size_t)(at - text) + strlen(value), text);
	}
	if (n != 1)
		fail_msg("%s: %zu findings in: %.120s", id, n, text);
	assert_string_equal(f->res.v[0].type, "SECRET");
}

static void expect_none(struct fx *f, const char *text)
{
	scan(f, text);
	if (f->res.n)
		fail_msg("unexpected %s [%.*s] in: %s", f->res.v[0].detail,
			 (int)(f->res.v[0].end - f->res.v[0].start), text + f->res.v[0].start, text);
}

static void test_cloud(void **state)
{
	struct fx *f = *state;
	char tok[256], text[512], key[128];

	gen(tok, "AKIA", B32, 16, "");
	snprintf(text, sizeof(text), "export AWS_ACCESS_KEY_ID=%s\n", tok);
	expect_one(f, text, "aws-access-token", tok);

	gen(tok, "", B64, 40, "");
	snprintf(text, sizeof(text), "aws_secret_access_key = \"%s\"", tok);
	expect_one(f, text, "aws-secret-access-key", tok);

	gen(key, "", B64, 86, "==");
	snprintf(text, sizeof(text),
		 "DefaultEndpointsProtocol=https;AccountName=stacct;AccountKey=%s;EndpointSuffix=core.windows.net",
		 key);
	expect_one(f, text, "azure-storage-account-key", key);

	gen(tok, "", ALNUM, 43, "%3D");
	snprintf(text, sizeof(text),
		 "https://stacct.blob.core.windows.net/c/report.pdf?sv=2022-11-02&ss=b&srt=o&sp=r"
		 "&se=2027-01-01T00:00:00Z&sig=%s done", tok);
	expect_one(f, text, "azure-sas-token", tok);

	gen(tok, "", HEX, 40, "");
	snprintf(text, sizeof(text), "{\n  \"type\": \"service_account\",\n  \"private_key_id\": \"%s\",\n}", tok);
	expect_one(f, text, "gcp-service-account", tok);
}

static void test_ai(void **state)
{
	struct fx *f = *state;
	char tok[400], text[600], a[100], b[100];

	gen(a, "sk-proj-", ALNUM "_-", 74, "T3BlbkFJ");
	gen(b, "", ALNUM "_-", 74, "");
	snprintf(tok, sizeof(tok), "%s%s", a, b);
	snprintf(text, sizeof(text), "client = OpenAI(api_key=\"%s\")", tok);
	expect_one(f, text, "openai-api-key", tok);

	gen(tok, "sk-ant-api03-", ALNUM "_-", 93, "AA");
	snprintf(text, sizeof(text), "Here is my key %s, why does it 401?", tok);
	expect_one(f, text, "anthropic-api-key", tok);

	gen(tok, "hf_", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 34, "");
	snprintf(text, sizeof(text), "huggingface-cli login --token %s", tok);
	expect_one(f, text, "huggingface-access-token", tok);

	/* Azure OpenAI: the 32-hex header value */
	gen(tok, "", HEX, 32, "");
	snprintf(text, sizeof(text), "curl $AZURE_OPENAI_ENDPOINT -H \"api-key: %s\" -d @body.json", tok);
	expect_one(f, text, "azure-openai-api-key", tok);
}

static void test_vcs_and_registries(void **state)
{
	struct fx *f = *state;
	char tok[200], text[400];

	gen(tok, "ghp_", ALNUM, 36, "");
	snprintf(text, sizeof(text), "my token is %s, please rotate it.", tok);
	expect_one(f, text, "github-pat", tok);

	gen(tok, "github_pat_", ALNUM "_", 82, "");
	snprintf(text, sizeof(text), "GITHUB_TOKEN: %s", tok);
	expect_one(f, text, "github-fine-grained-pat", tok);

	gen(tok, "glpat-", ALNUM "_-", 20, "");
	snprintf(text, sizeof(text), "git clone https://oauth2:%s@gitlab.example.com/g/p.git", tok);
	scan(f, text);
	assert_true(f->res.n >= 1);     /* gitlab-pat, or the URL password: either covers it */

	gen(tok, "npm_", ALNUM, 36, "");
	snprintf(text, sizeof(text), "//registry.npmjs.org/:_authToken=%s\n", tok);
	expect_one(f, text, "npm-access-token", tok);

	gen(tok, "pypi-AgEIcHlwaS5vcmc", ALNUM "_-", 70, "");
	snprintf(text, sizeof(text), "[pypi]\n  password = %s\n", tok);
	expect_one(f, text, "pypi-upload-token", tok);

	gen(tok, "dckr_pat_", ALNUM "_-", 27, "");
	snprintf(text, sizeof(text), "docker login -u me -p %s", tok);
	expect_one(f, text, "dockerhub-pat", tok);
}

static void test_chat_and_payment(void **state)
{
	struct fx *f = *state;
	char tok[300], text[500], a[64], b[64], c[64];

	gen(a, "xoxb-", "0123456789", 12, "-");
	gen(b, "", "0123456789", 13, "-");
	gen(c, "", ALNUM, 24, "");
	snprintf(tok, sizeof(tok), "%s%s%s", a, b, c);
	snprintf(text, sizeof(text), "SLACK_BOT_TOKEN=%s", tok);
	expect_one(f, text, "slack-bot-token", tok);

	gen(tok, "https://hooks.slack.com/services/T", B32, 8, "/B");
	gen(tok + strlen(tok), "", B32, 8, "/");
	gen(tok + strlen(tok), "", ALNUM, 24, "");
	snprintf(text, sizeof(text), "post it to %s please", tok);
	expect_one(f, text, "slack-webhook-url", tok);

	gen(tok, "sk_live_", ALNUM, 24, "");
	snprintf(text, sizeof(text), "stripe.api_key = '%s'", tok);
	expect_one(f, text, "stripe-access-token", tok);

	gen(tok, "7123456789:AA", ALNUM "_-", 33, "");
	snprintf(text, sizeof(text), "the bot token is %s", tok);
	expect_one(f, text, "telegram-bot-token", tok);
}

/*
 * facebook-access-token: the pattern holds the secret's first 27 bytes, the
 * extract the rest (up to 40) and the terminator after it.
 */
static void test_facebook_token(void **state)
{
	struct fx *f = *state;
	const char *t39 = "1477036645700765|wRPf2v3mt2JfMqCLK8n7oltrEmcaB3dE5fG7hJ9";

	expect_one(f, "facebook 1477036645700765|wRPf2v3mt2JfMqCLK8n7oltrEmc", "facebook-access-token",
		   "1477036645700765|wRPf2v3mt2JfMqCLK8n7oltrEmc");
	expect_one(f, "fb: 1477036645700765|wRPf2v3mt2JfMqCLK8n7oltrEmcaB3dE5fG7hJ9 \"x\"",
		   "facebook-access-token", t39);
	expect_one(f, "facebook 147703664570076%7CwRPf2v3mt2JfMqCLK8n7oltrEmc_-ab;",
		   "facebook-access-token", "147703664570076%7CwRPf2v3mt2JfMqCLK8n7oltrEmc_-ab");
	expect_one(f, "graph 147703664570076%7cwRPf2v3mt2JfMqCLK8n7oltrEmc\\n",
		   "facebook-access-token", "147703664570076%7cwRPf2v3mt2JfMqCLK8n7oltrEmc");
	/* 40 bytes; 41, no terminator, 26 bytes, 14 or 17 digits: none */
	expect_one(f, "fb 1477036645700765|wRPf2v3mt2JfMqCLK8n7oltrEmcaB3dE5fG7hJ9k;",
		   "facebook-access-token", "1477036645700765|wRPf2v3mt2JfMqCLK8n7oltrEmcaB3dE5fG7hJ9k");
	expect_none(f, "fb 1477036645700765|wRPf2v3mt2JfMqCLK8n7oltrEmcaB3dE5fG7hJ9kX");
	expect_none(f, "fb 1477036645700765|wRPf2v3mt2JfMqCLK8n7oltrEmc,");
	expect_none(f, "fb 1477036645700765|wRPf2v3mt2JfMqCLK8n7oltrEm");
	expect_none(f, "fb 14770366457007|wRPf2v3mt2JfMqCLK8n7oltrEmc");
	expect_none(f, "fb 14770366457007650|wRPf2v3mt2JfMqCLK8n7oltrEmc");
}

static void test_generic_shapes(void **state)
{
	struct fx *f = *state;
	char text[1024], body[300], jwt[400];

	/* PEM: the whole block is the value */
	snprintf(body, sizeof(body), "-----BEGIN RSA PRIVATE KEY-----\n%s\n%s\n-----END RSA PRIVATE KEY-----",
		 gen(jwt, "MIIE", B64, 60, ""), gen(jwt + 100, "", B64, 64, ""));
	snprintf(text, sizeof(text), "key file:\n%s\nthanks", body);
	expect_one(f, text, "private-key", body);

	/* JWT: the header decodes to {"alg":...} */
	snprintf(jwt, sizeof(jwt), "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.%s.%s",
		 gen(body, "eyJzdWIiOiIx", ALNUM, 30, ""), gen(body + 100, "", ALNUM "_-", 43, ""));
	snprintf(text, sizeof(text), "Authorization: Bearer %s", jwt);
	expect_one(f, text, "jwt", jwt);

	expect_one(f, "DATABASE_URL=postgres://app:Xk9vT2qLmw@db.internal:5432/app",
		   "basic-auth-url", "Xk9vT2qLmw");
	expect_one(f, "spring.datasource.url=jdbc:postgresql://db:5432/app?user=svc&password=Hx7pQ2vLs",
		   "jdbc-connection-string", "jdbc:postgresql://db:5432/app?user=svc&password=Hx7pQ2vLs");
	expect_one(f, "Server=tcp:sql.example.net;Database=app;User Id=svc;Password=Qw3rtyZx9;",
		   "odbc-connection-string", "Qw3rtyZx9");
	expect_one(f, "DB_PASSWORD=Tr0ub4dor&3x\n", "generic-password-assignment", "Tr0ub4dor&3x");
	expect_one(f, "{\"user\": \"svc\", \"password\": \"S3cure!Pa55#2024\"}",
		   "generic-password-assignment", "S3cure!Pa55#2024");
	expect_one(f, "curl -u deploy:V9mQ2xLr7Tp https://ci.example.org/api",
		   "curl-auth-user", "deploy:V9mQ2xLr7Tp");
}

/* One token per family member the issue names, made up here. */
static void test_more_families(void **state)
{
	struct fx *f = *state;
	char tok[400], text[600], u1[48], u2[48], u3[48];

	/* Azure Service Bus / Event Hubs connection string */
	gen(tok, "", B64, 43, "=");
	snprintf(text, sizeof(text),
		 "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=%s", tok);
	expect_one(f, text, "azure-connection-string", tok);

	/* Microsoft Teams incoming webhook */
	gen(u1, "", HEX, 8, "-1a2b-4c3d-8e9f-");
	gen(u1 + strlen(u1), "", HEX, 12, "");
	gen(u2, "", HEX, 8, "-5a6b-4c7d-9e0f-");
	gen(u2 + strlen(u2), "", HEX, 12, "");
	gen(u3, "", HEX, 32, "");
	snprintf(tok, sizeof(tok), "https://contoso.webhook.office.com/webhookb2/%s@%s/IncomingWebhook/%s/%s",
		 u1, u2, u3, u1);
	snprintf(text, sizeof(text), "teams hook: %s", tok);
	expect_one(f, text, "microsoft-teams-webhook", tok);

	/* Discord webhook */
	gen(tok, "https://discord.com/api/webhooks/1234567890123456789/", ALNUM "_-", 68, "");
	snprintf(text, sizeof(text), "%s\n", tok);
	expect_one(f, text, "discord-webhook-url", tok);

	/* Square, PayPal/Braintree, NuGet, Bitbucket app password */
	gen(tok, "sq0atp-", ALNUM "_-", 22, "");
	snprintf(text, sizeof(text), "SQUARE_ACCESS_TOKEN=%s", tok);
	expect_one(f, text, "square-access-token", tok);

	gen(tok, "access_token$production$", LOWNUM, 16, "$");
	gen(tok + strlen(tok), "", HEX, 32, "");
	snprintf(text, sizeof(text), "braintree: %s", tok);
	expect_one(f, text, "paypal-braintree-access-token", tok);

	gen(tok, "oy2", LOWNUM, 43, "");
	snprintf(text, sizeof(text), "dotnet nuget push pkg.nupkg --api-key %s", tok);
	expect_one(f, text, "nuget-api-key", tok);

	gen(tok, "ATBB", ALNUM, 32, "");
	snprintf(text, sizeof(text), "bitbucket app password %s", tok);
	expect_one(f, text, "bitbucket-app-password", tok);
}

static void test_placeholders_and_lookalikes(void **state)
{
	struct fx *f = *state;
	static const char *const quiet[] = {
		"aws_access_key_id = AKIAQWERTYU23EXAMPLE",
		"token: ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		"password = \"changeme\"",
		"password: ${DB_PASSWORD}",
		"password = \"<your-password>\"",
		"api_key = \"YOUR_API_KEY_HERE\"",
		"secret = os.environ['APP_SECRET']",
		"DATABASE_URL=https://user:password@example.com/db",
		"jdbc:mysql://db:3306/app",
		"The password policy requires 12 characters and a symbol.",
		"api_version = 2023-05-15",
		"commit 3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39 fixed the build",
		"-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1234567890abcdefghij\n-----END PUBLIC KEY-----",
		"-----BEGIN PRIVATE KEY-----\nanything\n-----END PRIVATE KEY-----",
		"curl -u \"$USER:$PASS\" https://example.com",
		"Authorization: Bearer $TOKEN",
		"key = value",
		NULL
	};
	const char *const *q;

	for (q = quiet; *q; q++)
		expect_none(f, *q);
}

/* Hidden characters inside a token: found in the view, reported over the original bytes. */
static void test_zero_width_inside_token(void **state)
{
	struct fx *f = *state;
	char tok[64], text[128];

	gen(tok, "ghp_", ALNUM, 36, "");
	/* U+200B after "ghp_" */
	snprintf(text, sizeof(text), "token %.4s\xe2\x80\x8b%s end", tok, tok + 4);
	scan(f, text);
	assert_int_equal(f->res.n, 1);
	assert_string_equal(f->res.v[0].detail, "github-pat");
	assert_int_equal(f->res.v[0].start, 6);
	assert_int_equal(f->res.v[0].end, 6 + 40 + 3);
}

/* Every pattern keeps SOM; a 256 KiB value after a key word is one candidate, not one per byte. */
static void test_cheap_for_hyperscan(void **state)
{
	struct fx *f = *state;
	size_t n = 256 * 1024, i;
	char *big = malloc(n + 64);

	assert_int_equal(scan_engine_fallback_count(f->eng), 0);
	assert_non_null(big);
	strcpy(big, "password = ");
	for (i = strlen(big); i < n; i++)
		big[i] = ALNUM[(i * 7 + i / 13) % 62];
	strcpy(big + n, "\napi_key: ");
	for (i = n + 10; i < n + 60; i++)
		big[i] = 'a' + (char)(i % 26);
	big[n + 60] = 0;
	scan_result_reset(&f->res);
	assert_int_equal(scan_text(f->eng, f->s, big, strlen(big), &f->res), 0);
	free(big);
}

/*
 * A value at the very end of the text is not NUL-terminated: the checks
 * that compare it with a word ("process.env", "srt=") must stop at its end.
 * Each text is copied into a buffer of exactly its length, so ASan sees a
 * read past it (fuzz_scan found the first).
 */
static void test_value_at_text_end(void **state)
{
	static const char *const texts[] = {
		"api_key: process.e", "password = os.enviro", "secret: getenv", "api_key: this.",
		"https://acct.blob.core.windows.net/c?sv=2022-11-02&sig="
		"AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGh%3D&srt",
	};
	struct fx *f = *state;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		size_t n = strlen(texts[i]);
		char *exact = malloc(n);

		assert_non_null(exact);
		memcpy(exact, texts[i], n);
		scan_result_reset(&f->res);
		assert_int_equal(scan_text(f->eng, f->s, exact, n, &f->res), 0);
		free(exact);
	}
}

static void test_registration(void **state)
{
	struct scan_ruleset *rs = NULL;
	size_t i;

	(void)state;
	assert_int_equal(scan_ruleset_new(&rs), 0);
	assert_int_equal(rules_secret_register(rs), 0);
	assert_true(scan_ruleset_count(rs) >= 200);
	for (i = 0; i < scan_ruleset_count(rs); i++) {
		const struct scan_rule *r = scan_ruleset_rule(rs, i);

		assert_string_equal(r->type, "SECRET");
		assert_int_equal(r->category, SCAN_CAT_SECRET);
	}
	/* a second registration collides on ids */
	assert_int_equal(rules_secret_register(rs), -EEXIST);
	scan_ruleset_free(rs);
}

static void test_placeholder_helper(void **state)
{
	(void)state;
	assert_true(secret_is_placeholder("xxxxxxxx", 8));
	assert_true(secret_is_placeholder("${API_TOKEN}", 12));
	assert_true(secret_is_placeholder("{{ token }}", 11));
	assert_true(secret_is_placeholder("<token>", 7));
	assert_true(secret_is_placeholder("$SECRET", 7));
	assert_true(secret_is_placeholder("your_api_key", 12));
	/* "_here" starts with a byte that is no letter: it was never matched */
	assert_true(secret_is_placeholder("q8Xv2LpR9sT4_here", 17));
	assert_true(secret_is_placeholder("Q8XV2LPR9ST4_HERE", 17));
	assert_true(secret_is_placeholder("q8Xv2LpR9sT4-here", 17));
	assert_false(secret_is_placeholder("q8Xv2LpR9sT4", 12));
	assert_false(secret_is_placeholder("{{h}o)p${e]nob(ody}}", 20));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_cloud, setup),
		cmocka_unit_test_setup(test_ai, setup),
		cmocka_unit_test_setup(test_vcs_and_registries, setup),
		cmocka_unit_test_setup(test_chat_and_payment, setup),
		cmocka_unit_test_setup(test_facebook_token, setup),
		cmocka_unit_test_setup(test_generic_shapes, setup),
		cmocka_unit_test_setup(test_more_families, setup),
		cmocka_unit_test_setup(test_placeholders_and_lookalikes, setup),
		cmocka_unit_test_setup(test_zero_width_inside_token, setup),
		cmocka_unit_test_setup(test_cheap_for_hyperscan, setup),
		cmocka_unit_test_setup(test_value_at_text_end, setup),
		cmocka_unit_test(test_registration),
		cmocka_unit_test(test_placeholder_helper),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
