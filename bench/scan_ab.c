// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Two builds of the scanner in one process, each a shared library of
 * agent/scan and policy (bench/ab.sh makes them), over the corpus files
 * bench_scan --write-corpus writes: the passes alternate, A then B then B
 * then A, so both see the machine at the same speed, and each gets its
 * best pass.  This VM changes speed by up to 2x within minutes, so two
 * bench_scan runs one after the other can differ by more than a change
 * does; the ratio printed here is what a change is worth.
 *
 *   scan_ab LIB_A LIB_B ROUNDS CORPUS...
 *
 * The libraries are opened RTLD_LOCAL (and linked -Bsymbolic): each one's
 * calls stay inside it.  Only the public API is used (scan.h, engine.h,
 * rules.h), which both builds must share.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "rules.h"
#include "scan.h"

struct prompt {
	size_t off;
	size_t len;
};

struct build {
	const char *path;
	void *dl;
	void (*reset)(struct scan_result *);
	int (*scan)(const struct scan_engine *, struct scan_scratch *, const char *, size_t,
		    struct scan_result *);
	struct scan_engine *eng;
	struct scan_scratch *s;
	struct scan_result r;
};

static void *need(struct build *b, const char *name)
{
	void *p = dlsym(b->dl, name);

	if (!p)
		fprintf(stderr, "%s: %s\n", b->path, dlerror());
	return p;
}

static int build_open(struct build *b, const char *path)
{
	int (*rs_new)(struct scan_ruleset **);
	int (*builtin)(struct scan_ruleset *);
	int (*eng_new)(const struct scan_ruleset *, struct scan_engine **);
	int (*scratch_new)(const struct scan_engine *, struct scan_scratch **);
	struct scan_ruleset *rs = NULL;

	memset(b, 0, sizeof(*b));
	b->path = path;
	b->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!b->dl) {
		fprintf(stderr, "%s\n", dlerror());
		return -ENOENT;
	}
	rs_new = need(b, "scan_ruleset_new");
	builtin = need(b, "scan_rules_builtin");
	eng_new = need(b, "scan_engine_new");
	scratch_new = need(b, "scan_scratch_new");
	b->reset = need(b, "scan_result_reset");
	b->scan = need(b, "scan_text");
	if (!rs_new || !builtin || !eng_new || !scratch_new || !b->reset || !b->scan)
		return -ENOENT;
	/* the rule set lives as long as the process, as the engine needs */
	if (rs_new(&rs) || builtin(rs) || eng_new(rs, &b->eng) || scratch_new(b->eng, &b->s)) {
		fprintf(stderr, "%s: no engine\n", path);
		return -EINVAL;
	}
	return 0;
}

static char *load(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	long len;

	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		goto out;
	buf = malloc((size_t)len + 1);
	if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	*ret_len = (size_t)len;
out:
	if (f)
		fclose(f);
	if (!buf)
		fprintf(stderr, "%s: cannot read\n", path);
	return buf;
}

static double cpu_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* One pass of build b over the corpus; its CPU time, the findings in *ret_n. */
static double pass(struct build *b, const char *text, const struct prompt *p, size_t np,
		   size_t *ret_n)
{
	double t0 = cpu_s();
	size_t i, n = 0;

	for (i = 0; i < np; i++) {
		b->reset(&b->r);
		if (b->scan(b->eng, b->s, text + p[i].off, p[i].len, &b->r))
			return -1;
		n += b->r.n;
	}
	*ret_n = n;
	return cpu_s() - t0;
}

static int corpus_ab(struct build *ab, int rounds, const char *path)
{
	char idx_path[4096];
	size_t len, idx_len, np, n[2] = { 0, 0 };
	double best[2] = { 1e9, 1e9 };
	char *text = load(path, &len), *idx;
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	int r, k, err = 0;

	snprintf(idx_path, sizeof(idx_path), "%s.idx", path);
	idx = load(idx_path, &idx_len);
	if (!text || !idx) {
		err = -ENOENT;
		goto out;
	}
	np = idx_len / sizeof(struct prompt);
	for (r = 0; r < rounds && !err; r++) {
		for (k = 0; k < 2; k++) {
			int w = r & 1 ? 1 - k : k;   /* A B, then B A */
			double t = pass(&ab[w], text, (const struct prompt *)idx, np, &n[w]);

			if (t < 0)
				err = -EIO;
			else if (t < best[w])
				best[w] = t;
		}
	}
	if (!err)
		printf("%-6s A %7.1f MB/s  B %7.1f MB/s  B/A %.3f  (findings %zu, %zu)%s\n", name,
		       (double)len / best[0] / 1e6, (double)len / best[1] / 1e6, best[0] / best[1],
		       n[0], n[1], n[0] == n[1] ? "" : "  FINDINGS DIFFER");
out:
	free(text);
	free(idx);
	return err;
}

int main(int argc, char **argv)
{
	struct build ab[2];
	int rounds, i, err = 0;

	if (argc < 5) {
		fprintf(stderr, "usage: %s LIB_A LIB_B ROUNDS CORPUS...\n", argv[0]);
		return 2;
	}
	rounds = atoi(argv[3]);
	if (rounds < 2 || build_open(&ab[0], argv[1]) || build_open(&ab[1], argv[2]))
		return 1;
	printf("A %s\nB %s\nbest of %d alternated passes each, CPU time, one core\n", argv[1],
	       argv[2], rounds);
	for (i = 4; i < argc && !err; i++)
		err = corpus_ab(ab, rounds, argv[i]);
	return err ? 1 : 0;
}
