// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench_scan: content-scanner throughput on one core.
 *
 * A generator writes a mixed prompt corpus in memory (chat questions,
 * code-help requests, pasted JSON and logs, business e-mails) with sparse
 * PII at about one value per 3 KiB.  The engine scans each prompt as the
 * proxy would (one scan_text() per message, every built-in rule on); the
 * baseline runs the same rules' regexes one by one with PCRE2-JIT over the
 * same prompts, regex only (no validation: the baseline's best case).
 * Then the benign corpus (no PII planted) gives the false-positive rate,
 * and 4 KiB chat bodies go through the body rewriter end to end (p50, p99
 * and mean per body, and how much of it is the scanner).
 *
 * --body-only runs the last part alone.
 *
 *   bench_scan [--mb N] [--seed N] [--no-baseline] [--engine-only] [--body-only] [--kind K]
 *              [--pii-only]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs.h>
#include <pcre2.h>

#include "body.h"
#include "email_content.h"
#include "engine.h"
#include "exfil.h"
#include "injection.h"
#include "normalize.h"
#include "protect.h"
#include "rules.h"
#include "scan.h"

/* --- corpus ------------------------------------------------------------------ */

struct prompt {
	size_t off;
	size_t len;
};

struct corpus {
	char *buf;
	size_t len;
	size_t cap;
	struct prompt *p;
	size_t n;
	size_t cap_p;
	uint64_t rng;
	int pii;                 /* plant PII */
	size_t planted;
};

static uint32_t rnd(struct corpus *c)
{
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 7;
	c->rng ^= c->rng << 17;
	return (uint32_t)(c->rng >> 16);
}

static unsigned int pick(struct corpus *c, unsigned int n)
{
	return rnd(c) % n;
}

static void put(struct corpus *c, const char *s, size_t n)
{
	if (c->len + n > c->cap)
		n = c->cap - c->len;
	memcpy(c->buf + c->len, s, n);
	c->len += n;
}

static void puts_(struct corpus *c, const char *s)
{
	put(c, s, strlen(s));
}

static void printf_(struct corpus *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void printf_(struct corpus *c, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(c, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const subj[] = {
	"I", "We", "My team", "The customer", "Our service", "The report", "This function",
	"The dashboard", "Our client", "The migration", "My manager", "The new hire",
};
static const char *const verb[] = {
	"needs", "is failing to", "wants to", "should", "tried to", "keeps trying to",
	"was asked to", "could not", "is supposed to", "might",
};
static const char *const obj[] = {
	"summarize the quarterly results", "refactor the billing module", "deploy the new version",
	"answer the support ticket", "write a polite reply", "explain the latency spike",
	"translate the contract", "draft the release notes", "clean up the database schema",
	"review the pull request", "plan the offsite", "update the onboarding guide",
	"compare the two proposals", "fix the flaky integration test", "estimate the cost",
};
static const char *const tail[] = {
	"before Friday", "for the board meeting", "in plain English", "without breaking the API",
	"as a bulleted list", "in under 200 words", "with examples", "step by step",
	"so that the on-call engineer understands it", "and keep the tone friendly",
};
static const char *const filler[] = {
	"Thanks in advance.", "Can you help?", "Please keep it short.", "Let me know if anything is unclear.",
	"It worked last week.", "Here is some context.", "The numbers look off to me.",
	"I am not sure where to start.", "We use Postgres and Redis.", "This is urgent.",
};

static void pii(struct corpus *c)
{
	static const char *const first[] = { "alice", "bob", "carol", "dmitri", "eve", "farah", "gus" };
	static const char *const dom[] = { "example.com", "contoso.com", "mail.example.org", "corp.example.net" };
	static const char *const cards[] = { "4111 1111 1111 1111", "5500-0000-0000-0004", "340000000000009" };
	static const char *const ibans[] = { "DE64 5001 0517 9423 1847 11", "GB42ABCD12345612345678" };

	c->planted++;
	switch (pick(c, 10)) {
	case 0: printf_(c, "%s.%s@%s", first[pick(c, N(first))], first[pick(c, N(first))], dom[pick(c, N(dom))]); break;
	case 1: printf_(c, "(%03u) 555-%04u", 201 + pick(c, 700), pick(c, 10000)); break;
	case 2: printf_(c, "+44 20 7946 %04u", pick(c, 10000)); break;
	case 3: puts_(c, cards[pick(c, N(cards))]); break;
	case 4: printf_(c, "%03u-%02u-%04u", 101 + pick(c, 500), 10 + pick(c, 89), 1000 + pick(c, 8999)); break;
	case 5: puts_(c, ibans[pick(c, N(ibans))]); break;
	case 6: printf_(c, "%u.%u.%u.%u", 11 + pick(c, 200), pick(c, 256), pick(c, 256), 1 + pick(c, 254)); break;
	case 7: printf_(c, "https://portal.example.org/users/%u?ref=mail", pick(c, 100000)); break;
	case 8: printf_(c, "%s@contoso.onmicrosoft.com", first[pick(c, N(first))]); break;
	default: printf_(c, "%02x:%02x:%02x:%02x:%02x:%02x", 2 + pick(c, 250), pick(c, 256), pick(c, 256),
			 pick(c, 256), pick(c, 256), pick(c, 256));
	}
}

static void sentence(struct corpus *c)
{
	unsigned int r = pick(c, 100);

	printf_(c, "%s %s %s %s", subj[pick(c, N(subj))], verb[pick(c, N(verb))], obj[pick(c, N(obj))],
		tail[pick(c, N(tail))]);
	if (r < 8)
		printf_(c, " (about %u%% of the %u requests)", 5 + pick(c, 90), 100 + pick(c, 9000));
	else if (r < 14)
		printf_(c, " since version %u.%u.%u", 1 + pick(c, 4), pick(c, 20), pick(c, 10));
	else if (r < 20)
		printf_(c, " for $%u.%02u per seat", 5 + pick(c, 200), pick(c, 100));
	else if (r < 24)
		printf_(c, " by %u/%u", 1 + pick(c, 12), 1 + pick(c, 28));
	if (c->pii && r >= 97) {
		static const char *const lead[] = { " - reach me at ", ", contact: ", ". My number is ",
						    ", the account is ", " (ref ", ", card " };

		puts_(c, lead[pick(c, N(lead))]);
		pii(c);
	}
	puts_(c, pick(c, 4) ? ". " : "? ");
	if (!pick(c, 3))
		printf_(c, "%s ", filler[pick(c, N(filler))]);
}

static void paragraph(struct corpus *c, unsigned int sentences)
{
	while (sentences--)
		sentence(c);
	puts_(c, "\n\n");
}

static const char *const code[] = {
	"```python\ndef handler(event, context):\n    items = event.get(\"items\", [])\n    total = sum(i[\"price\"] * i[\"qty\"] for i in items)\n    if total > 1000:\n        logger.warning(\"large order %s\", event[\"id\"])\n    return {\"statusCode\": 200, \"body\": json.dumps({\"total\": total})}\n```\n",
	"```c\nstatic int parse_header(const char *p, size_t n, struct hdr *h)\n{\n\tif (n < 8)\n\t\treturn -EINVAL;\n\th->len = be32toh(*(const uint32_t *)p);\n\th->flags = p[4] & 0x0f;\n\treturn 0;\n}\n```\n",
	"```cpp\nfor (const auto &kv : std::map<std::string, int>{{\"a\", 1}, {\"b\", 2}}) {\n    std::cout << kv.first << \"::\" << kv.second << std::endl;\n}\n```\n",
	"```sql\nSELECT o.id, c.name, o.created_at FROM orders o JOIN customers c ON c.id = o.customer_id\nWHERE o.status = 'open' AND o.total > 100.50 ORDER BY o.created_at DESC LIMIT 20;\n```\n",
	"```js\nconst res = await fetch(`/api/v2/users/${id}`, { method: 'GET', headers: { Accept: 'application/json' } });\nif (!res.ok) throw new Error(`HTTP ${res.status}: ${res.statusText}`);\nconst { data } = await res.json();\n```\n",
	"```bash\nkubectl -n payments rollout restart deploy/api && kubectl -n payments get pods -o wide\ncurl -sS https://api.example.com/v1/health | jq .status\n```\n",
	"Traceback (most recent call last):\n  File \"/srv/app/worker.py\", line 214, in run\n    result = self.process(batch)\n  File \"/srv/app/worker.py\", line 187, in process\n    raise ValueError(f\"bad record {rec.id}\")\nValueError: bad record 48213\n",
};

static void json_rec(struct corpus *c)
{
	printf_(c, "  {\"id\": %u, \"uuid\": \"%08x-%04x-4%03x-a%03x-%08x%04x\", \"created_at\": \"2024-%02u-%02uT%02u:%02u:%02uZ\", "
		"\"amount\": %u.%02u, \"currency\": \"EUR\", \"status\": \"%s\", \"items\": %u",
		pick(c, 1000000), rnd(c), pick(c, 65536), pick(c, 4096), pick(c, 4096), rnd(c),
		pick(c, 65536), 1 + pick(c, 12), 1 + pick(c, 28), pick(c, 24), pick(c, 60), pick(c, 60),
		pick(c, 5000), pick(c, 100), pick(c, 2) ? "paid" : "pending", 1 + pick(c, 9));
	if (c->pii && !pick(c, 6)) {
		puts_(c, ", \"contact\": \"");
		pii(c);
		puts_(c, "\"");
	}
	puts_(c, "},\n");
}

static void log_line(struct corpus *c)
{
	static const char *const lvl[] = { "INFO", "WARN", "DEBUG", "ERROR" };
	static const char *const path[] = { "/api/v1/items", "/api/v1/orders", "/healthz", "/api/v2/search" };

	printf_(c, "2024-%02u-%02uT%02u:%02u:%02u.%03uZ %-5s [worker-%u] req=%08x method=GET path=%s/%u status=%u latency_ms=%u bytes=%u",
		1 + pick(c, 12), 1 + pick(c, 28), pick(c, 24), pick(c, 60), pick(c, 60), pick(c, 1000),
		lvl[pick(c, 4)], pick(c, 16), rnd(c), path[pick(c, N(path))], pick(c, 100000),
		pick(c, 8) ? 200 : 503, pick(c, 900), pick(c, 70000));
	if (!pick(c, 3))
		printf_(c, " client=10.%u.%u.%u", pick(c, 256), pick(c, 256), pick(c, 256));
	puts_(c, "\n");
}

static void email(struct corpus *c)
{
	puts_(c, "Please polish this e-mail before I send it:\n\nHi team,\n\n");
	paragraph(c, 3 + pick(c, 3));
	puts_(c, "Best regards,\nJordan Miller\nSenior Account Manager\n");
	if (c->pii) {
		puts_(c, "Phone: ");
		pii(c);
		puts_(c, "\n");
	} else {
		puts_(c, "Example Corp, Building 4\n");
	}
}

/*
 * One message as a proxy sees it.  The mix is by message count: half chat,
 * a fifth code help, the rest pasted data, logs and documents; sizes run
 * from a few hundred bytes to about 16 KiB, about 3 KiB on average.
 */
enum kind { K_CHAT, K_CODE, K_JSON, K_LOGS, K_EMAIL, K__COUNT };

static const char *const kind_name[K__COUNT] = { "chat", "code", "json", "logs", "email" };

static enum kind pick_kind(struct corpus *c)
{
	unsigned int r = pick(c, 100);

	return r < 50 ? K_CHAT : r < 70 ? K_CODE : r < 80 ? K_JSON : r < 88 ? K_LOGS : K_EMAIL;
}

static void prompt(struct corpus *c, enum kind k)
{
	unsigned int i, n;

	switch (k) {
	case K_CHAT:
		for (i = 0, n = 2 + pick(c, 10); i < n; i++)
			paragraph(c, 2 + pick(c, 6));
		break;
	case K_CODE:
		paragraph(c, 1 + pick(c, 4));
		for (i = 0, n = 1 + pick(c, 5); i < n; i++) {
			puts_(c, code[pick(c, N(code))]);
			if (pick(c, 2))
				paragraph(c, 1 + pick(c, 2));
		}
		break;
	case K_JSON:
		paragraph(c, 1 + pick(c, 2));
		puts_(c, "[\n");
		for (i = 0, n = 3 + pick(c, 30); i < n; i++)
			json_rec(c);
		puts_(c, "]\n");
		break;
	case K_LOGS:
		paragraph(c, 1 + pick(c, 2));
		for (i = 0, n = 5 + pick(c, 40); i < n; i++)
			log_line(c);
		break;
	default:
		email(c);
		if (pick(c, 2))
			paragraph(c, 3 + pick(c, 6));
		break;
	}
}

/* kind < K__COUNT: only that kind of message (the per-kind figures) */
static int corpus_make(struct corpus *c, size_t bytes, uint64_t seed, int with_pii, int kind)
{
	memset(c, 0, sizeof(*c));
	c->buf = malloc(bytes);
	if (!c->buf)
		return -ENOMEM;
	c->cap = bytes;
	c->rng = seed;
	c->pii = with_pii;
	while (c->len + 16384 < c->cap) {
		size_t start = c->len;

		prompt(c, kind < K__COUNT ? (enum kind)kind : pick_kind(c));
		if (c->n == c->cap_p) {
			size_t cap = c->cap_p ? c->cap_p * 2 : 1024;
			struct prompt *p = realloc(c->p, cap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			c->p = p;
			c->cap_p = cap;
		}
		c->p[c->n++] = (struct prompt){ .off = start, .len = c->len - start };
	}
	return 0;
}

static void corpus_free(struct corpus *c)
{
	free(c->buf);
	free(c->p);
}

/* --- timing ------------------------------------------------------------------ */

/* CPU time of this thread: "per core" even when other work shares the machine. */
/* Kind i's own corpus, as the per-kind engine figures measure it. */
static int corpus_of_kind(struct corpus *c, size_t mb, uint64_t seed, int i)
{
	return corpus_make(c, (mb << 20) / 4, seed + (uint64_t)i, 1, i);
}

/*
 * The corpus as files, for tools that scan it with another build
 * (bench/ab.sh): DIR/NAME is the text, DIR/NAME.idx each message's
 * offset and length as two native size_t.
 */
static int corpus_write(const struct corpus *c, const char *dir, const char *name)
{
	char path[4096];
	FILE *f;
	int err = 0, k;

	for (k = 0; k < 2 && !err; k++) {
		snprintf(path, sizeof(path), "%s/%s%s", dir, name, k ? ".idx" : "");
		f = fopen(path, "we");
		if (!f)
			return -errno;
		if (k ? fwrite(c->p, sizeof(*c->p), c->n, f) != c->n : fwrite(c->buf, 1, c->len, f) != c->len)
			err = -EIO;
		if (fclose(f) && !err)
			err = -errno;
	}
	if (err)
		fprintf(stderr, "writing %s: %s\n", path, strerror(-err));
	return err;
}

/* The mixed corpus and each kind's, as the engine figures measure them. */
static int corpus_write_all(const char *dir, size_t mb, uint64_t seed)
{
	struct corpus c;
	int err, i;

	err = corpus_make(&c, mb << 20, seed, 1, K__COUNT);
	if (!err)
		err = corpus_write(&c, dir, "mix");
	corpus_free(&c);
	for (i = 0; i < K__COUNT && !err; i++) {
		err = corpus_of_kind(&c, mb, seed, i);
		if (!err)
			err = corpus_write(&c, dir, kind_name[i]);
		corpus_free(&c);
	}
	return err;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Per-body times: the monotonic clock, which the vDSO reads in ~55 cycles.
 * The thread CPU clock is a system call, ~2,700 cycles (1.3 us) on this
 * project's VMs: 6% of a body and a fifth of its parts.  The bench is one
 * thread on an idle node, so this is the body's time plus what the machine
 * takes from it (see fixed_work()).
 */
static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static double mbps(size_t bytes, double s)
{
	return s > 0 ? (double)bytes / s / 1e6 : 0;
}

/* --- engine ------------------------------------------------------------------ */

struct eng {
	struct scan_ruleset *rs;
	struct scan_engine *e;
	struct scan_scratch *s;
	struct scan_result r;
};

static int eng_pass(struct eng *e, const struct corpus *c, size_t *ret_findings)
{
	size_t i, f = 0;
	int err;

	for (i = 0; i < c->n; i++) {
		scan_result_reset(&e->r);
		err = scan_text(e->e, e->s, c->buf + c->p[i].off, c->p[i].len, &e->r);
		if (err)
			return err;
		f += e->r.n;
	}
	*ret_findings = f;
	return 0;
}

/*
 * Every finding of the corpus and of the benign corpus, one line each, to
 * path: two builds of the engine must write the same file (a change meant
 * to be faster only is checked by diffing the dumps).
 */
static int eng_dump(struct eng *e, const struct corpus *const *cs, size_t ncs, const char *path)
{
	FILE *f = fopen(path, "we");
	size_t i, j, k;
	int err = f ? 0 : -errno;

	for (k = 0; !err && k < ncs; k++)
		for (i = 0; !err && i < cs[k]->n; i++) {
			scan_result_reset(&e->r);
			err = scan_text(e->e, e->s, cs[k]->buf + cs[k]->p[i].off, cs[k]->p[i].len,
					&e->r);
			for (j = 0; !err && j < e->r.n; j++) {
				const struct scan_finding *x = &e->r.v[j];

				fprintf(f, "%zu %zu %zu %zu %s %s %d %.3f\n", k, i, x->start, x->end,
					x->type, x->detail, (int)x->confidence, x->score);
			}
		}
	if (f && fclose(f) && !err)
		err = -errno;
	return err;
}

/* Best of `rounds` passes, in seconds. */
static double eng_time(struct eng *e, const struct corpus *c, int rounds, size_t *ret_findings)
{
	double best = 1e9;
	int k;

	for (k = 0; k < rounds; k++) {
		double t0 = now_s();

		if (eng_pass(e, c, ret_findings))
			return -1;
		if (now_s() - t0 < best)
			best = now_s() - t0;
	}
	return best;
}

/* --- PCRE2-JIT baseline: the same regexes, one rule at a time ---------------- */

struct pc {
	pcre2_code **re;
	size_t n;
	size_t cap;
	size_t skipped;
};

static int pc_add(struct pc *p, const char *expr, unsigned int hs_flags)
{
	uint32_t opt = 0;
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *re;

	if (hs_flags & HS_FLAG_CASELESS)
		opt |= PCRE2_CASELESS;
	if (hs_flags & HS_FLAG_DOTALL)
		opt |= PCRE2_DOTALL;
	if (hs_flags & HS_FLAG_MULTILINE)
		opt |= PCRE2_MULTILINE;
	re = pcre2_compile((PCRE2_SPTR)expr, PCRE2_ZERO_TERMINATED, opt, &errcode, &erroff, NULL);
	if (!re) {
		p->skipped++;
		return 0;
	}
	if (pcre2_jit_compile(re, PCRE2_JIT_COMPLETE)) {
		pcre2_code_free(re);
		p->skipped++;
		return 0;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		pcre2_code **v = realloc(p->re, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->re = v;
		p->cap = cap;
	}
	p->re[p->n++] = re;
	return 0;
}

static int pc_build(struct pc *p, const struct scan_ruleset *rs)
{
	size_t i, k;
	int err;

	for (i = 0; i < scan_ruleset_count(rs); i++) {
		const struct scan_rule *r = scan_ruleset_rule(rs, i);

		if (!scan_ruleset_enabled(rs, i))
			continue;
		if (r->kind != SCAN_RULE_DICT) {
			err = pc_add(p, r->regex, r->hs_flags);
			if (err)
				return err;
			continue;
		}
		for (k = 0; r->words[k]; k++) {
			char esc[1024];

			snprintf(esc, sizeof(esc), "\\Q%s\\E", r->words[k]);
			err = pc_add(p, esc, r->hs_flags);
			if (err)
				return err;
		}
	}
	return 0;
}

static double pc_time(const struct pc *p, const struct corpus *c, size_t *ret_matches)
{
	pcre2_match_data *md = pcre2_match_data_create(4, NULL);
	size_t m = 0, i, j;
	double t0 = now_s();

	for (j = 0; j < p->n; j++) {
		for (i = 0; i < c->n; i++) {
			PCRE2_SPTR s = (PCRE2_SPTR)(c->buf + c->p[i].off);
			PCRE2_SIZE off = 0, len = c->p[i].len;

			while (off <= len && pcre2_jit_match(p->re[j], s, len, off, 0, md, NULL) > 0) {
				PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);

				m++;
				off = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
			}
		}
	}
	t0 = now_s() - t0;
	pcre2_match_data_free(md);
	*ret_matches = m;
	return t0;
}

static void pc_free(struct pc *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		pcre2_code_free(p->re[i]);
	free(p->re);
}

/* --- body rewriter, end to end ----------------------------------------------- */

#define BODY_SET   64                /* distinct bodies, cycled */
#define BODY_BYTES 4096              /* target size of each */
#define BODY_RUNS  20000             /* timed rewrites per measurement */

/* What the rewriter handed the scanner for one body, and what came back. */
struct body_call {
	char *text;
	size_t len;
	struct scan_finding *f;
	size_t n;
};

struct body_case {
	char *json;
	size_t len;
	bool pii;                        /* PII planted */
	struct body_call *calls;
	size_t n_calls, cap_calls;
};

struct body_bench {
	struct eng *e;
	struct protect_base *base;       /* the product path: protect_body() */
	struct protect *prot;            /* tenant of no policy: the content defaults */
	struct scan_scratch *pscratch;
	struct scan_norm norm;
	struct body_case *cur;
	size_t next;                     /* replay: the next call of cur */
	int mismatch;
	struct vault_mac *mac;           /* the tenant's prepared key, as protect.c keeps it */
};

/* The first pass: scan and keep each call's text and findings. */
static int body_scan_capture(void *ctx, const char *text, size_t len, struct scan_result *out)
{
	struct body_bench *b = ctx;
	struct body_case *bc = b->cur;
	size_t n0 = out->n;
	struct body_call *c;
	int err;

	err = scan_text(b->e->e, b->e->s, text, len, out);
	if (err)
		return err;
	if (bc->n_calls == bc->cap_calls) {
		size_t cap = bc->cap_calls ? bc->cap_calls * 2 : 16;

		c = realloc(bc->calls, cap * sizeof(*c));
		if (!c)
			return -ENOMEM;
		bc->calls = c;
		bc->cap_calls = cap;
	}
	c = &bc->calls[bc->n_calls];
	*c = (struct body_call){ .text = malloc(len + 1), .len = len, .n = out->n - n0 };
	c->f = malloc((c->n ? c->n : 1) * sizeof(*c->f));
	if (!c->text || !c->f) {
		free(c->text);
		free(c->f);
		return -ENOMEM;
	}
	memcpy(c->text, text, len);
	memcpy(c->f, out->v + n0, c->n * sizeof(*c->f));
	bc->n_calls++;
	return 0;
}

/* Later passes without the engine: the findings the first pass recorded. */
static int body_scan_replay(void *ctx, const char *text, size_t len, struct scan_result *out)
{
	struct body_bench *b = ctx;
	const struct body_call *c;
	size_t i;
	int err;

	if (b->next >= b->cur->n_calls || b->cur->calls[b->next].len != len) {
		b->mismatch = 1;
		return -EPROTO;
	}
	(void)text;
	c = &b->cur->calls[b->next++];
	for (i = 0; i < c->n; i++) {
		err = scan_result_push(out, &c->f[i]);
		if (err)
			return err;
	}
	return 0;
}

static void body_decide(void *ctx, struct scan_finding *f)
{
	(void)ctx;
	f->action = f->category == SCAN_CAT_PII ? SCAN_ACT_TOKENIZE : SCAN_ACT_FLAG;
}

static json_t *body_msg(const char *role, json_t *content)
{
	json_t *m = json_object();

	json_object_set_new(m, "role", json_string(role));
	json_object_set_new(m, "content", content);
	return m;
}

static json_t *body_text(struct corpus *t, unsigned int sentences)
{
	t->len = 0;
	paragraph(t, sentences);
	return json_stringn(t->buf, t->len);
}

/*
 * The turns after the history: a user turn with or without PII, as plain
 * content, as content parts, or after an assistant tool call (arguments
 * holding the PII) and its result.
 */
static void body_tail(struct corpus *t, json_t *msgs, unsigned int shape, bool with_pii)
{
	json_t *m, *parts, *part, *calls, *call, *fn;
	char args[256];

	switch (shape) {
	case 0:
		t->len = 0;
		paragraph(t, 2);
		if (with_pii) {
			puts_(t, "My card is ");
			pii(t);
			puts_(t, " and you can mail me at alice@example.com.");
		}
		json_array_append_new(msgs, body_msg("user", json_stringn(t->buf, t->len)));
		break;
	case 1:
		parts = json_array();
		part = json_object();
		json_object_set_new(part, "type", json_string("text"));
		t->len = 0;
		paragraph(t, 2);
		if (with_pii) {
			puts_(t, "Reach me on ");
			pii(t);
			puts_(t, ".");
		}
		json_object_set_new(part, "text", json_stringn(t->buf, t->len));
		json_array_append_new(parts, part);
		part = json_object();
		json_object_set_new(part, "type", json_string("image_url"));
		json_object_set_new(part, "image_url", json_pack("{s:s, s:s}", "url",
			"https://img.example.com/chart.png", "detail", "low"));
		json_array_append_new(parts, part);
		json_array_append_new(msgs, body_msg("user", parts));
		break;
	default:
		json_array_append_new(msgs, body_msg("user", body_text(t, 2)));
		snprintf(args, sizeof(args),
			 "{\"to\":\"%s\",\"subject\":\"Quarterly numbers\",\"cc\":[\"team@corp.example.net\"],\"urgent\":false}",
			 with_pii ? "carol.eve@contoso.com" : "finance-team");
		fn = json_pack("{s:s, s:s}", "name", "send_mail", "arguments", args);
		call = json_pack("{s:s, s:s, s:o}", "id", "call_8f2a", "type", "function", "function", fn);
		calls = json_array();
		json_array_append_new(calls, call);
		m = body_msg("assistant", json_null());
		json_object_set_new(m, "tool_calls", calls);
		json_array_append_new(msgs, m);
		m = body_msg("tool", json_string("{\"status\":\"queued\",\"id\":48213}"));
		json_object_set_new(m, "tool_call_id", json_string("call_8f2a"));
		json_array_append_new(msgs, m);
		break;
	}
}

/*
 * A chat completion body of BODY_BYTES: a system prompt, history turns, then
 * the tail; the longest history turn is cut so the whole is BODY_BYTES long.
 */
static int chat_body(struct corpus *c, unsigned int shape, bool pii, struct body_case *ret)
{
	json_t *root = json_object(), *msgs = json_array(), *tail = json_array(), *m, *first = NULL;
	struct corpus t = *c;
	size_t len, i;
	char *s = NULL;
	int turn;

	t.buf = malloc(8192);
	t.cap = 8192;
	t.pii = pii;
	json_object_set_new(root, "model", json_string("gpt-4o"));
	json_object_set_new(root, "temperature", json_real(0.2));
	json_array_append_new(msgs, body_msg("system", body_text(&t, 3)));
	body_tail(&t, tail, shape, pii);
	json_object_set_new(root, "messages", msgs);
	for (turn = 1;; turn++) {
		m = body_msg(turn % 2 ? "user" : "assistant", body_text(&t, 3 + pick(&t, 4)));
		json_array_append_new(msgs, m);
		if (!first || json_string_length(json_object_get(m, "content")) >
				      json_string_length(json_object_get(first, "content")))
			first = m;   /* the longest history turn: the one to cut */
		for (i = 0; i < json_array_size(tail); i++)
			json_array_append(msgs, json_array_get(tail, i));
		free(s);
		s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
		len = s ? strlen(s) : 0;
		for (i = 0; i < json_array_size(tail); i++)
			json_array_remove(msgs, json_array_size(msgs) - 1);
		if (!s || len >= BODY_BYTES)
			break;
	}
	if (s && len > BODY_BYTES) {
		/* history text is plain ASCII without escapes: one byte in, one out */
		json_t *fc = json_object_get(first, "content");
		size_t cut = len - BODY_BYTES;

		if (cut < json_string_length(fc))
			json_string_setn(fc, json_string_value(fc), json_string_length(fc) - cut);
		for (i = 0; i < json_array_size(tail); i++)
			json_array_append(msgs, json_array_get(tail, i));
		free(s);
		s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	}
	c->rng = t.rng;
	free(t.buf);
	json_decref(tail);
	json_decref(root);
	if (!s)
		return -ENOMEM;
	*ret = (struct body_case){ .json = s, .len = strlen(s), .pii = pii };
	return 0;
}

static void body_cases_free(struct body_case *bc, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < bc[i].n_calls; k++) {
			free(bc[i].calls[k].text);
			free(bc[i].calls[k].f);
		}
		free(bc[i].calls);
		free(bc[i].json);
	}
}

static const unsigned char body_key[32] = "bench-tenant-key-0123456789abcd";

/* One request: a fresh vault, as every request of a tenant gets. */
static int body_once(struct body_bench *b, body_scan_fn scan, struct body_case *bc,
		     size_t *ret_rewritten)
{
	const unsigned char *key = body_key;
	struct vault *v = vault_new(NULL);
	struct body_opts o = {
		.api = BODY_API_CHAT, .scan = scan, .scan_ctx = b,
		.decide = body_decide, .xform = { .key = key, .key_len = sizeof(body_key), .vault = v },
	};
	struct body_result r = { 0 };
	struct body_error be = { 0 };
	int err;

	if (v)
		vault_use_mac(v, b->mac);
	b->cur = bc;
	b->next = 0;
	err = v ? body_rewrite_request(&o, bc->json, bc->len, &be, &r) : -ENOMEM;
	if (!err && b->next != bc->n_calls && scan == body_scan_replay)
		b->mismatch = 1;
	*ret_rewritten += r.rewritten;
	body_result_fini(&r);
	vault_free(v);
	return err;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* p50, p99 and mean of us[0..n), in microseconds; sorts us. */
static void pctl(double *us, size_t n, double ret[3])
{
	double sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += us[i];
	qsort(us, n, sizeof(*us), dbl_cmp);
	ret[0] = us[n / 2];
	ret[1] = us[n * 99 / 100];
	ret[2] = sum / (double)n;
}

/*
 * The fastest and the slowest of the bodies' median times: us[k] timed body
 * k % BODY_SET.  A p99 far above the slowest median is the machine
 * (interrupts, hypervisor stalls), not a costly body: fixed_work() says how
 * much.
 */
static void body_spread(const double *us, size_t n, double ret[2])
{
	static double one[BODY_RUNS / BODY_SET + 1];
	size_t b, i, m;
	double p[3];

	ret[0] = 1e300;
	ret[1] = 0;
	for (b = 0; b < BODY_SET; b++) {
		for (m = 0, i = b; i < n; i += BODY_SET)
			one[m++] = us[i];
		pctl(one, m, p);
		ret[0] = p[0] < ret[0] ? p[0] : ret[0];
		ret[1] = p[0] > ret[1] ? p[0] : ret[1];
	}
}

/* The product's request path: a request (vault, scratch lent), protect_body(). */
static int body_product(struct body_bench *b, struct body_case *bc, size_t *ret_rewritten)
{
	struct body_result res = { 0 };
	struct body_error be = { 0 };
	struct protect_req *r = NULL;
	int err;

	err = protect_req_new(b->prot, b->pscratch, &r);
	if (!err)
		err = protect_body(r, "/openai/deployments/gpt-4o/chat/completions?api-version=2024-06-01",
				   bc->json, bc->len, &be, &res);
	*ret_rewritten += res.rewritten;
	body_result_fini(&res);
	protect_req_free(r);
	return err;
}

/* Built-ins compiled once more, as protect_base_new() does in airlockd. */
static int body_product_setup(struct body_bench *b)
{
	static const uint8_t secret[PROTECT_NODE_SECRET_LEN] = "bench-node-secret-0123456789abcd";
	struct protect_opts po = { .node_secret = secret, .node_secret_len = sizeof(secret) };
	struct protect_error pe = { { 0 } };
	int err;

	err = protect_base_new(0, &b->base, &pe);
	po.base = b->base;
	if (!err)
		err = protect_new(NULL, &po, &b->prot, &pe);
	if (!err)
		err = protect_scratch_new(b->prot, &b->pscratch);
	if (err)
		fprintf(stderr, "protect: %s (%s: %s)\n", strerror(-err), pe.rule, pe.message);
	return err;
}

enum { BT_PRODUCT, BT_JSON, BT_BATCH, BT_SCAN, BT_ANALYZERS, BT__COUNT };

/* The body's strings as one batch, as protect_body() hands them over. */
static int body_batch(struct body_bench *b, const struct body_case *c)
{
	struct scan_part parts[64];
	size_t first[65], i;

	if (c->n_calls > 64)
		return -E2BIG;
	for (i = 0; i < c->n_calls; i++)
		parts[i] = (struct scan_part){ c->calls[i].text, c->calls[i].len };
	scan_result_reset(&b->e->r);
	return scan_texts(b->e->e, b->e->s, parts, c->n_calls, &b->e->r, first);
}

/* PROMPT_INJECTION, EMAIL_CONTENT and EXFILTRATION on each normalised string. */
static int body_analyzers(struct body_bench *b, const struct body_case *c)
{
	static const struct exfil_opts eo;
	size_t i;
	int err = 0;

	for (i = 0; i < c->n_calls && err >= 0; i++) {
		err = scan_norm_run(&b->norm, c->calls[i].text, c->calls[i].len);
		scan_result_reset(&b->e->r);
		if (err >= 0)
			err = injection_scan(b->norm.view, b->norm.len, &b->norm, &b->e->r);
		if (err >= 0)
			err = email_content_scan(b->norm.view, b->norm.len, &b->e->r);
		if (err >= 0)
			err = exfil_scan(b->norm.view, b->norm.len, EXFIL_REQUEST, &eo, &b->e->r);
	}
	return err < 0 ? err : 0;
}

/*
 * The machine's share of a p99.  A chain of multiplies (no memory, the
 * same cycles every time) sized to the bodies' median and timed between
 * them sees the same interrupts and hypervisor stalls they do; its p99 is
 * what the machine alone makes of work that long.
 */
static uint64_t fixed_work(uint64_t reps)
{
	uint64_t x = reps;

	while (reps--) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		__asm__ volatile("" : "+r"(x)); /* no closed form, no vectors */
	}
	return x;
}

/* Repetitions of fixed_work() that take `us`: the fastest of a few timings. */
static uint64_t fixed_reps(double us)
{
	const uint64_t probe = 1u << 20;
	double best = 1e300, t0;
	int k;

	for (k = 0; k < 5; k++) {
		t0 = now_us();
		fixed_work(probe);
		t0 = now_us() - t0;
		best = t0 < best ? t0 : best;
	}
	return (uint64_t)(us / best * (double)probe) + 1;
}

/* One run of what over body c. */
static int body_one(struct body_bench *b, int what, struct body_case *c, size_t *ret_rewritten)
{
	size_t i;
	int err = 0;

	switch (what) {
	case BT_BATCH:
		return body_batch(b, c);
	case BT_ANALYZERS:
		return body_analyzers(b, c);
	case BT_JSON:
		return body_once(b, body_scan_replay, c, ret_rewritten);
	case BT_PRODUCT:
		return body_product(b, c, ret_rewritten);
	default:
		for (i = 0; i < c->n_calls && !err; i++) {
			scan_result_reset(&b->e->r);
			err = scan_text(b->e->e, b->e->s, c->calls[i].text, c->calls[i].len, &b->e->r);
		}
		return err;
	}
}

/* What a timed round does besides timing each body. */
struct body_ctl {
	bool least;                      /* keep the lesser of us[k] and this round's time */
	uint64_t reps;                   /* with us: fixed_work(reps) timed after each body */
	double *us;
};

/* One timed round-robin over the cases; per body times into us[]. */
static int body_round(struct body_bench *b, int what, struct body_case *bc, size_t n, double *us,
		      size_t runs, size_t *ret_rewritten, const struct body_ctl *ctl)
{
	volatile uint64_t sink = 0;
	size_t k;
	int err = 0;

	for (k = 0; k < runs && !err; k++) {
		double t0 = now_us(), t;

		err = body_one(b, what, &bc[k % n], ret_rewritten);
		t = now_us() - t0;
		us[k] = ctl && ctl->least && us[k] < t ? us[k] : t;
		if (ctl && ctl->us) {
			t0 = now_us();
			sink += fixed_work(ctl->reps);
			ctl->us[k] = now_us() - t0;
		}
	}
	(void)sink;
	return err ? err : b->mismatch ? -EPROTO : 0;
}

/*
 * BODY_SET different 4 KiB chat bodies (plain turns, content parts, tool
 * calls; half of them with PII to tokenize), each rewritten end to end by
 * protect_body() as airlockd does (a request with its vault, the regex
 * engine, the analyzers, the tenant defaults), time per body (now_us()),
 * with fixed work of the same median timed between them.  Then the
 * parts: the JSON work and the transforms alone (the scanner replaced by the
 * findings it gave), the regex scanner on the strings the rewriter handed it
 * (batched as protect_body() does, and one by one), and the analyzers.
 */
static void bench_body(struct eng *e, struct corpus *c)
{
	static const char *const what[BT__COUNT] = {
		"chat body end to end: protect_body(), every detector",
		"  JSON + transforms (recorded findings, no detectors)",
		"  regex scanner, the strings batched (scan_texts)",
		"  regex scanner, string by string (scan_text)",
		"  injection, e-mail content, exfiltration analyzers",
	};
	struct body_case bc[BODY_SET] = { { 0 } };
	struct body_bench b = { .e = e };
	size_t i, n_pii = 0, min = SIZE_MAX, max = 0, rewritten = 0, bytes = 0, calls = 0;
	double *us = malloc(BODY_RUNS * sizeof(*us)), *ctl_us = malloc(BODY_RUNS * sizeof(*ctl_us));
	double *least = malloc(BODY_RUNS * sizeof(*least));
	double p[3], spread[2], t_total;
	int k, err = vault_mac_new(body_key, sizeof(body_key), &b.mac);

	/* The same bodies whatever ran before (--body-only or the whole bench). */
	c->rng = 0x5eed0b0d1e5ull;
	for (i = 0; i < BODY_SET && us && ctl_us && least && !err; i++) {
		err = chat_body(c, (unsigned int)(i / 2 % 3), i % 2, &bc[i]);
		if (err)
			break;
		b.cur = &bc[i];
		err = body_once(&b, body_scan_capture, &bc[i], &rewritten);
		n_pii += bc[i].pii;
		min = bc[i].len < min ? bc[i].len : min;
		max = bc[i].len > max ? bc[i].len : max;
		bytes += bc[i].len;
		calls += bc[i].n_calls;
	}
	if (!err)
		err = body_product_setup(&b);
	if (!us || !ctl_us || !least || err) {
		printf("body rewrite: error %d\n", us && ctl_us && least ? err : -ENOMEM);
		goto out;
	}
	printf("chat bodies: %d of %zu-%zu bytes (%zu with PII; plain turns, content parts, tool calls), "
	       "%.1f strings scanned and %.2f spans rewritten per body; time per body over %d runs:\n",
	       BODY_SET, min, max, n_pii, (double)calls / BODY_SET, (double)rewritten / BODY_SET,
	       BODY_RUNS);
	for (k = 0; k < BT__COUNT; k++) {
		bool product = k == BT_PRODUCT;
		struct body_ctl ctl = { .us = ctl_us };
		int round;

		rewritten = 0;
		/* warm up: caches, the allocator, the vault's MAC; the median to match */
		err = body_round(&b, k, bc, BODY_SET, us, BODY_SET * 4, &rewritten, NULL);
		if (!err && product) {
			pctl(us, BODY_SET * 4, p);
			ctl.reps = fixed_reps(p[0]);
		}
		if (!err)
			err = body_round(&b, k, bc, BODY_SET, us, BODY_RUNS, &rewritten,
					 product ? &ctl : NULL);
		if (err)
			break;
		if (product) {
			body_spread(us, BODY_RUNS, spread);
			memcpy(least, us, BODY_RUNS * sizeof(*us));
		}
		pctl(us, BODY_RUNS, p);
		t_total = p[2] * BODY_RUNS / 1e6;
		printf("%-60s p50 %6.1f us, p99 %6.1f us, mean %6.1f us/body, %.1f MB/s\n", what[k],
		       p[0], p[1], p[2], mbps(bytes / BODY_SET * BODY_RUNS, t_total));
		if (!product)
			continue;
		printf("  each body's own median: %.1f to %.1f us (what the content costs)\n", spread[0],
		       spread[1]);
		pctl(ctl_us, BODY_RUNS, p);
		printf("%-60s p50 %6.1f us, p99 %6.1f us (the machine's share of a p99)\n",
		       "  fixed work of the same median, timed between the bodies", p[0], p[1]);
		/*
		 * The same sequence twice more, each run kept at the least of its
		 * three: a stall that hits a run seldom hits it in another round,
		 * and the bodies before it (the caches) are the same each time.
		 */
		ctl = (struct body_ctl){ .least = true };
		for (round = 0; round < 2 && !err; round++)
			err = body_round(&b, k, bc, BODY_SET, least, BODY_RUNS, &rewritten, &ctl);
		if (err)
			break;
		pctl(least, BODY_RUNS, p);
		printf("%-60s p50 %6.1f us, p99 %6.1f us (the content's p99)\n",
		       "  each run the least of 3 rounds of the same sequence", p[0], p[1]);
	}
	if (err)
		printf("body rewrite: error %d\n", err);
out:
	body_cases_free(bc, BODY_SET);
	scan_scratch_free(b.pscratch);
	scan_norm_free(&b.norm);
	protect_free(b.prot);
	protect_base_free(b.base);
	vault_mac_free(b.mac);
	free(least);
	free(ctl_us);
	free(us);
}

/* --- main -------------------------------------------------------------------- */

static int eng_setup(struct eng *e, int pii_only)
{
	struct scan_compile_error ce = { 0 };
	int err = scan_ruleset_new(&e->rs);

	if (!err)
		err = scan_rules_builtin(e->rs);
	/* every rule on (the built-ins hold the secret tables), or the PII ones only */
	if (!err && pii_only)
		err = scan_ruleset_disable(e->rs, "SECRET");
	if (!err)
		err = scan_engine_new_opts(e->rs, NULL, &e->e, &ce);
	if (!err)
		err = scan_scratch_new(e->e, &e->s);
	if (err)
		fprintf(stderr, "engine: %s (%s: %s)\n", strerror(-err), ce.rule_id, ce.message);
	return err;
}

static void eng_free(struct eng *e)
{
	scan_result_free(&e->r);
	scan_scratch_free(e->s);
	scan_engine_free(e->e);
	scan_ruleset_free(e->rs);
}

static void type_counts(struct eng *e, const struct corpus *c)
{
	char types[32][SCAN_TYPE_LEN];
	size_t count[32] = { 0 }, nt = 0, i, j, k;

	for (i = 0; i < c->n; i++) {
		scan_result_reset(&e->r);
		if (scan_text(e->e, e->s, c->buf + c->p[i].off, c->p[i].len, &e->r))
			return;
		for (j = 0; j < e->r.n; j++) {
			for (k = 0; k < nt && strcmp(types[k], e->r.v[j].type); k++)
				;
			if (k == nt && nt < 32)
				snprintf(types[nt++], SCAN_TYPE_LEN, "%s", e->r.v[j].type);
			if (k < 32)
				count[k]++;
		}
	}
	for (k = 0; k < nt; k++)
		printf("  %-20s %8zu  (%.2f per MB)\n", types[k], count[k], (double)count[k] / ((double)c->len / 1e6));
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mb", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 's' },
		{ "no-baseline", no_argument, NULL, 'B' },
		{ "engine-only", no_argument, NULL, 'E' },
		{ "kind", required_argument, NULL, 'k' },
		{ "pii-only", no_argument, NULL, 'P' },
		{ "body-only", no_argument, NULL, 'b' },
		{ "dump", required_argument, NULL, 'D' },
		{ "write-corpus", required_argument, NULL, 'W' },
		{ 0 },
	};
	struct corpus c, benign;
	struct eng e = { 0 };
	struct pc pc = { 0 };
	struct scan_stats st;
	size_t mb = 32, findings = 0, matches = 0, i;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	int opt, baseline = 1, rc = 1, engine_only = 0, kind = K__COUNT, pii_only = 0, body_only = 0;
	const char *dump = NULL, *corpus_dir = NULL;
	double t_eng, t_part, t_pc, scanned = 0;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'm': mb = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'B': baseline = 0; break;
		case 'E': engine_only = 1; break;
		case 'P': pii_only = 1; break;
		case 'b': body_only = 1; break;
		case 'D': dump = optarg; break;
		case 'W': corpus_dir = optarg; break;
		case 'k':
			for (kind = 0; kind < K__COUNT && strcmp(optarg, kind_name[kind]); kind++)
				;
			break;
		default:
			fprintf(stderr, "usage: %s [--mb N] [--seed N] [--no-baseline] [--engine-only] "
				"[--body-only] [--kind chat|code|json|logs|email] [--pii-only] [--dump FILE] "
				"[--write-corpus DIR]\n",
				argv[0]);
			return 2;
		}
	}
	if (body_only)
		mb = 1;
	if (corpus_dir)
		return corpus_write_all(corpus_dir, mb, seed) ? 1 : 0;
	if (corpus_make(&c, mb << 20, seed, 1, kind) ||
	    corpus_make(&benign, mb << 20, seed ^ 1, 0, K__COUNT))
		return 1;
	if (eng_setup(&e, pii_only))
		goto out;
	printf("bench_scan: %zu rules, %zu Hyperscan patterns (%zu refused SOM: anchored start search), one core\n",
	       scan_engine_rule_count(e.e), scan_engine_pattern_count(e.e),
	       scan_engine_fallback_count(e.e));
	if (body_only) {
		bench_body(&e, &c);
		rc = 0;
		goto out;
	}
	if (dump) {
		const struct corpus *cs[] = { &c, &benign };

		rc = eng_dump(&e, cs, 2, dump) ? 1 : 0;
		if (rc)
			fprintf(stderr, "dump to %s failed\n", dump);
		goto out;
	}
	printf("corpus: %.1f MB in %zu prompts (mean %zu bytes), %zu PII values planted\n",
	       (double)c.len / 1e6, c.n, c.len / c.n, c.planted);

	scan_scratch_stats_reset(e.s);
	t_eng = eng_time(&e, &c, 3, &findings);
	if (t_eng < 0)
		goto out;
	scan_scratch_stats(e.s, &st);
	for (i = 0; i < SCAN_DB__COUNT; i++)
		scanned += (double)st.scanned[i];
	printf("engine:   %8.1f MB/s  (%zu findings)\n", mbps(c.len, t_eng), findings);
	printf("  Hyperscan saw %.1f%% of the bytes (full text %.1f%%, digit windows %.1f%%, token windows %.1f%%, full-text starts %.2f%%), %.2f calls per message, %.1f raw matches per KiB\n",
	       100.0 * (scanned + (double)st.start_bytes) / (double)st.bytes,
	       100.0 * (double)st.scanned[SCAN_DB_FULL] / (double)st.bytes,
	       100.0 * (double)st.scanned[SCAN_DB_DIGITS] / (double)st.bytes,
	       100.0 * (double)st.scanned[SCAN_DB_TOKENS] / (double)st.bytes,
	       100.0 * (double)st.start_bytes / (double)st.bytes,
	       (double)(st.calls[0] + st.calls[1] + st.calls[2] + st.start_scans) / (double)st.texts,
	       (double)st.candidates / ((double)st.bytes / 1024));
	/* the same chat text cut into messages of one size: the fixed cost per message shows */
	if (kind == K__COUNT) {
		static const size_t sizes[] = { 512, 2048, 8192, 32768 };
		struct corpus k;

		if (corpus_make(&k, (mb << 20) / 4, seed + 99, 1, K_CHAT))
			goto out;
		printf("  chat cut into messages of");
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			struct corpus cut = k;
			size_t off, m = 0;

			cut.p = calloc(k.len / sizes[i] + 1, sizeof(*cut.p));
			if (!cut.p)
				break;
			for (off = 0; off + sizes[i] <= k.len; off += sizes[i])
				cut.p[m++] = (struct prompt){ .off = off, .len = sizes[i] };
			cut.n = m;
			t_part = eng_time(&e, &cut, 3, &findings);
			printf(" %zu B: %.1f MB/s%s", sizes[i], mbps(m * sizes[i], t_part),
			       i + 1 < sizeof(sizes) / sizeof(sizes[0]) ? "," : "\n");
			free(cut.p);
		}
		corpus_free(&k);
	}
	for (i = 0; i < K__COUNT && kind == K__COUNT; i++) {
		struct corpus k;

		if (corpus_of_kind(&k, mb, seed, (int)i))
			goto out;
		t_part = eng_time(&e, &k, 3, &findings);
		printf("  %-6s %8.1f MB/s  (%zu messages, mean %zu bytes)\n", kind_name[i],
		       mbps(k.len, t_part), k.n, k.len / k.n);
		corpus_free(&k);
	}
	if (engine_only) {
		rc = 0;
		goto out;
	}
	if (baseline) {
		if (pc_build(&pc, e.rs))
			goto out;
		t_pc = pc_time(&pc, &c, &matches);
		printf("pcre2-jit one by one: %8.1f MB/s  (%zu regexes, %zu not PCRE2-compatible, %zu matches)\n",
		       mbps(c.len, t_pc), pc.n, pc.skipped, matches);
		/* the same corpus both ways: t_eng is still the mixed corpus's (t_part the others') */
		printf("ratio: engine is %.1fx the one-by-one baseline\n", t_pc / t_eng);
	}
	printf("findings by type, PII corpus:\n");
	type_counts(&e, &c);
	t_eng = eng_time(&e, &benign, 1, &findings);
	printf("benign corpus (nothing planted): %.1f MB/s, %zu findings (%.2f per MB):\n",
	       mbps(benign.len, t_eng), findings, (double)findings / ((double)benign.len / 1e6));
	type_counts(&e, &benign);
	bench_body(&e, &c);
	rc = 0;
out:
	pc_free(&pc);
	eng_free(&e);
	corpus_free(&c);
	corpus_free(&benign);
	return rc;
}
