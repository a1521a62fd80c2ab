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
 * and a 4 KiB chat body goes through the body rewriter end to end.
 *
 *   bench_scan [--mb N] [--seed N] [--no-baseline] [--engine-only] [--kind K] [--pii-only]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs.h>
#include <pcre2.h>

#include "body.h"
#include "engine.h"
#include "rules.h"
#include "rules_secret.h"
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
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

static int body_scan(void *ctx, const char *text, size_t len, struct scan_result *out)
{
	struct eng *e = ctx;

	return scan_text(e->e, e->s, text, len, out);
}

static void body_decide(void *ctx, struct scan_finding *f)
{
	(void)ctx;
	f->action = f->category == SCAN_CAT_PII ? SCAN_ACT_TOKENIZE : SCAN_ACT_FLAG;
}

/* A 4 KiB chat completion body: system prompt, history, a user turn with PII. */
static size_t chat_body(struct corpus *c, char *out, size_t cap)
{
	json_t *root = json_object(), *msgs = json_array();
	struct corpus tmp = *c;
	char *s;
	size_t len;
	int turn;

	tmp.buf = malloc(8192);
	tmp.cap = 8192;
	json_object_set_new(root, "model", json_string("gpt-4o"));
	for (turn = 0; turn < 8; turn++) {
		json_t *m = json_object();

		tmp.len = 0;
		paragraph(&tmp, turn ? 6 : 4);
		if (turn == 7) {
			puts_(&tmp, "My card is ");
			pii(&tmp);
			puts_(&tmp, " and you can mail me at alice@example.com.");
		}
		json_object_set_new(m, "role", json_string(!turn ? "system" : turn % 2 ? "user" : "assistant"));
		json_object_set_new(m, "content", json_stringn(tmp.buf, tmp.len));
		json_array_append_new(msgs, m);
	}
	json_object_set_new(root, "messages", msgs);
	s = json_dumps(root, JSON_COMPACT);
	len = s ? strlen(s) : 0;
	if (len > cap)
		len = cap;
	if (s)
		memcpy(out, s, len);
	free(s);
	free(tmp.buf);
	json_decref(root);
	return len;
}

static void bench_body(struct eng *e, struct corpus *c)
{
	static const unsigned char key[32] = "bench-tenant-key-0123456789abcd";
	char body[16384];
	size_t len = chat_body(c, body, sizeof(body)), rewritten = 0;
	int k, iters = 20000, err = 0;
	double t0;

	t0 = now_s();
	for (k = 0; k < iters && !err; k++) {
		struct vault *v = vault_new(NULL);
		struct body_opts o = {
			.api = BODY_API_CHAT, .scan = body_scan, .scan_ctx = e,
			.decide = body_decide, .xform = { .key = key, .key_len = sizeof(key), .vault = v },
		};
		struct body_result r = { 0 };
		struct body_error be = { 0 };

		err = body_rewrite_request(&o, body, len, &be, &r);
		rewritten = r.rewritten;
		body_result_fini(&r);
		vault_free(v);
	}
	t0 = now_s() - t0;
	if (err) {
		printf("body rewrite: error %d\n", err);
		return;
	}
	printf("chat body end to end (%zu bytes, parse + scan + tokenize + serialise): %.1f us/body, %.1f MB/s, %zu spans rewritten\n",
	       len, t0 / iters * 1e6, mbps(len * (size_t)iters, t0), rewritten);
}

/* --- main -------------------------------------------------------------------- */

static int eng_setup(struct eng *e, int pii_only)
{
	struct scan_compile_error ce = { 0 };
	int err = scan_ruleset_new(&e->rs);

	if (!err)
		err = scan_rules_builtin(e->rs);
	/* every rule on: the secret tables too, until they join SCAN_RULE_TABLES */
	if (!err && !pii_only) {
		err = rules_secret_register(e->rs);
		if (err == -EEXIST)
			err = 0;
	}
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
		{ 0 },
	};
	struct corpus c, benign;
	struct eng e = { 0 };
	struct pc pc = { 0 };
	struct scan_stats st;
	size_t mb = 32, findings = 0, matches = 0, i;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	int opt, baseline = 1, rc = 1, engine_only = 0, kind = K__COUNT, pii_only = 0;
	double t_eng, t_pc, scanned = 0;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'm': mb = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'B': baseline = 0; break;
		case 'E': engine_only = 1; break;
		case 'P': pii_only = 1; break;
		case 'k':
			for (kind = 0; kind < K__COUNT && strcmp(optarg, kind_name[kind]); kind++)
				;
			break;
		default:
			fprintf(stderr, "usage: %s [--mb N] [--seed N] [--no-baseline] [--engine-only] "
				"[--kind chat|code|json|logs|email] [--pii-only]\n", argv[0]);
			return 2;
		}
	}
	if (corpus_make(&c, mb << 20, seed, 1, kind) ||
	    corpus_make(&benign, mb << 20, seed ^ 1, 0, K__COUNT))
		return 1;
	if (eng_setup(&e, pii_only))
		goto out;
	printf("bench_scan: %zu rules, %zu Hyperscan patterns (%zu without SOM), one core\n",
	       scan_engine_rule_count(e.e), scan_engine_pattern_count(e.e),
	       scan_engine_fallback_count(e.e));
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
	printf("  Hyperscan saw %.1f%% of the bytes (full text %.1f%%, digit windows %.1f%%, token windows %.1f%%), %.2f calls per message, %.1f raw matches per KiB\n",
	       100.0 * scanned / (double)st.bytes,
	       100.0 * (double)st.scanned[SCAN_DB_FULL] / (double)st.bytes,
	       100.0 * (double)st.scanned[SCAN_DB_DIGITS] / (double)st.bytes,
	       100.0 * (double)st.scanned[SCAN_DB_TOKENS] / (double)st.bytes,
	       (double)(st.calls[0] + st.calls[1] + st.calls[2]) / (double)st.texts,
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
			t_eng = eng_time(&e, &cut, 3, &findings);
			printf(" %zu B: %.1f MB/s%s", sizes[i], mbps(m * sizes[i], t_eng),
			       i + 1 < sizeof(sizes) / sizeof(sizes[0]) ? "," : "\n");
			free(cut.p);
		}
		corpus_free(&k);
	}
	for (i = 0; i < K__COUNT && kind == K__COUNT; i++) {
		struct corpus k;

		if (corpus_make(&k, (mb << 20) / 4, seed + i, 1, (int)i))
			goto out;
		t_eng = eng_time(&e, &k, 3, &findings);
		printf("  %-6s %8.1f MB/s  (%zu messages, mean %zu bytes)\n", kind_name[i],
		       mbps(k.len, t_eng), k.n, k.len / k.n);
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
