// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Source hosting, CI and package registries: GitHub, GitLab, Bitbucket,
 * Sourcegraph, Atlassian, npm, PyPI, Docker Hub, NuGet, RubyGems,
 * Clojars, Artifactory/JFrog, CI services.
 */
#include <hs.h>

#include "rules_secret.h"

static const struct scan_rule vcs_rules[] = {
	{
		SECRET_RULE("github-pat"),
		.regex = "ghp_[0-9a-zA-Z]{36}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0, .validate = secret_valid_token,
	},
	{
		SECRET_RULE("github-fine-grained-pat"),
		.regex = "github_pat_\\w{82}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0, .validate = secret_valid_token,
	},
	{
		SECRET_RULE("github-oauth"),
		.regex = "gho_[0-9a-zA-Z]{36}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0, .validate = secret_valid_token,
	},
	{
		SECRET_RULE("github-app-token"),
		.regex = "(?:ghu|ghs)_[0-9a-zA-Z]{36}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0, .validate = secret_valid_token,
	},
	{
		SECRET_RULE("github-refresh-token"),
		.regex = "ghr_[0-9a-zA-Z]{36}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0, .validate = secret_valid_token,
	},
	{
		SECRET_RULE("gitlab-pat"),
		.regex = "glpat-[\\w-]{20}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0, .validate = secret_valid_token,
	},
	{
		SECRET_RULE("gitlab-pat-routable"),
		.regex = "glpat-[0-9a-zA-Z_-]{27,}\\.[0-9a-z]{2}[0-9a-z]{7}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 4.0, .validate = secret_valid_token,
		.priority = 1,
	},
	{
		SECRET_RULE("gitlab-ptt"),
		.regex = "glptt-[0-9a-f]{40}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("gitlab-rrt"),
		.regex = "GR1348941[\\w-]{20}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0, .validate = secret_valid_token,
	},
	{
		SECRET_RULE("gitlab-runner-authentication-token"),
		.regex = "glrt-[0-9a-zA-Z_-]{20}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0, .validate = secret_valid_token,
	},
	{
		SECRET_RULE("gitlab-runner-authentication-token-routable"),
		.regex = "glrt-t\\d_[0-9a-zA-Z_-]{27,}\\.[0-9a-z]{2}[0-9a-z]{7}",
		.flags = SCAN_RF_BOUND_WORD, .conf = SCAN_CONF_HIGH, .min_entropy = 4.0,
		.validate = secret_valid_token, .priority = 1,
	},
	{
		SECRET_RULE("gitlab-cicd-job-token"),
		.regex = "glcbt-[0-9a-zA-Z]{1,5}_[0-9a-zA-Z_-]{20}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("gitlab-deploy-token"),
		.regex = "gldt-[0-9a-zA-Z_-]{20}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("gitlab-feature-flag-client-token"),
		.regex = "glffct-[0-9a-zA-Z_-]{20}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("gitlab-feed-token"),
		.regex = "glft-[0-9a-zA-Z_-]{20}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("gitlab-incoming-mail-token"),
		.regex = "glimt-[0-9a-zA-Z_-]{25}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("gitlab-kubernetes-agent-token"),
		.regex = "glagent-[0-9a-zA-Z_-]{50}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("gitlab-oauth-app-secret"),
		.regex = "gloas-[0-9a-zA-Z_-]{64}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("gitlab-scim-token"),
		.regex = "glsoat-[0-9a-zA-Z_-]{20}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("gitlab-session-cookie"),
		.regex = "_gitlab_session=[0-9a-z]{32}", .flags = SCAN_RF_RIGHT_NOT_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("bitbucket-client-id"),
		.regex = SECRET_KV("bitbucket", "[a-z0-9]{32}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("bitbucket-client-secret"),
		.regex = SECRET_KV("bitbucket", "[a-z0-9=_-]{64}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		/* Bitbucket app passwords (ATBB...) and repository access tokens (ATCTT3...) */
		SECRET_RULE("bitbucket-app-password"),
		.regex = "ATBB[a-zA-Z0-9]{32}", .flags = SCAN_RF_BOUND_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.5,
	},
	{
		SECRET_RULE("sourcegraph-access-token"),
		.regex = "sgp_(?:(?:[a-fA-F0-9]{16}|local)_)?[a-fA-F0-9]{40}",
		.flags = SCAN_RF_BOUND_WORD, .conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
		.validate = secret_valid_token,
	},
	{
		SECRET_RULE("atlassian-api-token"),
		.regex = "ATATT3[A-Za-z0-9_=-]{186}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.5,
	},
	{
		SECRET_RULE("atlassian-api-token-kv"),
		.regex = SECRET_KV("atlassian|confluence|jira", "[a-z0-9]{20}[a-f0-9]{4}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.5,
	},
	{
		SECRET_RULE("gitter-access-token"),
		.regex = SECRET_KV("gitter", "[a-z0-9_-]{40}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("travisci-access-token"),
		.regex = SECRET_KV("travis", "[a-z0-9]{22}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("droneci-access-token"),
		.regex = SECRET_KV("droneci", "[a-z0-9]{32}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("codecov-access-token"),
		.regex = SECRET_KV("codecov", "[a-z0-9]{32}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("sonar-api-token"),
		.regex = SECRET_KV("sonar[_.-]?(?:login|token)", "(?:squ_|sqp_|sqa_)?[a-z0-9=_-]{40}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("clojars-api-token"),
		.regex = "CLOJARS_[a-z0-9]{60}", .hs_flags = HS_FLAG_CASELESS,
		.flags = SCAN_RF_BOUND_ALNUM, .conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("rubygems-api-token"),
		.regex = "rubygems_[a-f0-9]{48}", .flags = SCAN_RF_BOUND_WORD,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("npm-access-token"),
		.regex = "npm_[a-z0-9]{36}", .hs_flags = HS_FLAG_CASELESS,
		.flags = SCAN_RF_BOUND_WORD, .conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
		.validate = secret_valid_token,
	},
	{
		SECRET_RULE("pypi-upload-token"),
		.regex = "pypi-AgEIcHlwaS5vcmc[\\w-]{50,}" SECRET_END_LOOSE, .flags = SCAN_RF_LEFT_NOT_WORD,
		.extract = secret_extract_loose, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("dockerhub-pat"),
		.regex = "dckr_(?:pat|oat)_[a-zA-Z0-9_-]{27,36}", .flags = SCAN_RF_LEFT_NOT_WORD,
		.extract = secret_extract_loose, .conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
		.validate = secret_valid_token,
	},
	{
		SECRET_RULE("nuget-api-key"),
		.regex = "oy2[a-z0-9]{43}", .flags = SCAN_RF_BOUND_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.5,
	},
	{
		SECRET_RULE("artifactory-api-key"),
		.regex = "AKCp[A-Za-z0-9]{69}", .flags = SCAN_RF_BOUND_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 4.5,
	},
	{
		SECRET_RULE("artifactory-reference-token"),
		.regex = "cmVmd[A-Za-z0-9]{59}", .flags = SCAN_RF_BOUND_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 4.5,
	},
	{
		SECRET_RULE("jfrog-identity-token"),
		.regex = SECRET_KV("jfrog|artifactory|bintray|xray", "[a-z0-9]{64}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("jfrog-api-key"),
		.regex = SECRET_KV("jfrog|artifactory|bintray|xray", "[a-z0-9]{73}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("readme-api-token"),
		.regex = "rdme_[a-z0-9]{70}", .flags = SCAN_RF_BOUND_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 2.0,
	},
	{
		SECRET_RULE("postman-api-token"),
		.regex = "PMAK-(?i:[a-f0-9]{24}-[a-f0-9]{34})", .flags = SCAN_RF_BOUND_ALNUM,
		.conf = SCAN_CONF_HIGH, .min_entropy = 3.0,
	},
	{
		SECRET_RULE("snyk-api-token"),
		.regex = SECRET_KV("snyk[_.-]?(?:(?:api|oauth)[_.-]?)?(?:key|token)",
				   "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_HIGH,
	},
	{
		SECRET_RULE("snyk-api-token-bare"),
		.regex = SECRET_KV("snyk", "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
		.hs_flags = HS_FLAG_CASELESS, .extract = secret_extract_kv, .conf = SCAN_CONF_MEDIUM,
		.priority = -1,
	},
};

int rules_secret_vcs_register(struct scan_ruleset *rs)
{
	return scan_ruleset_add(rs, vcs_rules, sizeof(vcs_rules) / sizeof(vcs_rules[0]));
}
