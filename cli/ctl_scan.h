/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * airlockctl scan: run the content pipeline offline on standard input, with
 * a tenant's content policy (or the built-in defaults), exactly as the proxy
 * would: findings, actions, the rewritten text or body, or the refusal.
 */
#ifndef AIRLOCK_CTL_SCAN_H
#define AIRLOCK_CTL_SCAN_H

/* Exit codes of ctl_scan(). */
#define CTL_SCAN_OK      0
#define CTL_SCAN_ERROR   1   /* unreadable input, policy or key; invalid JSON; scanner error */
#define CTL_SCAN_USAGE   2
#define CTL_SCAN_BLOCKED 3   /* the content would be refused */

/* argv[0] is "scan".  Returns the process exit code. */
int ctl_scan(int argc, char **argv);

#endif /* AIRLOCK_CTL_SCAN_H */
