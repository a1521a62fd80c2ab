// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_detectors: the secret tables (through the engine, so every extract
 * and validate callback runs on hostile candidates) and the passage
 * analyzers (injection, e-mail content, exfiltration both ways) on
 * arbitrary bytes.  Besides the sanitizers it checks that every finding
 * lies inside the text, is non-empty, and that exfiltration findings are
 * sorted and never overlap.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "email_content.h"
#include "engine.h"
#include "exfil.h"
#include "injection.h"
#include "normalize.h"
#include "rules_secret.h"

#define FUZZ_INPUT_MAX (64 * 1024)

static struct scan_ruleset *rs;
static struct scan_engine *eng;
static struct scan_scratch *scratch;
static struct scan_norm norm;
static struct scan_result res;

static void setup(void)
{
	struct scan_engine_opts opts = { .max_input = FUZZ_INPUT_MAX + 16, .max_candidates = 8192 };

	if (scan_ruleset_new(&rs) || rules_secret_register(rs) ||
	    scan_engine_new_opts(rs, &opts, &eng, NULL) || scan_scratch_new(eng, &scratch))
		abort();
}

static void check(const struct scan_result *r, size_t first, size_t len, int sorted)
{
	size_t i;

	for (i = first; i < r->n; i++) {
		if (r->v[i].start >= r->v[i].end || r->v[i].end > len)
			abort();
		if (r->v[i].score < 0 || r->v[i].score > 1)
			abort();
		if (sorted && i > first && r->v[i].start < r->v[i - 1].end)
			abort();
	}
}

/* Build the engine before the first input: compiling the rule set takes
 * seconds, which libFuzzer would count against that input's -timeout. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const allow[] = { "example.com", NULL };
	const struct exfil_opts eo = { .allow_hosts = allow, .blob_min_bytes = 64 };
	const char *t = (const char *)data;

	if (!eng)
		setup();
	if (size > FUZZ_INPUT_MAX)
		return 0;
	scan_result_reset(&res);
	if (scan_text(eng, scratch, t, size, &res) == 0)
		check(&res, 0, size, 1);
	if (scan_norm_run(&norm, t, size))
		return 0;
	scan_result_reset(&res);
	if (injection_scan(norm.view, norm.len, &norm, &res) >= 0)
		check(&res, 0, norm.len, 0);
	scan_result_reset(&res);
	if (email_content_scan(norm.view, norm.len, &res) >= 0)
		check(&res, 0, norm.len, 1);
	scan_result_reset(&res);
	if (exfil_scan(norm.view, norm.len, EXFIL_RESPONSE, &eo, &res) >= 0)
		check(&res, 0, norm.len, 1);
	scan_result_reset(&res);
	if (exfil_scan(norm.view, norm.len, EXFIL_REQUEST, &eo, &res) >= 0)
		check(&res, 0, norm.len, 1);
	return 0;
}
