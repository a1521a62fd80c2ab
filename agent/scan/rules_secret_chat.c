// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Messaging, e-mail delivery and social platforms: Slack, Discord,
 * Telegram, Microsoft Teams, Twilio, SendGrid, Mailgun, Mailchimp,
 * Twitter/X, Facebook, LinkedIn, Twitch, ...
 */
#include <ctype.h>

#include <hs.h>

#include "rules_secret.h"

#define UUID_RE "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

#define FB_TAIL_MAX 40   /* bytes of the secret after "id|" (27 at least) */

/* [0-9A-Za-z_-], whatever the locale */
static int is_fb_tail(unsigned char c)
{
	return (c >= '0' && c <= '9') || (unsigned char)((c | 0x20) - 'a') < 26 || c == '_' ||
	       c == '-';
}

/*
 * The pattern starts at the app id's last digit (a digit-led one is slow on
 * numbers): widen to the id.  It holds the secret's first 27 bytes only (a
 * {27,40} repeat and a terminator tried after every '|' of a log or a table
 * were a sixth of the full-text database's time): the secret is the whole
 * run of [0-9A-Za-z_-] after the separator, at most FB_TAIL_MAX bytes, and
 * secret_extract_token() wants a terminator after it, as SECRET_END did.
 */
static int extract_fb_token(const char *text, size_t len, struct scan_span *span)
{
	size_t b = span->off + 1, d = 0, tail, e = span->off + span->len;

	while (b > 0 && d < 17 && isdigit((unsigned char)text[b - 1])) {
		b--;
		d++;
	}
	if (d < 15 || d > 16)
		return -1;
	tail = span->off + (text[span->off + 1] == '|' ? 2 : 4);
	while (e < len && is_fb_tail((unsigned char)text[e]) && e - tail < FB_TAIL_MAX)
		e++;
	if (e < len && is_fb_tail((unsigned char)text[e]))
		return -1;
	span->off = b;
	span->len = e - b;
	return secret_extract_token(text, len, span);
}

/* App-only bearer tokens start with 22 'A's. */
static int valid_twitter_bearer(const char *s, size_t len)
{
	size_t i;

	if (len < 102 || len > 122)
		return 0;
	for (i = 0; i < 22; i++)
		if (s[i] != 'A')
			return 0;
	return 1;
}

static const char *const facebook_ctx[] = {
	"facebook", "fb", "access_token", "graph", "meta", NULL
};

static const struct scan_rule chat_rules[] = {
	{
		SECRET_RULE("slack-bot-token"),
		.regex = "xoxb-[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]*" SECRET_END_LOOSE,
		.flags = SCAN_RF_BOUND_WORD, .extract = secret_extract_loose,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0, .priority = 1,
	},
	{
		SECRET_RULE("slack-user-token"),
		.regex = "xox[pe](?:-[0-9]{10,13}){3}-[a-zA-Z0-9-]{28,34}",
		.flags = SCAN_RF_BOUND_WORD, .conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
		.priority = 1,
	},
	{
		SECRET_RULE("slack-app-token"),
		.regex = "xapp-\\d-[A-Z0-9]+-\\d+-[a-z0-9]+" SECRET_END_LOOSE, .hs_flags = HS_FLAG_CASELESS,
		.flags = SCAN_RF_BOUND_WORD, .extract = secret_extract_loose,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("slack-config-access-token"),
		.regex = "xoxe\\.xox[bp]-\\d-[A-Z0-9]{163,166}", .hs_flags = HS_FLAG_CASELESS,
		.flags = SCAN_RF_BOUND_WORD, .conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
		.priority = 1,
	},
	{
		SECRET_RULE("slack-config-refresh-token"),
		.regex = "xoxe-\\d-[A-Z0-9]{146}", .hs_flags = HS_FLAG_CASELESS,
		.flags = SCAN_RF_BOUND_WORD, .conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("slack-legacy-bot-token"),
		.regex = "xoxb-[0-9]{8,14}-[a-zA-Z0-9]{18,26}",
		.flags = SCAN_RF_BOUND_WORD, .conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
		.validate = secret_valid_token,
	},
	{
		SECRET_RULE("slack-legacy-token"),
		.regex = "xox[os]-\\d+-\\d+-\\d+-[a-fA-F\\d]+" SECRET_END_LOOSE,
		.flags = SCAN_RF_BOUND_WORD, .extract = secret_extract_loose,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("slack-legacy-workspace-token"),
		.regex = "xox[ar]-(?:\\d-)?[0-9a-zA-Z]{8,48}(?:[^0-9a-zA-Z]|$)", .extract = secret_extract_alnum,
		.flags = SCAN_RF_BOUND_WORD, .conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("slack-webhook-url"),
		.regex = "(?:https?://)?hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,}"
			 SECRET_END_LOOSE,
		.extract = secret_extract_loose,
		.hs_flags = HS_FLAG_CASELESS, .flags = SCAN_RF_RIGHT_NOT_ALNUM,
		.conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("discord-webhook-url"),
		.regex = "https://(?:ptb\\.|canary\\.)?discord(?:app)?\\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_-]{60,68}",
		.flags = SCAN_RF_RIGHT_NOT_WORD, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("discord-api-token"),
		.regex = SECRET_KV("discord", "[a-f0-9]{64}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("discord-client-id"),
		.regex = SECRET_KV("discord", "[0-9]{18}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("discord-client-secret"),
		.regex = SECRET_KV("discord", "[a-z0-9=_-]{32}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("discord-bot-token"),
		.regex = SECRET_KV("discord|bot[_.-]?token", "[MNO][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.5,
	},
	{
		SECRET_RULE("telegram-bot-api-token"),
		.regex = SECRET_KV("telegr", "[0-9]{5,16}:(?-i:A)[a-z0-9_-]{34}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		/* BotFather tokens in prose: <bot id>:AA<33> */
		SECRET_RULE("telegram-bot-token"),
		.regex = "[0-9]{8,10}:AA[A-Za-z0-9_-]{33}",
		.flags = SCAN_RF_LEFT_NOT_ALNUM | SCAN_RF_RIGHT_NOT_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.5, .priority = -1,
	},
	{
		SECRET_RULE("microsoft-teams-webhook"),
		.regex = "https://[a-z0-9-]+\\.webhook\\.office\\.com/webhookb2/" UUID_RE "@" UUID_RE
			 "/IncomingWebhook/[a-z0-9]{32}/" UUID_RE,
		.hs_flags = HS_FLAG_CASELESS, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("twilio-api-key"),
		.regex = "SK[0-9a-fA-F]{32}", .flags = SCAN_RF_BOUND_ALNUM, .trigger = SCAN_TRIG_TOKEN,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("sendgrid-api-token"),
		.regex = "SG\\.(?i:[a-z0-9=_.-]{66})", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("sendinblue-api-token"),
		.regex = "xkeysib-[a-f0-9]{64}-(?i:[a-z0-9]{16})", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("mailgun-private-api-token"),
		.regex = SECRET_KV("mailgun", "key-[a-f0-9]{32}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("mailgun-pub-key"),
		.regex = SECRET_KV("mailgun", "pubkey-[a-f0-9]{32}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("mailgun-signing-key"),
		.regex = SECRET_KV("mailgun", "[a-h0-9]{32}-[a-h0-9]{8}-[a-h0-9]{8}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("mailchimp-api-key"),
		.regex = SECRET_KV("MailchimpSDK\\.initialize|mailchimp", "[a-f0-9]{32}-us\\d\\d?"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("messagebird-api-token"),
		.regex = SECRET_KV("message[_-]?bird", "[a-z0-9]{25}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("messagebird-client-id"),
		.regex = SECRET_KV("message[_-]?bird", UUID_RE),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("mattermost-access-token"),
		.regex = SECRET_KV("mattermost", "[a-z0-9]{26}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("intercom-api-key"),
		.regex = SECRET_KV("intercom", "[a-z0-9=_-]{60}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("twitter-api-key"),
		.regex = SECRET_KV("twitter", "[a-z0-9]{25}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("twitter-api-secret"),
		.regex = SECRET_KV("twitter", "[a-z0-9]{50}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("twitter-access-secret"),
		.regex = SECRET_KV("twitter", "[a-z0-9]{45}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("twitter-access-token"),
		.regex = SECRET_KV("twitter", "[0-9]{15,25}-[a-zA-Z0-9]{20,40}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("twitter-bearer-token"),
		/* the 22 'A's are checked in C: as a literal, Hyperscan would anchor on them */
		.regex = SECRET_KV("twitter", "[a-zA-Z0-9%]{102,}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
		.validate = valid_twitter_bearer,
	},
	{
		SECRET_RULE("facebook-secret"),
		.regex = SECRET_KV("facebook", "[a-f0-9]{32}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("facebook-access-token"),
		/* app-id|secret: digit-led, so only next to a Facebook word */
		.regex = "[0-9](?:\\||%7[Cc])[0-9a-zA-Z_-]{27}",
		.flags = SCAN_RF_LEFT_NOT_WORD | SCAN_RF_NEED_CONTEXT, .extract = extract_fb_token,
		.context = facebook_ctx, .ctx_words = 8,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("facebook-page-access-token"),
		.regex = "EAA[MC][a-zA-Z0-9]{100,}" SECRET_END_LOOSE,
		.extract = secret_extract_loose, .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 4.0,
	},
	{
		SECRET_RULE("linkedin-client-id"),
		.regex = SECRET_KV("linked[_-]?in", "[a-z0-9]{14}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("linkedin-client-secret"),
		.regex = SECRET_KV("linked[_-]?in", "[a-z0-9]{16}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("twitch-api-token"),
		.regex = SECRET_KV("twitch", "[a-z0-9]{30}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("zendesk-secret-key"),
		.regex = SECRET_KV("zendesk", "[a-z0-9]{40}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("sendbird-access-id"),
		.regex = SECRET_KV("sendbird", UUID_RE),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("sendbird-access-token"),
		.regex = SECRET_KV("sendbird", "[a-f0-9]{40}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("nytimes-access-token"),
		.regex = SECRET_KV("nytimes|new-york-times|newyorktimes", "[a-z0-9=_-]{32}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
};

int rules_secret_chat_register(struct scan_ruleset *rs)
{
	return scan_ruleset_add(rs, chat_rules, sizeof(chat_rules) / sizeof(chat_rules[0]));
}
