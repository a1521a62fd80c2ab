/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * PROMPT_INJECTION: scored heuristics over a prompt (or a document pasted
 * into one, or a tool result).  No model, no network: phrase patterns over
 * the words of the normalised text, the normaliser's invisible-character
 * signals, and a second look at base64/hex/rot13 payloads.
 *
 * Score model.  Each signal s found in the text has a weight w(s) in
 * (0, 1) (the table in injection.c; 0.10 for a bare "act as", 0.75 for
 * "ignore all previous instructions", 0.90 for an override phrase hidden
 * in base64 or Unicode tag characters).  Signals whose phrases overlap are
 * one piece of evidence, at the largest weight; the text's score is the
 * noisy OR of its pieces of evidence e:
 *
 *     score = 1 - prod(1 - w(e))
 *
 * so two medium signals ("you are now", "no restrictions") make a strong
 * one.  Below INJECTION_SCORE_MIN nothing is reported; above it every
 * signal span is reported with the text's score and a confidence:
 * HIGH from INJECTION_SCORE_HIGH, MEDIUM from INJECTION_SCORE_MEDIUM,
 * else LOW.  Role-play requests ("I want you to act as a proofreader")
 * score 0.10 and are never reported on their own.
 */
#ifndef AIRLOCK_SCAN_INJECTION_H
#define AIRLOCK_SCAN_INJECTION_H

#include <stddef.h>

#include "normalize.h"
#include "scan.h"

#define INJECTION_SCORE_MIN     0.50
#define INJECTION_SCORE_MEDIUM  0.70
#define INJECTION_SCORE_HIGH    0.85

#define INJECTION_TYPE "PROMPT_INJECTION"

/* Signal families (the finding's detail is the signal id, e.g. "instruction-override"). */
enum injection_family {
	INJ_OVERRIDE = 0,        /* ignore/disregard/forget previous instructions */
	INJ_ROLE,                /* you are now DAN, developer mode, jailbreak */
	INJ_EXTRACT,             /* repeat your system prompt */
	INJ_EXFIL,               /* what is your secret key, list users' passwords */
	INJ_DELIMITER,           /* <|im_start|>system, [INST], ### system: */
	INJ_HIDDEN,              /* tag characters, zero-width runs, bidi controls */
	INJ_ENCODED,             /* base64/hex/rot13 payload that decodes to the above */
	INJ__COUNT,
};

/*
 * Analyse text[0..len) (the engine's normalised view; plain text is fine)
 * and append PROMPT_INJECTION findings to out, with offsets into text:
 * the engine maps them to the original with scan_norm_start/end.  `norm`
 * may be NULL; when given it must describe `text` (norm->view) and its
 * signals, tag_ascii and edits add the hidden-character evidence.
 * Returns the number of findings appended, or a negative errno.
 * Cost: linear in len; payload decoding is capped (INJECTION_DECODE_MAX).
 */
int injection_scan(const char *text, size_t len, const struct scan_norm *norm,
		   struct scan_result *out);

/* The score alone (0..1), for callers that only want a verdict. */
double injection_score(const char *text, size_t len, const struct scan_norm *norm);

#define INJECTION_DECODE_MAX   16      /* payloads decoded per text */
#define INJECTION_PAYLOAD_MAX  4096    /* decoded bytes looked at per payload */

#endif /* AIRLOCK_SCAN_INJECTION_H */
