// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * eval_scan: score the scanner on the public test vectors in ../shared/eval
 * (README.md there): per checked type, recall and precision, matching by
 * overlap first and exact span second; weak context-free cases (Presidio
 * score at most 0.4) are reported apart.  The other case files are scored
 * with whatever rules of their category exist (PII and secret tables).
 *
 *   eval_scan [--dir DIR] [--min-conf low|medium|high] [-v] [--check]
 *   eval_scan --text "some text"      scan one text, print the findings
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "normalize.h"
#include "rules.h"
#include "scan.h"

#define MAX_TYPES 64
#define WEAK_MAX  0.4

struct tally {
	char type[SCAN_TYPE_LEN];
	unsigned int tp, fn, fp, exact;       /* strong expectations */
	unsigned int weak_tp, weak_fn;
};

struct eval {
	struct scan_engine *eng;
	struct scan_scratch *scratch;
	struct scan_result res;
	enum scan_confidence min_conf;
	int verbose;
	struct tally t[MAX_TYPES];
	size_t nt;
};

static struct tally *tally_of(struct eval *ev, const char *type)
{
	size_t i;

	for (i = 0; i < ev->nt; i++)
		if (!strcmp(ev->t[i].type, type))
			return &ev->t[i];
	if (ev->nt == MAX_TYPES)
		return &ev->t[MAX_TYPES - 1];
	snprintf(ev->t[ev->nt].type, sizeof(ev->t[ev->nt].type), "%s", type);
	return &ev->t[ev->nt++];
}

/* Python code-point offset to byte offset in UTF-8 text. */
static size_t cp_to_byte(const char *s, size_t len, size_t cp)
{
	size_t i = 0, n = 0;

	while (i < len && n < cp) {
		unsigned char c = (unsigned char)s[i];

		i += c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		n++;
	}
	return i < len ? i : len;
}

/* Highest Presidio score of entity k, or -1 when none is given. */
static double presidio_max(json_t *score, size_t k)
{
	json_t *e;

	if (json_is_number(score))
		return json_number_value(score);
	if (!json_is_array(score) || !json_array_size(score))
		return -1;
	e = json_array_get(score, k < json_array_size(score) ? k : 0);
	if (json_is_number(e))
		return json_number_value(e);
	if (json_is_array(e) && json_array_size(e) == 2) {
		json_t *hi = json_array_get(e, 1);

		return json_is_number(hi) ? json_number_value(hi) : 1.0;   /* "max" */
	}
	return -1;
}

static int in_list(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return 1;
	return 0;
}

static int scan(struct eval *ev, const char *text, size_t len)
{
	size_t i, k = 0;
	int err;

	scan_result_reset(&ev->res);
	err = scan_text(ev->eng, ev->scratch, text, len, &ev->res);
	if (err)
		return err;
	for (i = 0; i < ev->res.n; i++)
		if (ev->res.v[i].confidence >= ev->min_conf)
			ev->res.v[k++] = ev->res.v[i];
	ev->res.n = k;
	return 0;
}

static void pii_case(struct eval *ev, json_t *c, unsigned int line)
{
	const char *text = json_string_value(json_object_get(c, "text"));
	json_t *expect = json_object_get(c, "expect"), *checked = json_object_get(c, "checked_types");
	json_t *score = json_object_get(c, "presidio_score"), *e;
	size_t len, k, i;
	unsigned char used[1024] = { 0 };

	if (!text || !json_is_array(expect) || !json_is_array(checked))
		return;
	len = strlen(text);
	if (scan(ev, text, len)) {
		fprintf(stderr, "line %u: scan failed\n", line);
		return;
	}
	json_array_foreach(expect, k, e) {
		const char *type = json_string_value(json_object_get(e, "type"));
		size_t s = cp_to_byte(text, len, (size_t)json_integer_value(json_object_get(e, "start")));
		size_t en = cp_to_byte(text, len, (size_t)json_integer_value(json_object_get(e, "end")));
		double pm = presidio_max(score, k);
		int weak = pm >= 0 && pm <= WEAK_MAX, hit = -1;
		struct tally *t;

		if (!type || !in_list(checked, type))
			continue;
		t = tally_of(ev, type);
		for (i = 0; i < ev->res.n && i < sizeof(used); i++) {
			const struct scan_finding *f = &ev->res.v[i];

			if (used[i] || strcmp(f->type, type) || f->end <= s || f->start >= en)
				continue;
			if (hit < 0 || (f->start == s && f->end == en))
				hit = (int)i;
		}
		if (hit >= 0) {
			used[hit] = 1;
			if (weak) {
				t->weak_tp++;
			} else {
				t->tp++;
				if (ev->res.v[hit].start == s && ev->res.v[hit].end == en)
					t->exact++;
			}
		} else if (weak) {
			t->weak_fn++;
			if (ev->verbose > 1)
				printf("weak miss %-14s line %u: %.*s\n", type, line, (int)(en - s), text + s);
		} else {
			t->fn++;
			if (ev->verbose)
				printf("MISS %-14s line %u: [%.*s] in: %.160s\n", type, line,
				       (int)(en - s), text + s, text);
		}
	}
	for (i = 0; i < ev->res.n && i < sizeof(used); i++) {
		const struct scan_finding *f = &ev->res.v[i];

		if (used[i] || !in_list(checked, f->type))
			continue;
		tally_of(ev, f->type)->fp++;
		if (ev->verbose)
			printf("FP   %-14s line %u: [%.*s] (%s, %s) in: %.160s\n", f->type, line,
			       (int)(f->end - f->start), text + f->start, f->detail,
			       scan_confidence_name(f->confidence), text);
	}
}

static double ratio(unsigned int a, unsigned int b)
{
	return b ? (double)a / b : 1.0;
}

static int type_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tally *)a)->type, ((const struct tally *)b)->type);
}

/* Returns 1 when the PII targets (recall and precision >= 0.95) are met. */
static int pii_report(struct eval *ev)
{
	unsigned int tp = 0, fn = 0, fp = 0, exact = 0, wtp = 0, wfn = 0;
	size_t i;
	double r, p;

	qsort(ev->t, ev->nt, sizeof(ev->t[0]), type_cmp);
	printf("\nPII (min confidence %s; weak = Presidio score <= %.1f, reported apart)\n",
	       scan_confidence_name(ev->min_conf), WEAK_MAX);
	printf("%-20s %5s %5s %5s %8s %9s %6s   %9s\n", "type", "tp", "fn", "fp", "recall",
	       "precision", "exact", "weak hit");
	for (i = 0; i < ev->nt; i++) {
		const struct tally *t = &ev->t[i];

		printf("%-20s %5u %5u %5u %8.3f %9.3f %6.2f   %4u/%-4u\n", t->type, t->tp, t->fn,
		       t->fp, ratio(t->tp, t->tp + t->fn), ratio(t->tp + t->weak_tp,
		       t->tp + t->weak_tp + t->fp), ratio(t->exact, t->tp), t->weak_tp,
		       t->weak_tp + t->weak_fn);
		tp += t->tp;
		fn += t->fn;
		fp += t->fp;
		exact += t->exact;
		wtp += t->weak_tp;
		wfn += t->weak_fn;
	}
	r = ratio(tp, tp + fn);
	p = ratio(tp + wtp, tp + wtp + fp);
	printf("%-20s %5u %5u %5u %8.3f %9.3f %6.2f   %4u/%-4u\n", "ALL (micro)", tp, fn, fp, r, p,
	       ratio(exact, tp), wtp, wtp + wfn);
	return r >= 0.95 && p >= 0.95;
}

typedef void (*case_fn)(struct eval *ev, json_t *c, unsigned int line);

static int each_line(struct eval *ev, const char *dir, const char *name, case_fn fn)
{
	char path[4096], *line = NULL;
	size_t cap = 0;
	unsigned int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		json_error_t je;
		json_t *c = json_loads(line, 0, &je);

		n++;
		if (!c) {
			fprintf(stderr, "%s:%u: %s\n", name, n, je.text);
			continue;
		}
		fn(ev, c, n);
		json_decref(c);
	}
	free(line);
	fclose(f);
	return 0;
}

/* --- the other categories: counted with whatever detectors exist ------------ */

struct binary {
	unsigned int tp, fn, fp, tn;
};

static struct binary secret_b, inject_b, email_b;

static int has_category(const struct scan_result *r, enum scan_category cat)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->v[i].category == cat)
			return 1;
	return 0;
}

static void secret_case(struct eval *ev, json_t *c, unsigned int line)
{
	const char *text = json_string_value(json_object_get(c, "text"));
	json_t *expect = json_object_get(c, "expect"), *e;
	size_t k, i;
	int found = 0;

	if (!text || scan(ev, text, strlen(text)))
		return;
	json_array_foreach(expect, k, e) {
		const char *v = json_string_value(json_object_get(e, "value"));
		const char *at = v ? strstr(text, v) : NULL;
		size_t s = at ? (size_t)(at - text) : 0, en = at ? s + strlen(v) : 0;

		found = 0;
		for (i = 0; at && i < ev->res.n; i++) {
			const struct scan_finding *f = &ev->res.v[i];

			if (f->category == SCAN_CAT_SECRET && f->start < en && f->end > s)
				found = 1;
		}
		found ? secret_b.tp++ : secret_b.fn++;
		if (!found && ev->verbose) {
			printf("MISS SECRET line %u: %.120s\n", line, text);
			for (i = 0; i < ev->res.n; i++)
				printf("     got %s %s [%zu,%zu)\n", ev->res.v[i].type, ev->res.v[i].detail,
				       ev->res.v[i].start, ev->res.v[i].end);
		}
	}
	if (!json_array_size(expect))
		has_category(&ev->res, SCAN_CAT_SECRET) ? secret_b.fp++ : secret_b.tn++;
}

static void flag_case(struct eval *ev, json_t *c, const char *key, enum scan_category cat,
		      struct binary *b)
{
	const char *text = json_string_value(json_object_get(c, "text"));
	int want = json_is_true(json_object_get(c, key)), got;

	if (!text || scan(ev, text, strlen(text)))
		return;
	got = has_category(&ev->res, cat);
	if (want)
		got ? b->tp++ : b->fn++;
	else
		got ? b->fp++ : b->tn++;
}

static void inject_case(struct eval *ev, json_t *c, unsigned int line)
{
	(void)line;
	flag_case(ev, c, "injection", SCAN_CAT_INJECTION, &inject_b);
}

static void email_case(struct eval *ev, json_t *c, unsigned int line)
{
	(void)line;
	flag_case(ev, c, "is_email_content", SCAN_CAT_EMAIL_CONTENT, &email_b);
}

static void binary_report(const char *name, const struct binary *b)
{
	printf("%-28s tp %4u  fn %4u  fp %4u  tn %4u  recall %.3f  precision %.3f\n", name, b->tp,
	       b->fn, b->fp, b->tn, ratio(b->tp, b->tp + b->fn), ratio(b->tp, b->tp + b->fp));
}

/* --- main -------------------------------------------------------------------- */

static int one_text(struct eval *ev, const char *text)
{
	size_t i;
	int err = scan(ev, text, strlen(text));

	if (err) {
		fprintf(stderr, "scan: %s\n", strerror(-err));
		return 1;
	}
	printf("signals 0x%x\n", ev->res.signals);
	for (i = 0; i < ev->res.n; i++) {
		const struct scan_finding *f = &ev->res.v[i];

		printf("%-18s %-22s %-6s [%zu,%zu) %.*s\n", f->type, f->detail,
		       scan_confidence_name(f->confidence), f->start, f->end,
		       (int)(f->end - f->start), text + f->start);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "min-conf", required_argument, NULL, 'm' },
		{ "text", required_argument, NULL, 't' },
		{ "check", no_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 },
	};
	struct eval ev = { .min_conf = SCAN_CONF_LOW };
	struct scan_ruleset *rs = NULL;
	struct scan_compile_error ce = { 0 };
	const char *dir = "../shared/eval", *text = NULL;
	int opt, check = 0, ok, rc = 1, err;

	while ((opt = getopt_long(argc, argv, "d:m:t:cv", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': dir = optarg; break;
		case 'm':
			ev.min_conf = !strcmp(optarg, "high") ? SCAN_CONF_HIGH :
				      !strcmp(optarg, "medium") ? SCAN_CONF_MEDIUM : SCAN_CONF_LOW;
			break;
		case 't': text = optarg; break;
		case 'c': check = 1; break;
		case 'v': ev.verbose++; break;
		default:
			fprintf(stderr, "usage: %s [--dir DIR] [--min-conf low|medium|high] [-v] [--check] [--text T]\n",
				argv[0]);
			return 2;
		}
	}
	err = scan_ruleset_new(&rs);
	if (!err)
		err = scan_rules_builtin(rs);
	if (!err)
		err = scan_engine_new_opts(rs, NULL, &ev.eng, &ce);
	if (!err)
		err = scan_scratch_new(ev.eng, &ev.scratch);
	if (err) {
		fprintf(stderr, "scanner setup: %s (rule %s: %s)\n", strerror(-err), ce.rule_id,
			ce.message);
		goto out;
	}
	if (text) {
		rc = one_text(&ev, text);
		goto out;
	}
	printf("eval: %s, %zu rules, %zu patterns (%zu refused SOM: anchored start search)\n", dir,
	       scan_engine_rule_count(ev.eng), scan_engine_pattern_count(ev.eng),
	       scan_engine_fallback_count(ev.eng));
	err = each_line(&ev, dir, "pii_cases.jsonl", pii_case);
	if (err) {
		fprintf(stderr, "eval: %s/pii_cases.jsonl: %s\n", dir, strerror(-err));
		goto out;
	}
	ok = pii_report(&ev);
	printf("\nOther categories, from the rule tables (the injection and e-mail content\n"
	       "analyzers are not rules: eval_detectors scores them):\n");
	if (!each_line(&ev, dir, "secret_cases.jsonl", secret_case))
		binary_report("SECRET (per value)", &secret_b);
	if (!each_line(&ev, dir, "injection_cases.jsonl", inject_case))
		binary_report("PROMPT_INJECTION (per text)", &inject_b);
	if (!each_line(&ev, dir, "email_content_cases.jsonl", email_case))
		binary_report("EMAIL_CONTENT (per text)", &email_b);
	printf("\nPII target (recall >= 0.95, precision >= 0.95 on strong cases): %s\n",
	       ok ? "met" : "NOT met");
	rc = check && !ok ? 1 : 0;
out:
	scan_result_free(&ev.res);
	scan_scratch_free(ev.scratch);
	scan_engine_free(ev.eng);
	scan_ruleset_free(rs);
	return rc;
}
