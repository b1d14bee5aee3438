/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running hardened: after start-up (capture handles, sockets and log files
 * open) the sensor gives up what it no longer needs.  Two steps, in order:
 *
 *   sw_harden_drop()     user and group switch, only the listed capabilities
 *                        left (permitted, effective, bounding set), none
 *                        ambient or inheritable, no_new_privs;
 *   sw_harden_seccomp()  a deny-list seccomp filter on every thread.
 *
 * Both are one-way.  They are meant for the main thread of a process whose
 * other threads need no capabilities: a user switch is applied to every
 * thread (glibc broadcasts set*id), but capabilities are per thread, and
 * threads that already run lose all of theirs at the switch (their
 * PR_SET_KEEPCAPS is off).  Threads created afterwards inherit the caller's.
 */
#ifndef SW_COMMON_HARDEN_H
#define SW_COMMON_HARDEN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Bit for capability @c (CAP_NET_RAW, ... from <linux/capability.h>) in a keep mask. */
#define SW_HARDEN_CAP(c) (1ull << (c))

/*
 * Look @user (and @group; NULL = the user's primary group) up in the
 * password and group databases.  Either may be a name or a decimal id.
 * Returns 0 and sets *@uid and *@gid, or -ENOENT (no such user or group)
 * or another -errno, with a one-line reason in @err.
 */
int sw_harden_lookup(const char *user, const char *group, uid_t *uid, gid_t *gid, char *err, size_t errlen);

/*
 * Drop privileges for good.  With @user (NULL = stay who we are):
 *   - running as root: bounding set cut to @keep_caps, supplementary groups
 *     of @user (initgroups), then setresgid/setresuid to @user and @group
 *     (NULL = the user's primary group) keeping the permitted set across the
 *     switch (PR_SET_KEEPCAPS);
 *   - already running as @user (systemd User=): no switch;
 *   - anyone else: -EPERM.
 * Then, in every case: permitted and effective sets become @keep_caps
 * intersected with what the thread has (asking for a capability the process
 * does not hold is not an error: it was only needed for what start-up
 * already did), inheritable and ambient sets are cleared, the bounding set
 * is cut to @keep_caps when CAP_SETPCAP allows it, and
 * PR_SET_NO_NEW_PRIVS is set.  When a switch happened, regaining root
 * (setuid(0)) is checked to fail.
 *
 * Returns 0, or -errno with a one-line reason in @err.  A failure after the
 * switch leaves the process in between: the caller must exit.
 */
int sw_harden_drop(const char *user, const char *group, uint64_t keep_caps, char *err, size_t errlen);

/*
 * Install the seccomp filter on every thread of the process (TSYNC) and set
 * PR_SET_NO_NEW_PRIVS (the kernel requires it, and TSYNC carries it to the
 * other threads).  A deny-list: system calls a running sensor never makes
 * (execve, ptrace, mount, namespaces, modules, kexec, bpf, perf, keyrings,
 * set*id, clock setting, io_uring, ...) fail with EPERM; everything else,
 * including what Hyperscan, libpcap, NFQUEUE netlink, threads, files and
 * TCP need, is allowed.  System calls of another ABI (i386 on x86-64, x32)
 * all fail with EPERM.  Never kills: a call the list got wrong fails like a
 * missing permission, and the caller's error path reports it.
 *
 * Returns 0, or -errno with a one-line reason in @err (-ENOSYS: no filter
 * for this architecture, or no seccomp in the kernel).
 */
int sw_harden_seccomp(char *err, size_t errlen);

#endif
