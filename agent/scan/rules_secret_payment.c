// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Payments, commerce and finance: Stripe, Square, PayPal/Braintree,
 * Shopify, Plaid, Flutterwave, GoCardless, exchanges, shipping APIs.
 */
#include <hs.h>

#include "rules_secret.h"

#define UUID_RE "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

/* Kraken keys are 80-90 characters; the pattern leaves the length out to keep SOM cheap. */
static int valid_len_80_90(const char *s, size_t len)
{
	return len >= 80 && len <= 90 && secret_valid_token(s, len);
}

static const struct scan_rule payment_rules[] = {
	{
		SECRET_RULE("stripe-access-token"),
		.regex = "(?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99}", .extract = secret_extract_loose,
		.trigger = SCAN_TRIG_TOKEN,
		.flags = SCAN_RF_BOUND_WORD, .conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
		.validate = secret_valid_token,
	},
	{
		SECRET_RULE("stripe-webhook-secret"),
		.regex = "whsec_[a-zA-Z0-9]{32,64}" SECRET_END_LOOSE,
		.extract = secret_extract_loose, .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0, .validate = secret_valid_token,
	},
	{
		SECRET_RULE("square-access-token"),
		.regex = "(?:EAAA|sq0atp-)[\\w-]{22,60}" SECRET_END_LOOSE,
		.extract = secret_extract_loose, .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0, .validate = secret_valid_token,
	},
	{
		SECRET_RULE("square-oauth-secret"),
		.regex = "sq0csp-[0-9A-Za-z_-]{43}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("squarespace-access-token"),
		.regex = SECRET_KV("squarespace", UUID_RE),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("paypal-braintree-access-token"),
		.regex = "access_token\\$(?:production|sandbox)\\$[0-9a-z]{16}\\$[0-9a-f]{32}",
		.flags = SCAN_RF_RIGHT_NOT_ALNUM, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("paypal-client-secret"),
		.regex = SECRET_KV("paypal[_.-]?(?:client[_.-]?)?secret|braintree[_.-]?(?:private[_.-]?key|secret)",
				   "[A-Za-z0-9_-]{32,}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.5, .validate = secret_valid_token,
	},
	{
		SECRET_RULE("shopify-shared-secret"),
		.regex = "shpss_[a-fA-F0-9]{32}", .flags = SCAN_RF_BOUND_WORD, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("shopify-access-token"),
		.regex = "shpat_[a-fA-F0-9]{32}", .flags = SCAN_RF_BOUND_WORD, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("shopify-custom-access-token"),
		.regex = "shpca_[a-fA-F0-9]{32}", .flags = SCAN_RF_BOUND_WORD, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("shopify-private-app-access-token"),
		.regex = "shppa_[a-fA-F0-9]{32}", .flags = SCAN_RF_BOUND_WORD, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("plaid-client-id"),
		.regex = SECRET_KV("plaid", "[a-z0-9]{24}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.5,
	},
	{
		SECRET_RULE("plaid-secret-key"),
		.regex = SECRET_KV("plaid", "[a-z0-9]{30}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.5,
	},
	{
		SECRET_RULE("plaid-api-token"),
		.regex = "access-(?:sandbox|development|production)-" UUID_RE,
		.hs_flags = HS_FLAG_CASELESS, .flags = SCAN_RF_BOUND_ALNUM, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("flutterwave-public-key"),
		.regex = "FLWPUBK_TEST-(?i:[a-h0-9]{32})-X", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("flutterwave-secret-key"),
		.regex = "FLWSECK_TEST-(?i:[a-h0-9]{32})-X", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("flutterwave-encryption-key"),
		.regex = "FLWSECK_TEST-(?i:[a-h0-9]{12})", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("gocardless-api-token"),
		.regex = SECRET_KV("gocardless", "live_(?i:[a-z0-9=_-]{40})"),
		.extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("coinbase-access-token"),
		.regex = SECRET_KV("coinbase", "[a-z0-9_-]{64}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("kraken-access-token"),
		.regex = SECRET_KV("kraken", "[a-z0-9/_+-][a-z0-9/=_+-]+"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
		.validate = valid_len_80_90,
	},
	{
		SECRET_RULE("kucoin-access-token"),
		.regex = SECRET_KV("kucoin", "[a-f0-9]{24}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("kucoin-secret-key"),
		.regex = SECRET_KV("kucoin", UUID_RE),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("bittrex-access-key"),
		.regex = SECRET_KV("bittrex", "[a-z0-9]{32}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("duffel-api-token"),
		.regex = "duffel_(?:test|live)_(?i:[a-z0-9_=-]{43})", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("easypost-api-token"),
		.regex = "EZAK(?i:[a-z0-9]{54})", .flags = SCAN_RF_BOUND_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("easypost-test-api-token"),
		.regex = "EZTK(?i:[a-z0-9]{54})", .flags = SCAN_RF_BOUND_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("shippo-api-token"),
		.regex = "shippo_(?:live|test)_[a-fA-F0-9]{40}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("lob-pub-api-key"),
		.regex = SECRET_KV("lob", "(?:test|live)_pub_[a-f0-9]{31}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("lob-api-key"),
		.regex = SECRET_KV("lob", "(?:live|test)_[a-f0-9]{35}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("finicity-api-token"),
		.regex = SECRET_KV("finicity", "[a-f0-9]{32}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("finicity-client-secret"),
		.regex = SECRET_KV("finicity", "[a-z0-9]{20}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("finnhub-access-token"),
		.regex = SECRET_KV("finnhub", "[a-z0-9]{20}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
};

int rules_secret_payment_register(struct scan_ruleset *rs)
{
	return scan_ruleset_add(rs, payment_rules, sizeof(payment_rules) / sizeof(payment_rules[0]));
}
