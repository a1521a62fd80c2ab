/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * airlockctl policy check|compile: work on a policy file offline, without
 * the daemon, so that CI and editors can check a policy before it is rolled
 * out.
 */
#ifndef AIRLOCK_CTL_POLICY_H
#define AIRLOCK_CTL_POLICY_H

/* Exit codes of ctl_policy(). */
#define CTL_POLICY_OK      0
#define CTL_POLICY_INVALID 1   /* the policy is invalid, or it could not be read */
#define CTL_POLICY_USAGE   2

/* argv[0] is "policy".  Returns the process exit code. */
int ctl_policy(int argc, char **argv);

#endif /* AIRLOCK_CTL_POLICY_H */
