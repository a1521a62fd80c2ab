// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Cloud and infrastructure credentials: AWS, Azure, GCP, Alibaba, Yandex,
 * DigitalOcean, Heroku, Cloudflare, Fly.io, HashiCorp, Databricks, ...
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <hs.h>

#include "rules_secret.h"

/* AWS documents AKIAIOSFODNN7EXAMPLE; gitleaks drops ".+EXAMPLE$". */
static const char *const aws_allow_re[] = { "EXAMPLE$", NULL };

static const char *const gcp_key_ctx[] = {
	"key", "api", "token", "secret", "credential", "gcp", "google", "gemini", "firebase",
	"GOOGLE_API_KEY", "x-goog-api-key", NULL
};

/* Legacy Vault tokens "s." + 24: random mixed case with digits, not a member name. */
static int valid_vault_token(const char *s, size_t len)
{
	size_t i;
	int up = 0, lo = 0, dig = 0;

	if (len < 2 || s[0] != 's' || s[1] != '.')
		return secret_valid_token(s, len);
	for (i = 2; i < len; i++) {
		up |= isupper((unsigned char)s[i]) != 0;
		lo |= islower((unsigned char)s[i]) != 0;
		dig |= isdigit((unsigned char)s[i]) != 0;
	}
	return up && lo && dig && secret_valid_token(s, len);
}

/* Azure AD client secrets: gitleaks' delimiters on both sides. */
static int extract_azure_ad(const char *text, size_t len, struct scan_span *span)
{
	size_t b = span->off, e = span->off + span->len;

	if (b && !strchr("\\'\"`>=:(,) \t\r\n", text[b - 1]))
		return -1;
	if (e < len && !strchr("\\'\"`<), \t\r\n", text[e]))
		return -1;
	return 0;
}

static const char *const aws_secret_ctx[] = { "aws", "secret", "access key", NULL };

/* Azure storage keys: 64 random bytes -> 88 base64 chars ending "==". */
static int valid_azure_key(const char *s, size_t len)
{
	return len == 88 && s[86] == '=' && s[87] == '=' && !secret_is_placeholder(s, len);
}

/*
 * GCP service-account JSON: "type": "service_account" is the anchor; the
 * private key itself is caught by private-key.  The finding is the
 * private_key_id, the value a key rotation needs.
 */

/* One of the other SAS query fields at text[i..hi) (the text is not NUL-terminated). */
static int sas_field_at(const char *text, size_t i, size_t hi)
{
	static const char *const fields[] = { "se=", "sp=", "sv=", "st=", "srt=", "ss=" };
	size_t k, n;

	for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
		n = strlen(fields[k]);
		if (n <= hi - i && !memcmp(text + i, fields[k], n))
			return 1;
	}
	return 0;
}

/* Azure SAS: the signature parameter; the URL query must also carry se=/sp=/sv=. */
static int extract_sas(const char *text, size_t len, struct scan_span *span)
{
	size_t b = span->off, e = span->off + span->len, lo, hi;
	int ctx = 0;

	/* the match is "sig=<value>"; look around it for the other SAS fields */
	lo = b > 400 ? b - 400 : 0;
	hi = e + 400 < len ? e + 400 : len;
	for (size_t i = lo; i + 3 < hi; i++) {
		if ((text[i] == '?' || text[i] == '&' || text[i] == ';') && sas_field_at(text, i + 1, hi))
			ctx = 1;
	}
	if (!ctx)
		return -1;
	if (e > b + 4 && !strchr("%+/=", text[e - 1]) && !isalnum((unsigned char)text[e - 1]))
		e--;    /* the terminator the pattern matched */
	span->off = b + 4;
	span->len = e - b - 4;
	return 0;
}

/* After "AccountKey=", "SharedAccessKey=", "SharedAccessSignature=": up to ';' or a quote. */
static int extract_after_eq(const char *text, size_t len, struct scan_span *span)
{
	const char *eq = memchr(text + span->off, '=', span->len);
	size_t b, e = span->off + span->len;

	if (!eq)
		return -1;
	b = (size_t)(eq - text) + 1;
	if (e > b && !isalnum((unsigned char)text[e - 1]) && !strchr("+/%=&:_.-", text[e - 1]))
		e--;    /* the terminator the pattern matched */
	if (b >= e)
		return -1;
	span->len = e - b;
	span->off = b;
	(void)len;
	return 0;
}

/* The JSON shape: value after the ':' inside quotes. */
static int extract_json_value(const char *text, size_t len, struct scan_span *span)
{
	const char *colon = memchr(text + span->off, ':', span->len);
	size_t b, e = span->off + span->len;

	(void)len;
	if (!colon)
		return -1;
	b = (size_t)(colon - text) + 1;
	while (b < e && (isspace((unsigned char)text[b]) || text[b] == '"'))
		b++;
	while (e > b && text[e - 1] == '"')
		e--;
	if (b >= e)
		return -1;
	span->off = b;
	span->len = e - b;
	return 0;
}

static const struct scan_rule cloud_rules[] = {
	{
		SECRET_RULE("aws-access-token"),
		.regex = "(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}",
		.flags = SCAN_RF_BOUND_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
		.allow_regex = aws_allow_re, .validate = secret_valid_token,
		.priority = 2,
	},
	{
		/* 40 base64 characters assigned to an AWS secret key name */
		SECRET_RULE("aws-secret-access-key"),
		.regex = SECRET_KV("aws[_.-]?(?:secret|sec)[_.-]?(?:access)?[_.-]?key|secret[_.-]?access[_.-]?key|aws[_.-]?secret",
				   "[A-Za-z0-9/+=]{40}"),
		.extract = secret_extract_kv, .flags = SCAN_RF_BOUND_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 4.0,
		.allow_regex = aws_allow_re, .validate = secret_valid_token,
		.context = aws_secret_ctx, .priority = 2,
	},
	{
		SECRET_RULE("aws-amazon-bedrock-api-key-long-lived"),
		.regex = "ABSKQmVkcm9ja0FQSUtleS[A-Za-z0-9+/]{110,}={0,2}" SECRET_END_LOOSE,
		.extract = secret_extract_loose, .flags = SCAN_RF_LEFT_NOT_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("aws-amazon-bedrock-api-key-short-lived"),
		.regex = "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=]*" SECRET_END_LOOSE,
		.extract = secret_extract_loose, .flags = SCAN_RF_LEFT_NOT_ALNUM,
		.conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("azure-storage-account-key"),
		.regex = "(?i:AccountKey|azure[_.-]?storage[_.-]?(?:account[_.-]?)?key|storage[_.-]?account[_.-]?key)"
			 "[\\s'\"]{0,3}(?:=|:|=>|:=)[\\s'\"]{0,3}[A-Za-z0-9+/]{86}==",
		.extract = extract_after_eq, .validate = valid_azure_key,
		.flags = SCAN_RF_RIGHT_NOT_ALNUM,
		.conf = SCAN_CONF_HIGH, .priority = 3,
	},
	{
		SECRET_RULE("azure-connection-string"),
		.regex = "(?i:SharedAccessKey|SharedAccessSignature)=[A-Za-z0-9+/%=&:_.-]{20,}(?:[^A-Za-z0-9+/%=&:_.-]|$)",
		.extract = extract_after_eq, .validate = secret_valid_token,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.5, .priority = 3,
	},
	{
		SECRET_RULE("azure-sas-token"),
		.regex = "sig=[A-Za-z0-9%+/]{40,}(?:%3D|=){0,2}(?:[^A-Za-z0-9%+/=]|$)",
		.extract = extract_sas, .flags = SCAN_RF_RIGHT_NOT_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.5, .priority = 2,
	},
	{
		SECRET_RULE("azure-ad-client-secret"),
		.regex = "[a-zA-Z0-9_~.]{3}\\dQ~[a-zA-Z0-9_~.-]{31,34}",
		.extract = extract_azure_ad,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0, .validate = secret_valid_token,
	},
	{
		SECRET_RULE("gcp-service-account"),
		.regex = "\"private_key_id\"\\s{0,3}:\\s{0,3}\"[a-f0-9]{40}\"",
		.extract = extract_json_value, .min_entropy = 3.0,
		.conf = SCAN_CONF_HIGH,
	},
	{
		/*
		 * Google API keys also ship inside web pages and mobile apps
		 * (Maps, Firebase), so a bare one is often public; one named as
		 * a key or credential (Gemini, service configs) is reported.
		 */
		SECRET_RULE("gcp-api-key"),
		.regex = "AIza[\\w-]{35}",
		.flags = SCAN_RF_BOUND_WORD | SCAN_RF_NEED_CONTEXT,
		.context = gcp_key_ctx, .ctx_words = 8,
		.conf = SCAN_CONF_HIGH, .min_entropy = 4.0, .validate = secret_valid_token,
	},
	{
		SECRET_RULE("alibaba-access-key-id"),
		.regex = "LTAI[a-zA-Z0-9]{20}",
		.flags = SCAN_RF_BOUND_ALNUM, .conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("alibaba-secret-key"),
		.regex = SECRET_KV("alibaba", "[a-z0-9]{30}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("yandex-aws-access-token"),
		.regex = SECRET_KV("yandex", "YC[a-zA-Z0-9_-]{38}"),
		.extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("yandex-api-key"),
		.regex = SECRET_KV("yandex", "AQVN[A-Za-z0-9_-]{35,38}"),
		.extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("yandex-access-token"),
		.regex = SECRET_KV("yandex", "t1\\.[A-Z0-9a-z_-]+[=]{0,2}\\.[A-Z0-9a-z_-]{86}[=]{0,2}"),
		.extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("digitalocean-pat"),
		.regex = "dop_v1_[a-f0-9]{64}", .flags = SCAN_RF_BOUND_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("digitalocean-access-token"),
		.regex = "doo_v1_[a-f0-9]{64}", .flags = SCAN_RF_BOUND_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("digitalocean-refresh-token"),
		.regex = "dor_v1_[a-f0-9]{64}", .flags = SCAN_RF_BOUND_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("heroku-api-key"),
		.regex = SECRET_KV("heroku", "[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("heroku-api-key-v2"),
		.regex = "HRKU-AA[0-9a-zA-Z_-]{58}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 4.0,
	},
	{
		SECRET_RULE("cloudflare-global-api-key"),
		.regex = SECRET_KV("cloudflare", "[a-f0-9]{37}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("cloudflare-api-key"),
		.regex = SECRET_KV("cloudflare", "[a-z0-9_-]{40}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("cloudflare-origin-ca-key"),
		.regex = "v1\\.0-[a-f0-9]{24}-[a-f0-9]{146}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("flyio-access-token"),
		.regex = "(?:fo1_[\\w-]{43}|fm1[ar]_[a-zA-Z0-9+/]{100,}={0,3}|fm2_[a-zA-Z0-9+/]{100,}={0,3})" SECRET_END_LOOSE,
		.flags = SCAN_RF_LEFT_NOT_WORD, .extract = secret_extract_loose,
		.conf = SCAN_CONF_HIGH, .min_entropy = 4.0, .validate = secret_valid_token,
	},
	{
		SECRET_RULE("hashicorp-tf-api-token"),
		.regex = "[a-z0-9]{14}\\.(?-i:atlasv1)\\.[a-z0-9=_-]{60,70}" SECRET_END_LOOSE,
		.extract = secret_extract_loose,
		.hs_flags = HS_FLAG_CASELESS, .flags = SCAN_RF_BOUND_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.5, .validate = secret_valid_token,
	},
	{
		SECRET_RULE("hashicorp-tf-password"),
		.regex = SECRET_KV("administrator_login_password|password", "\"[a-z0-9=_-]{8,20}\""),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_MEDIUM, .min_entropy = 2.0,
		.validate = secret_valid_token, .priority = -1,
	},
	{
		SECRET_RULE("vault-service-token"),
		.regex = "hvs\\.[\\w-]{90,120}" SECRET_END_LOOSE,
		.flags = SCAN_RF_LEFT_NOT_WORD, .extract = secret_extract_loose,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.5, .validate = valid_vault_token,
	},
	{
		/* legacy "s." tokens: the bare prefix is in every other sentence, so a key name leads */
		SECRET_RULE("vault-service-token-legacy"),
		.regex = SECRET_KV("vault|token", "s\\.[a-zA-Z0-9]{24}"),
		.extract = secret_extract_kv, .flags = SCAN_RF_RIGHT_NOT_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.5, .validate = valid_vault_token,
	},
	{
		SECRET_RULE("vault-batch-token"),
		.regex = "hvb\\.[\\w-]{138,}" SECRET_END_LOOSE,
		.flags = SCAN_RF_LEFT_NOT_WORD, .extract = secret_extract_loose,
		.conf = SCAN_CONF_HIGH, .min_entropy = 4.0,
	},
	{
		SECRET_RULE("databricks-api-token"),
		.regex = "dapi[a-f0-9]{32}(?:-\\d)?", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("doppler-api-token"),
		.regex = "dp\\.pt\\.(?i:[a-z0-9]{43})", .flags = SCAN_RF_BOUND_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("pulumi-api-token"),
		.regex = "pul-[a-f0-9]{40}", .flags = SCAN_RF_BOUND_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("planetscale-password"),
		.regex = "pscale_pw_(?i:[\\w=.-]{32,64})" SECRET_END,
		.flags = SCAN_RF_LEFT_NOT_WORD, .extract = secret_extract_token,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("planetscale-api-token"),
		.regex = "pscale_tkn_(?i:[\\w=.-]{32,64})" SECRET_END,
		.flags = SCAN_RF_LEFT_NOT_WORD, .extract = secret_extract_token,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("planetscale-oauth-token"),
		.regex = "pscale_oauth_[\\w=.-]{32,64}" SECRET_END,
		.flags = SCAN_RF_LEFT_NOT_WORD, .extract = secret_extract_token,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("scalingo-api-token"),
		.regex = "tk-us-[\\w-]{48}", .flags = SCAN_RF_LEFT_NOT_WORD,
		.extract = secret_extract_loose, .conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("netlify-access-token"),
		.regex = SECRET_KV("netlify", "[a-z0-9=_-]{40,46}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("harness-api-key"),
		.regex = "(?:pat|sat)\\.[a-zA-Z0-9_-]{22}\\.[a-zA-Z0-9]{24}\\.[a-zA-Z0-9]{20}",
		.flags = SCAN_RF_BOUND_ALNUM, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("infracost-api-token"),
		.regex = "ico-[a-zA-Z0-9]{32}", .flags = SCAN_RF_BOUND_WORD, .extract = secret_extract_nopath,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0, .validate = secret_valid_token,
	},
	{
		SECRET_RULE("octopus-deploy-api-key"),
		.regex = "API-[A-Z0-9]{26}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0, .validate = secret_valid_token,
	},
	{
		SECRET_RULE("openshift-user-token"),
		.regex = "sha256~[\\w-]{43}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.5, .validate = secret_valid_token,
	},
	{
		SECRET_RULE("okta-access-token"),
		.regex = SECRET_KV("(?-i:[Oo]kta|OKTA)", "00[\\w=-]{40}"),
		.extract = secret_extract_kv, .conf = SCAN_CONF_HIGH, .min_entropy = 4.0,
	},
	{
		SECRET_RULE("grafana-api-key"),
		.regex = "eyJrIjoi[A-Za-z0-9]{70,}={0,3}" SECRET_END_LOOSE, .flags = SCAN_RF_LEFT_NOT_WORD,
		.extract = secret_extract_loose, .conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("grafana-cloud-api-token"),
		.regex = "glc_[A-Za-z0-9+/]{32,}={0,3}" SECRET_END_LOOSE, .flags = SCAN_RF_LEFT_NOT_WORD,
		.extract = secret_extract_loose, .conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
		.validate = secret_valid_token,
	},
	{
		SECRET_RULE("grafana-service-account-token"),
		.regex = "glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0, .validate = secret_valid_token,
	},
	{
		SECRET_RULE("new-relic-user-api-key"),
		.regex = "NRAK-[a-z0-9]{27}", .hs_flags = HS_FLAG_CASELESS,
		.flags = SCAN_RF_BOUND_ALNUM, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("new-relic-user-api-id"),
		.regex = SECRET_KV("new-relic|newrelic|new_relic", "[a-z0-9]{64}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("new-relic-browser-api-token"),
		.regex = "NRJS-[a-f0-9]{19}", .flags = SCAN_RF_BOUND_ALNUM, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("new-relic-insert-key"),
		.regex = "NRII-[a-z0-9-]{32}", .hs_flags = HS_FLAG_CASELESS,
		.flags = SCAN_RF_BOUND_ALNUM, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("datadog-access-token"),
		.regex = SECRET_KV("datadog", "[a-z0-9]{40}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("dynatrace-api-token"),
		.regex = "dt0c01\\.(?i:[a-z0-9]{24})\\.[a-z0-9]{64}", .hs_flags = HS_FLAG_CASELESS,
		.flags = SCAN_RF_BOUND_ALNUM, .conf = SCAN_CONF_HIGH, .min_entropy = 4.0,
	},
	{
		SECRET_RULE("sumologic-access-id"),
		.regex = SECRET_KV("(?-i:[Ss]umo|SUMO)", "su[a-zA-Z0-9]{12}"),
		.extract = secret_extract_kv, .flags = SCAN_RF_BOUND_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("sumologic-access-token"),
		.regex = SECRET_KV("(?-i:[Ss]umo|SUMO)", "[a-z0-9]{64}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("sentry-access-token"),
		.regex = SECRET_KV("sentry", "[a-f0-9]{64}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("sentry-org-token"),
		.regex = "sntrys_eyJpYXQiO[a-zA-Z0-9+/]{10,200}(?:LCJyZWdpb25fdXJs|InJlZ2lvbl91cmwi|cmVnaW9uX3VybCI6)"
			 "[a-zA-Z0-9+/]{10,200}={0,2}_[a-zA-Z0-9+/]{43}",
		.flags = SCAN_RF_LEFT_NOT_WORD | SCAN_RF_RIGHT_NOT_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 4.5,
	},
	{
		SECRET_RULE("sentry-user-token"),
		.regex = "sntryu_[a-f0-9]{64}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.5,
	},
	{
		SECRET_RULE("defined-networking-api-token"),
		.regex = SECRET_KV("dnkey", "dnkey-[a-z0-9=_-]{26}-[a-z0-9=_-]{52}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("prefect-api-token"),
		.regex = "pnu_[a-zA-Z0-9]{36}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0, .validate = secret_valid_token,
	},
	{
		SECRET_RULE("settlemint-personal-access-token"),
		.regex = "sm_pat_[a-zA-Z0-9]{16}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("settlemint-application-access-token"),
		.regex = "sm_aat_[a-zA-Z0-9]{16}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("settlemint-service-access-token"),
		.regex = "sm_sat_[a-zA-Z0-9]{16}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("clickhouse-cloud-api-secret-key"),
		.regex = "4b1d[A-Za-z0-9]{38}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0, .validate = secret_valid_token,
	},
	{
		SECRET_RULE("1password-service-account-token"),
		.regex = "ops_eyJ[a-zA-Z0-9+/]{250,}={0,3}" SECRET_END_LOOSE, .flags = SCAN_RF_LEFT_NOT_WORD,
		.extract = secret_extract_loose, .conf = SCAN_CONF_HIGH, .min_entropy = 4.0,
	},
	{
		SECRET_RULE("1password-secret-key"),
		.regex = "A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}",
		.flags = SCAN_RF_BOUND_ALNUM, .conf = SCAN_CONF_HIGH, .min_entropy = 3.8,
	},
	{
		SECRET_RULE("age-secret-key"),
		.regex = "AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
		.flags = SCAN_RF_BOUND_ALNUM, .conf = SCAN_CONF_HIGH,
	},
};

int rules_secret_cloud_register(struct scan_ruleset *rs)
{
	return scan_ruleset_add(rs, cloud_rules, sizeof(cloud_rules) / sizeof(cloud_rules[0]));
}
