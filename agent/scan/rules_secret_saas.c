// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Other SaaS APIs: productivity, analytics, maps, media, developer tools.
 * Most are gitleaks' semi-generic rules: a service name, an assignment,
 * a value of the service's shape.
 */
#include <string.h>

#include <hs.h>

#include "rules_secret.h"

#define UUID_RE "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

/* Semi-generic rule, case-insensitive, HIGH. */
#define KV_RULE(rid, ids, secret, ent)                                     \
	{                                                                  \
		SECRET_RULE(rid), .regex = SECRET_KV(ids, secret),         \
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, \
		.conf = SCAN_CONF_HIGH, .min_entropy = (ent),              \
		.validate = secret_valid_token,                            \
	}

/* A prefixed token, word-bounded, HIGH. */
#define TOKEN_RULE(rid, re, ent)                                           \
	{                                                                  \
		SECRET_RULE(rid), .regex = (re),                           \
		.flags = SCAN_RF_BOUND_WORD, .conf = SCAN_CONF_HIGH,       \
		.min_entropy = (ent), .validate = secret_valid_token,      \
	}

static const struct scan_rule saas_rules[] = {
	KV_RULE("adafruit-api-key", "adafruit", "[a-z0-9_-]{32}", 0),
	KV_RULE("adobe-client-id", "adobe", "[a-f0-9]{32}", 2.0),
	TOKEN_RULE("adobe-client-secret", "p8e-(?i:[a-z0-9]{32})", 2.0),
	KV_RULE("airtable-api-key", "airtable", "[a-z0-9]{17}", 0),
	TOKEN_RULE("airtable-personnal-access-token", "pat[a-zA-Z0-9]{14}\\.[a-f0-9]{64}", 0),
	KV_RULE("algolia-api-key", "algolia", "[a-z0-9]{32}", 0),
	KV_RULE("asana-client-id", "asana", "[0-9]{16}", 0),
	KV_RULE("asana-client-secret", "asana", "[a-z0-9]{32}", 0),
	KV_RULE("beamer-api-token", "beamer", "b_[a-z0-9=_-]{44}", 0),
	KV_RULE("confluent-access-token", "confluent", "[a-z0-9]{16}", 0),
	KV_RULE("confluent-secret-key", "confluent", "[a-z0-9]{64}", 0),
	KV_RULE("contentful-delivery-api-token", "contentful", "[a-z0-9=_-]{43}", 0),
	KV_RULE("dropbox-api-token", "dropbox", "[a-z0-9]{15}", 0),
	TOKEN_RULE("dropbox-short-lived-api-token", "sl\\.[a-z0-9_=-]{135}", 0),
	KV_RULE("dropbox-long-lived-api-token", "dropbox", "[a-z0-9]{11}(?:AAAAAAAAAA)[a-z0-9_=-]{43}", 0),
	KV_RULE("etsy-access-token", "(?-i:ETSY|[Ee]tsy)", "[a-z0-9]{24}", 3.0),
	KV_RULE("fastly-api-token", "fastly", "[a-z0-9=_-]{32}", 0),
	TOKEN_RULE("frameio-api-token", "fio-u-(?i:[a-z0-9_=-]{64})", 0),
	KV_RULE("flickr-access-token", "flickr", "[a-z0-9]{32}", 0),
	KV_RULE("freshbooks-access-token", "freshbooks", "[a-z0-9]{64}", 0),
	KV_RULE("hubspot-api-key", "hubspot", UUID_RE, 0),
	KV_RULE("launchdarkly-access-token", "launchdarkly", "[a-z0-9=_-]{40}", 0),
	TOKEN_RULE("linear-api-key", "lin_api_(?i:[a-z0-9]{40})", 0),
	KV_RULE("linear-client-secret", "linear", "[a-f0-9]{32}", 2.0),
	KV_RULE("looker-client-id", "looker", "[a-z0-9]{20}", 0),
	KV_RULE("looker-client-secret", "looker", "[a-z0-9]{24}", 0),
	TOKEN_RULE("mapbox-api-token", "pk\\.(?i:[a-z0-9]{60})\\.(?i:[a-z0-9]{22})", 0),
	KV_RULE("maxmind-license-key", "maxmind|geoip", "[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk", 4.0),
	KV_RULE("cisco-meraki-api-key", "(?-i:[Mm]eraki|MERAKI)", "[0-9a-f]{40}", 3.0),
	TOKEN_RULE("notion-api-token", "ntn_[0-9]{11}[A-Za-z0-9]{32}[A-Za-z0-9]{3}", 4.0),
	KV_RULE("rapidapi-access-token", "rapidapi", "[a-z0-9_-]{50}", 0),
	TOKEN_RULE("typeform-api-token", "tfp_(?i:[a-z0-9_.=-]{59})", 0),
	TOKEN_RULE("intra42-client-secret", "s-s4t2(?:ud|af)-(?i:[a-f0-9]{64})", 3.0),
	KV_RULE("sidekiq-secret", "BUNDLE_ENTERPRISE__CONTRIBSYS__COM|BUNDLE_GEMS__CONTRIBSYS__COM",
		"[a-f0-9]{8}:[a-f0-9]{8}", 0),
	KV_RULE("zoho-api-token", "zoho", "1000\\.[a-f0-9]{32}\\.[a-f0-9]{32}", 3.0),
	KV_RULE("mongodb-atlas-key", "atlas[_.-]?(?:private|api)[_.-]?key", UUID_RE, 0),
	KV_RULE("pagerduty-api-key", "pagerduty|pd[_.-]?api[_.-]?key", "u\\+[a-z0-9_+-]{18}", 0),
	KV_RULE("segment-write-key", "segment[_.-]?write[_.-]?key", "[a-z0-9]{32}", 3.0),
	KV_RULE("mixpanel-api-secret", "mixpanel", "[a-f0-9]{32}", 3.0),
	KV_RULE("amplitude-api-key", "amplitude", "[a-f0-9]{32}", 3.0),
	KV_RULE("firebase-server-key", "firebase|fcm", "AAAA[A-Za-z0-9_-]{7}:[A-Za-z0-9_-]{140}", 3.5),
	TOKEN_RULE("shopify-storefront-token", "shpsf_[a-fA-F0-9]{32}", 2.0),
	TOKEN_RULE("mailersend-api-token", "mlsn\\.[a-f0-9]{64}", 3.0),
	{
		/* short prefixes are costly for the whole-text scan: token windows only */
		SECRET_RULE("resend-api-key"), .regex = "re_[A-Za-z0-9]{8}_[A-Za-z0-9]{24}",
		.flags = SCAN_RF_BOUND_WORD, .conf = SCAN_CONF_HIGH, .min_entropy = 4.0,
		.validate = secret_valid_token, .trigger = SCAN_TRIG_TOKEN,
	},
	TOKEN_RULE("supabase-service-key", "sbp_[a-f0-9]{40}", 3.0),
	{
		SECRET_RULE("vercel-access-token"), .regex = "vc[pkiar]_[A-Za-z0-9]{56}",
		.flags = SCAN_RF_BOUND_WORD, .conf = SCAN_CONF_HIGH, .min_entropy = 4.0,
		.validate = secret_valid_token, .trigger = SCAN_TRIG_TOKEN,
	},
	TOKEN_RULE("render-api-key", "rnd_[A-Za-z0-9]{32}", 4.0),
	TOKEN_RULE("figma-pat", "figd_[A-Za-z0-9_-]{40}", 4.0),
	TOKEN_RULE("ngrok-api-key", "ngrok_[A-Za-z0-9]{20}_[A-Za-z0-9]{20}", 4.0),
};

/*
 * sidekiq-sensitive-url: the user:password of a contribsys gem source URL.
 * The match is "http(s)://user:pass@"; the value is "user:pass".
 */
static int extract_userinfo(const char *text, size_t len, struct scan_span *span)
{
	size_t b = span->off, e = span->off + span->len;
	const char *at;

	(void)len;
	while (b + 2 < e && !(text[b] == '/' && text[b + 1] == '/'))
		b++;
	b += 2;
	at = b < e ? memchr(text + b, '@', e - b) : NULL;
	if (!at)
		return -1;
	span->off = b;
	span->len = (size_t)(at - text) - b;
	return 0;
}

static const struct scan_rule saas_url_rules[] = {
	{
		SECRET_RULE("sidekiq-sensitive-url"),
		.regex = "https?://[a-f0-9]{8}:[a-f0-9]{8}@(?:gems\\.contribsys\\.com|enterprise\\.contribsys\\.com)",
		.hs_flags = HS_FLAG_CASELESS, .extract = extract_userinfo,
		.conf = SCAN_CONF_HIGH, .priority = SECRET_PRIO_OVER_PII,
	},
};

int rules_secret_saas_register(struct scan_ruleset *rs)
{
	int err = scan_ruleset_add(rs, saas_rules, sizeof(saas_rules) / sizeof(saas_rules[0]));

	if (err)
		return err;
	return scan_ruleset_add(rs, saas_url_rules, sizeof(saas_url_rules) / sizeof(saas_url_rules[0]));
}
