/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * EMAIL_CONTENT: an e-mail message pasted into a prompt (someone asking a
 * model to summarise their inbox, a tool result carrying mail).  Scored
 * evidence, one finding spanning the detected e-mail block:
 *
 *   rfc5322-headers    From:/To:/Subject:/Date:/Cc:/Message-ID:/Received:
 *                      lines in a row (2 distinct names 0.60, 3+ 0.90)
 *   forwarded-message  "---------- Forwarded message ---------",
 *                      "-----Original Message-----", "Begin forwarded
 *                      message:", "On <date>, <name> wrote:"      0.75
 *   mime               Content-Type: multipart/..., boundary=, MIME
 *                      parts, Content-Transfer-Encoding:          0.80
 *   email-fields       labelled exports: SUBJECT:/EMAIL_FROM:/
 *                      RECEIVED DATE:/CONTENT: (2+ labels)        0.90
 *   email-body         salutation to a name ("Hi David,") 0.30, to nobody
 *                      in particular ("Hi ChatGPT,", "Hello,") 0.15;
 *                      sign-off with a signature ("Best regards,\nTom")
 *                      0.35, without 0.20; mail-only phrases ("reply to
 *                      this email", "unsubscribe") 0.30 each; a mailbox
 *                      "Name <a@b.example>" 0.20
 *
 * combined as a noisy OR (1 - prod(1 - w)); a text scoring at least
 * EMAIL_SCORE_MIN is e-mail content.  Confidence: HIGH from 0.85, MEDIUM
 * from 0.65, else LOW.  A greeting and a "Thanks," (a chat message) are
 * not enough; a named salutation and a signed sign-off are.
 */
#ifndef AIRLOCK_SCAN_EMAIL_CONTENT_H
#define AIRLOCK_SCAN_EMAIL_CONTENT_H

#include <stddef.h>

#include "scan.h"

#define EMAIL_SCORE_MIN  0.50
#define EMAIL_TYPE       "EMAIL_CONTENT"

/*
 * Analyse text[0..len) (the normalised view) and append at most one
 * EMAIL_CONTENT finding with offsets into text.  Returns the number of
 * findings appended (0 or 1) or a negative errno.  Linear in len.
 */
int email_content_scan(const char *text, size_t len, struct scan_result *out);

/* The score alone (0..1). */
double email_content_score(const char *text, size_t len);

#endif /* AIRLOCK_SCAN_EMAIL_CONTENT_H */
