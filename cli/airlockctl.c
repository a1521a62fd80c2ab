// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* airlockctl: the command-line face of airlock.  Dispatch only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "airlock.h"
#include "ctl.h"
#include "ctl_policy.h"
#include "ctl_scan.h"

static const char usage[] =
	"Usage: airlockctl [--socket PATH] [--json] COMMAND [ARGS]\n"
	"\n"
	"  status                     attached programs and links, policy generation, tenants, workloads\n"
	"  stats [--tenant T]         per-tenant counters (connects, datagrams, packets, bytes)\n"
	"  denials [--follow] [-n N]  recent denials; --follow streams new ones\n"
	"  reload                     re-read the policy file (as SIGHUP)\n"
	"  policy check FILE          validate a policy (exit 0 valid, 1 invalid)\n"
	"  policy compile FILE        the exact map entries FILE compiles to\n"
	"  scan [--policy FILE --tenant T] [--jsonl | --body [--path P]] [--response]\n"
	"                             run stdin through the content scanner (exit 3: blocked)\n"
	"\n"
	"  --socket PATH   airlockd control socket (default " AIRLOCK_DEFAULT_CONTROL ")\n"
	"  --json          machine-readable output, on every command\n";

int main(int argc, char **argv)
{
	struct ctl_opts o = {.socket = AIRLOCK_DEFAULT_CONTROL};
	char *args[64];
	int i, n = 0;

	/* Global options may stand anywhere; --json is passed on to policy too. */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			o.json = 1;
		} else if (!strcmp(argv[i], "--socket") && i + 1 < argc) {
			o.socket = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage, stdout);
			return 0;
		} else if (n < 62) {
			args[n++] = argv[i];
		} else {
			fputs("airlockctl: too many arguments\n", stderr);
			return 2;
		}
	}
	args[n] = NULL;
	if (n == 0) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(args[0], "status"))
		return ctl_status(&o, n, args);
	if (!strcmp(args[0], "stats"))
		return ctl_stats(&o, n, args);
	if (!strcmp(args[0], "denials"))
		return ctl_denials(&o, n, args);
	if (!strcmp(args[0], "reload"))
		return ctl_reload(&o, n, args);
	if (!strcmp(args[0], "policy")) {
		if (o.json && n < 62)
			args[n++] = "--json";
		args[n] = NULL;
		return ctl_policy(n, args);
	}
	if (!strcmp(args[0], "scan")) {
		if (o.json && n < 62)
			args[n++] = "--json";
		args[n] = NULL;
		return ctl_scan(n, args);
	}
	fprintf(stderr, "airlockctl: unknown command '%s'\n\n%s", args[0], usage);
	return 2;
}
