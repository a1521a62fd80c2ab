// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Scores the SECRET, PROMPT_INJECTION and EMAIL_CONTENT detectors against
 * the public vectors in ../shared/eval (never copied into the tree).
 *
 *   eval_detectors [-v] [EVAL_DIR]
 *
 * Secrets: a positive case counts when a SECRET finding overlaps the
 * expected value; a negative case is a false positive when any SECRET
 * finding is reported.  The secret tables run alone in an engine of their
 * own, so the figures are theirs whatever the other tables do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "email_content.h"
#include "engine.h"
#include "injection.h"
#include "normalize.h"
#include "rules.h"
#include "scan.h"

int rules_secret_register(struct scan_ruleset *rs);

static int verbose;

static double ratio(unsigned a, unsigned b)
{
	return b ? (double)a / b : 0;
}

static int eval_secrets(const char *dir)
{
	char path[512];
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	struct scan_ruleset *rs = NULL;
	struct scan_engine *e = NULL;
	struct scan_scratch *sc = NULL;
	struct scan_result res = { 0 };
	unsigned pos = 0, tp = 0, exact = 0, same_rule = 0, neg = 0, fp = 0, extra = 0;

	snprintf(path, sizeof(path), "%s/secret_cases.jsonl", dir);
	f = fopen(path, "r");
	if (!f)
		return perror(path), -1;
	if (scan_ruleset_new(&rs) || rules_secret_register(rs) || scan_engine_new(rs, &e) ||
	    scan_scratch_new(e, &sc)) {
		fprintf(stderr, "secret rules do not build\n");
		return -1;
	}
	printf("secret rules: %zu (Hyperscan patterns %zu, refused SOM: anchored start search %zu)\n",
	       scan_ruleset_count(rs), scan_engine_pattern_count(e), scan_engine_fallback_count(e));
	while (getline(&line, &cap, f) > 0) {
		json_t *j = json_loads(line, 0, NULL), *ex;
		const char *text;
		size_t i, len;

		if (!j)
			continue;
		text = json_string_value(json_object_get(j, "text"));
		ex = json_object_get(j, "expect");
		len = strlen(text);
		scan_result_reset(&res);
		if (scan_text(e, sc, text, len, &res))
			fprintf(stderr, "scan_text failed: %.60s\n", text);
		if (json_array_size(ex)) {
			json_t *x = json_array_get(ex, 0);
			const char *val = json_string_value(json_object_get(x, "value"));
			const char *rule = json_string_value(json_object_get(x, "rule"));
			const char *at = strstr(text, val);
			size_t vs = at ? (size_t)(at - text) : 0, ve = vs + strlen(val);
			int hit = 0;

			pos++;
			for (i = 0; i < res.n; i++) {
				if (res.v[i].start < ve && vs < res.v[i].end) {
					if (!hit) {
						tp++;
						exact += res.v[i].start == vs && res.v[i].end == ve;
						same_rule += !strcmp(res.v[i].detail, rule);
						if (verbose > 2 && strcmp(res.v[i].detail, rule))
							printf("RULE %s got %s\n", rule, res.v[i].detail);
					}
					hit = 1;
				} else {
					extra++;
					if (verbose)
						printf("EXTRA %s [%.*s] in %.80s\n", res.v[i].detail,
						       (int)(res.v[i].end - res.v[i].start),
						       text + res.v[i].start, text);
				}
			}
			if (!hit && verbose)
				printf("MISS %s: %.160s\n", rule, text);
			else if (verbose > 1 && (res.v[0].start != vs || res.v[0].end != ve))
				printf("SPAN %s/%s [%.*s] want [%s]\n", rule, res.v[0].detail,
				       (int)(res.v[0].end - res.v[0].start), text + res.v[0].start, val);
		} else {
			neg++;
			if (res.n) {
				fp++;
				if (verbose)
					printf("FP %s [%.*s] (near %s): %.120s\n", res.v[0].detail,
					       (int)(res.v[0].end - res.v[0].start), text + res.v[0].start,
					       json_string_value(json_object_get(j, "near_miss_for")), text);
			}
		}
		json_decref(j);
	}
	printf("secrets: positives %u, found %u (recall %.3f; exact span %u, same rule id %u)\n",
	       pos, tp, ratio(tp, pos), exact, same_rule);
	printf("secrets: negatives %u, flagged %u; case precision %.3f; extra findings in positives %u\n",
	       neg, fp, ratio(tp, tp + fp), extra);
	free(line);
	fclose(f);
	scan_result_free(&res);
	scan_scratch_free(sc);
	scan_engine_free(e);
	scan_ruleset_free(rs);
	return 0;
}

static int eval_injection(const char *dir)
{
	char path[512];
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	struct scan_result res = { 0 };
	unsigned tp = 0, fn = 0, fp = 0, tn = 0, hi_fp = 0;
	struct scan_norm nm = { 0 };

	snprintf(path, sizeof(path), "%s/injection_cases.jsonl", dir);
	f = fopen(path, "r");
	if (!f)
		return perror(path), -1;
	while (getline(&line, &cap, f) > 0) {
		json_t *j = json_loads(line, 0, NULL);
		const char *text;
		int want, got;
		double best = 0;
		size_t i;

		if (!j)
			continue;
		text = json_string_value(json_object_get(j, "text"));
		want = json_is_true(json_object_get(j, "injection"));
		scan_result_reset(&res);
		if (scan_norm_run(&nm, text, strlen(text)) == 0)
			injection_scan(nm.view, nm.len, &nm, &res);
		for (i = 0; i < res.n; i++)
			if (res.v[i].score > best)
				best = res.v[i].score;
		got = res.n > 0;
		if (want && got)
			tp++;
		else if (want)
			fn++;
		else if (got)
			fp++, hi_fp += best >= INJECTION_SCORE_HIGH;
		else
			tn++;
		if (verbose && want != got)
			printf("%s %.2f %s: %.150s\n", want ? "MISS" : "FP", best,
			       res.n ? res.v[0].detail : "-", text);
		json_decref(j);
	}
	scan_norm_free(&nm);
	printf("injection: tp %u fn %u fp %u (high-confidence fp %u) tn %u: precision %.3f recall %.3f\n",
	       tp, fn, fp, hi_fp, tn, ratio(tp, tp + fp), ratio(tp, tp + fn));
	free(line);
	fclose(f);
	scan_result_free(&res);
	return 0;
}

static int eval_email(const char *dir)
{
	char path[512];
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	struct scan_result res = { 0 };
	unsigned tp = 0, fn = 0, fp = 0, tn = 0;

	snprintf(path, sizeof(path), "%s/email_content_cases.jsonl", dir);
	f = fopen(path, "r");
	if (!f)
		return perror(path), -1;
	while (getline(&line, &cap, f) > 0) {
		json_t *j = json_loads(line, 0, NULL);
		const char *text;
		int want, got;

		if (!j)
			continue;
		text = json_string_value(json_object_get(j, "text"));
		want = json_is_true(json_object_get(j, "is_email_content"));
		scan_result_reset(&res);
		email_content_scan(text, strlen(text), &res);
		got = res.n > 0;
		tp += want && got;
		fn += want && !got;
		fp += !want && got;
		tn += !want && !got;
		if (verbose && want != got)
			printf("%s: %.150s\n", want ? "MISS" : "FP", text);
		json_decref(j);
	}
	printf("email: tp %u fn %u fp %u tn %u: precision %.3f recall %.3f\n", tp, fn, fp, tn,
	       ratio(tp, tp + fp), ratio(tp, tp + fn));
	free(line);
	fclose(f);
	scan_result_free(&res);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = "../shared/eval";
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose++;

		else
			dir = argv[i];
	}
	if (eval_secrets(dir) || eval_injection(dir) || eval_email(dir))
		return 1;
	return 0;
}
