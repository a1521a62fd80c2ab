// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * AI provider API keys: OpenAI, Anthropic, Azure OpenAI, Hugging Face,
 * Cohere, Perplexity, Groq, Replicate, xAI, Private AI, ...
 */
#include <hs.h>

#include "rules_secret.h"

static const char *const azure_openai_ctx[] = {
	"azure", "openai", "api-key", "cognitive", "aoai", NULL
};

static const struct scan_rule ai_rules[] = {
	{
		/*
		 * Classic sk-<48> keys and project/service/admin keys, whose
		 * body carries "T3BlbkFJ" ("OpenAI" in base64) in the middle.
		 */
		SECRET_RULE("openai-api-key"),
		.regex = "sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}"
			 "|[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20})",
		.trigger = SCAN_TRIG_TOKEN,
		.flags = SCAN_RF_LEFT_NOT_WORD, .extract = secret_extract_loose,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0, .priority = 2,
	},
	{
		/* newer keys without the marker: sk-proj- plus a long body */
		SECRET_RULE("openai-project-key"),
		.regex = "sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{40,}", .trigger = SCAN_TRIG_TOKEN,
		.flags = SCAN_RF_LEFT_NOT_WORD, .extract = secret_extract_loose,
		.conf = SCAN_CONF_HIGH, .min_entropy = 4.0, .validate = secret_valid_token,
		.priority = 1,
	},
	{
		/* legacy sk-<48 alnum>: also DeepSeek-style keys; a key name near raises */
		SECRET_RULE("openai-legacy-key"),
		.regex = "sk-[A-Za-z0-9]{48}", .trigger = SCAN_TRIG_TOKEN,
		.flags = SCAN_RF_BOUND_WORD, .conf = SCAN_CONF_HIGH, .min_entropy = 4.0,
		.validate = secret_valid_token,
	},
	{
		SECRET_RULE("anthropic-api-key"),
		.regex = "sk-ant-api03-[a-zA-Z0-9_-]{93}AA",
		.flags = SCAN_RF_BOUND_WORD, .conf = SCAN_CONF_HIGH, .priority = 2,
	},
	{
		SECRET_RULE("anthropic-admin-api-key"),
		.regex = "sk-ant-admin01-[a-zA-Z0-9_-]{93}AA",
		.flags = SCAN_RF_BOUND_WORD, .conf = SCAN_CONF_HIGH, .priority = 2,
	},
	{
		/* other sk-ant- shapes (sk-ant-oat01-, future versions) */
		SECRET_RULE("anthropic-key"),
		.regex = "sk-ant-(?:oat|ort|sid)\\d{2}-[a-zA-Z0-9_-]{80,}" SECRET_END_LOOSE,
		.extract = secret_extract_loose,
		.flags = SCAN_RF_BOUND_WORD, .conf = SCAN_CONF_HIGH, .min_entropy = 4.0,
		.validate = secret_valid_token,
	},
	{
		/* Azure OpenAI: `api-key: <32 hex>` header, or an AZURE_OPENAI key name */
		SECRET_RULE("azure-openai-api-key"),
		.regex = SECRET_KV("api-key|azure[_.-]?openai[_.-]?(?:api[_.-]?)?key|aoai[_.-]?key|"
				   "cognitive[_.-]?services?[_.-]?key|ocp-apim-subscription-key",
				   "[a-f0-9]{32}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.flags = SCAN_RF_BOUND_ALNUM, .conf = SCAN_CONF_MEDIUM, .conf_ctx = SCAN_CONF_HIGH,
		.context = azure_openai_ctx, .ctx_words = 20, .min_entropy = 3.0,
		.validate = secret_valid_token, .priority = 1,
	},
	{
		SECRET_RULE("huggingface-access-token"),
		.regex = "hf_(?i:[a-z]{34})", .flags = SCAN_RF_BOUND_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0, .validate = secret_valid_token,
	},
	{
		SECRET_RULE("huggingface-organization-api-token"),
		.regex = "api_org_(?i:[a-z]{34})", .flags = SCAN_RF_BOUND_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0, .validate = secret_valid_token,
	},
	{
		SECRET_RULE("cohere-api-token"),
		.regex = SECRET_KV("cohere|CO_API_KEY", "[a-zA-Z0-9]{40}"),
		.extract = secret_extract_kv, .conf = SCAN_CONF_HIGH, .min_entropy = 4.0,
		.validate = secret_valid_token,
	},
	{
		SECRET_RULE("perplexity-api-key"),
		.regex = "pplx-[a-zA-Z0-9]{48}", .flags = SCAN_RF_BOUND_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 4.0,
	},
	{
		SECRET_RULE("groq-api-key"),
		.regex = "gsk_[a-zA-Z0-9]{52}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 4.0,
	},
	{
		SECRET_RULE("replicate-api-token"),
		.regex = "r8_[a-zA-Z0-9]{37}", .flags = SCAN_RF_BOUND_WORD, .trigger = SCAN_TRIG_TOKEN,
		.conf = SCAN_CONF_HIGH, .min_entropy = 4.0,
	},
	{
		SECRET_RULE("xai-api-key"),
		.regex = "xai-[a-zA-Z0-9]{80}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 4.0,
	},
	{
		SECRET_RULE("langsmith-api-key"),
		.regex = "lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("privateai-api-token"),
		.regex = SECRET_KV("private[_-]?ai", "[a-z0-9]{32}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
};

int rules_secret_ai_register(struct scan_ruleset *rs)
{
	return scan_ruleset_add(rs, ai_rules, sizeof(ai_rules) / sizeof(ai_rules[0]));
}
