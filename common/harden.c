/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Privilege drop and seccomp filter for the sensor daemon.  Raw system
 * calls (capget/capset, prctl, seccomp) rather than libcap-ng/libseccomp:
 * what is needed is a few dozen lines either way, and it keeps the daemon's
 * dependencies to what the packet path already uses.
 */
#include "harden.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

/* ---- users ---- */

/* A decimal id, or -1 when @s is not one. */
static long parse_id(const char *s)
{
	char *end;
	long v;

	if (!*s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v >= (long)UINT32_MAX)
		return -1;
	return v;
}

int sw_harden_lookup(const char *user, const char *group, uid_t *uid, gid_t *gid, char *err, size_t errlen)
{
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	char buf[16384];
	long id;
	int rc;

	if (!user || !*user) {
		snprintf(err, errlen, "no user given");
		return -EINVAL;
	}
	id = parse_id(user);
	rc = id >= 0 ? getpwuid_r((uid_t)id, &pw, buf, sizeof(buf), &pwp)
		     : getpwnam_r(user, &pw, buf, sizeof(buf), &pwp);
	if (rc) {
		snprintf(err, errlen, "cannot look up user '%s': %s", user, strerror(rc));
		return -rc;
	}
	if (!pwp) {
		snprintf(err, errlen, "no such user '%s'", user);
		return -ENOENT;
	}
	*uid = pw.pw_uid;
	*gid = pw.pw_gid;
	if (!group || !*group)
		return 0;
	id = parse_id(group);
	rc = id >= 0 ? getgrgid_r((gid_t)id, &gr, buf, sizeof(buf), &grp)
		     : getgrnam_r(group, &gr, buf, sizeof(buf), &grp);
	if (rc) {
		snprintf(err, errlen, "cannot look up group '%s': %s", group, strerror(rc));
		return -rc;
	}
	if (!grp) {
		snprintf(err, errlen, "no such group '%s'", group);
		return -ENOENT;
	}
	*gid = gr.gr_gid;
	return 0;
}

/* ---- capabilities ---- */

static int caps_get(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };

	memset(d, 0, 2 * sizeof(*d));
	return syscall(SYS_capget, &h, d) < 0 ? -errno : 0;
}

static int caps_set(const struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };

	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

static uint64_t caps_word(uint32_t lo, uint32_t hi)
{
	return (uint64_t)hi << 32 | lo;
}

/*
 * Cut the bounding set to @keep.  Needs CAP_SETPCAP in the effective set:
 * without it (systemd User= with ambient capabilities) the unit's
 * CapabilityBoundingSet= is what bounds, and this is skipped.
 */
static int cut_bounding(uint64_t keep, char *err, size_t errlen)
{
	struct __user_cap_data_struct d[2];
	int rc = caps_get(d);

	if (rc < 0) {
		snprintf(err, errlen, "capget: %s", strerror(-rc));
		return rc;
	}
	if (!(caps_word(d[0].effective, d[1].effective) & SW_HARDEN_CAP(CAP_SETPCAP)))
		return 0;
	for (int c = 0; c < 64; c++) {
		int in = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
		if (in < 0)
			break; /* EINVAL: past the kernel's last capability */
		if (in == 1 && !(keep & SW_HARDEN_CAP(c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
			rc = -errno;
			snprintf(err, errlen, "cannot drop capability %d from the bounding set: %s", c, strerror(errno));
			return rc;
		}
	}
	return 0;
}

/* Permitted and effective = @keep & permitted, inheritable and ambient empty. */
static int limit_caps(uint64_t keep, char *err, size_t errlen)
{
	struct __user_cap_data_struct d[2];
	uint64_t perm;
	int rc = caps_get(d);

	if (rc < 0) {
		snprintf(err, errlen, "capget: %s", strerror(-rc));
		return rc;
	}
	perm = caps_word(d[0].permitted, d[1].permitted) & keep;
	for (int i = 0; i < 2; i++) {
		d[i].permitted = d[i].effective = (uint32_t)(perm >> (32 * i));
		d[i].inheritable = 0;
	}
	rc = caps_set(d);
	if (rc < 0) {
		snprintf(err, errlen, "capset: %s", strerror(-rc));
		return rc;
	}
	/* Ambient capabilities survive execve; clearing needs no privilege.  EINVAL: kernel < 4.3. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
		rc = -errno;
		snprintf(err, errlen, "cannot clear ambient capabilities: %s", strerror(errno));
		return rc;
	}
	return 0;
}

/* setgroups/setresgid/setresuid to @user, keeping the permitted set. */
static int switch_user(const char *user, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	struct passwd pw, *pwp = NULL;
	char buf[16384];
	int rc;

	/*
	 * Without KEEPCAPS the kernel clears the permitted set when the last
	 * uid 0 goes (capabilities(7), "Effect of user ID changes").
	 */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) {
		rc = -errno;
		snprintf(err, errlen, "PR_SET_KEEPCAPS: %s", strerror(errno));
		return rc;
	}
	/* The user's supplementary groups (log directories shared through a group); none for a bare id. */
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &pwp) == 0 && pwp)
		rc = initgroups(pw.pw_name, gid);
	else
		rc = setgroups(1, &gid);
	if (rc < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot set the groups of '%s': %s", user, strerror(errno));
		return rc;
	}
	/* Group first: after the uid change there is no right left to change it. */
	if (setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot switch to user '%s' (uid %u, gid %u): %s", user, (unsigned)uid,
			 (unsigned)gid, strerror(errno));
		return rc;
	}
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) {
		rc = -errno;
		snprintf(err, errlen, "PR_SET_KEEPCAPS: %s", strerror(errno));
		return rc;
	}
	return 0;
}

int sw_harden_drop(const char *user, const char *group, uint64_t keep_caps, char *err, size_t errlen)
{
	uid_t uid = 0;
	gid_t gid = 0;
	bool switched = false;
	int rc;

	if (user) {
		rc = sw_harden_lookup(user, group, &uid, &gid, err, errlen);
		if (rc < 0)
			return rc;
		if (getuid() == uid && geteuid() == uid && (!group || (getgid() == gid && getegid() == gid))) {
			/* Started as the user already (systemd User=): nothing to switch. */
		} else if (geteuid() != 0) {
			snprintf(err, errlen, "cannot switch to user '%s': not running as root (uid %u)", user,
				 (unsigned)geteuid());
			return -EPERM;
		} else {
			switched = true;
		}
	}
	/* The bounding set first: cutting it needs CAP_SETPCAP, which is about to go. */
	rc = cut_bounding(keep_caps, err, errlen);
	if (rc < 0)
		return rc;
	if (switched) {
		rc = switch_user(user, uid, gid, err, errlen);
		if (rc < 0)
			return rc;
	}
	rc = limit_caps(keep_caps, err, errlen);
	if (rc < 0)
		return rc;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		rc = -errno;
		snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return rc;
	}
	/* Belt and braces: with CAP_SETUID gone, root must be out of reach. */
	if (switched && (setuid(0) == 0 || getuid() != uid || geteuid() != uid)) {
		snprintf(err, errlen, "privileges not dropped: root could be regained");
		return -EPERM;
	}
	return 0;
}

/* ---- seccomp ---- */

#if defined(__x86_64__)
#define ARCH_NATIVE AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH_NATIVE AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define ARCH_NATIVE AUDIT_ARCH_I386
#endif

#ifdef ARCH_NATIVE

/*
 * Never made by a running sensor.  Each entry exists on some architectures
 * only, hence the guards.  set*id are here because the drop has happened:
 * nothing may change identity later.
 */
static const int denied[] = {
	/* other programs, other processes' memory */
#ifdef __NR_execve
	__NR_execve,
#endif
#ifdef __NR_execveat
	__NR_execveat,
#endif
#ifdef __NR_fork
	__NR_fork,
#endif
#ifdef __NR_vfork
	__NR_vfork,
#endif
#ifdef __NR_ptrace
	__NR_ptrace,
#endif
#ifdef __NR_process_vm_readv
	__NR_process_vm_readv,
#endif
#ifdef __NR_process_vm_writev
	__NR_process_vm_writev,
#endif
#ifdef __NR_kcmp
	__NR_kcmp,
#endif
#ifdef __NR_pidfd_getfd
	__NR_pidfd_getfd,
#endif
	/* file systems and namespaces */
#ifdef __NR_mount
	__NR_mount,
#endif
#ifdef __NR_umount2
	__NR_umount2,
#endif
#ifdef __NR_pivot_root
	__NR_pivot_root,
#endif
#ifdef __NR_chroot
	__NR_chroot,
#endif
#ifdef __NR_fsopen
	__NR_fsopen,
#endif
#ifdef __NR_fsconfig
	__NR_fsconfig,
#endif
#ifdef __NR_fsmount
	__NR_fsmount,
#endif
#ifdef __NR_fspick
	__NR_fspick,
#endif
#ifdef __NR_move_mount
	__NR_move_mount,
#endif
#ifdef __NR_open_tree
	__NR_open_tree,
#endif
#ifdef __NR_mount_setattr
	__NR_mount_setattr,
#endif
#ifdef __NR_unshare
	__NR_unshare,
#endif
#ifdef __NR_setns
	__NR_setns,
#endif
#ifdef __NR_open_by_handle_at
	__NR_open_by_handle_at,
#endif
#ifdef __NR_name_to_handle_at
	__NR_name_to_handle_at,
#endif
#ifdef __NR_swapon
	__NR_swapon,
#endif
#ifdef __NR_swapoff
	__NR_swapoff,
#endif
#ifdef __NR_quotactl
	__NR_quotactl,
#endif
#ifdef __NR_quotactl_fd
	__NR_quotactl_fd,
#endif
#ifdef __NR_acct
	__NR_acct,
#endif
	/* the kernel itself */
#ifdef __NR_kexec_load
	__NR_kexec_load,
#endif
#ifdef __NR_kexec_file_load
	__NR_kexec_file_load,
#endif
#ifdef __NR_init_module
	__NR_init_module,
#endif
#ifdef __NR_finit_module
	__NR_finit_module,
#endif
#ifdef __NR_delete_module
	__NR_delete_module,
#endif
#ifdef __NR_bpf
	__NR_bpf,
#endif
#ifdef __NR_perf_event_open
	__NR_perf_event_open,
#endif
#ifdef __NR_userfaultfd
	__NR_userfaultfd,
#endif
#ifdef __NR_keyctl
	__NR_keyctl,
#endif
#ifdef __NR_add_key
	__NR_add_key,
#endif
#ifdef __NR_request_key
	__NR_request_key,
#endif
#ifdef __NR_reboot
	__NR_reboot,
#endif
#ifdef __NR_syslog
	__NR_syslog,
#endif
#ifdef __NR_personality
	__NR_personality,
#endif
#ifdef __NR_iopl
	__NR_iopl,
#endif
#ifdef __NR_ioperm
	__NR_ioperm,
#endif
#ifdef __NR_uselib
	__NR_uselib,
#endif
#ifdef __NR_vhangup
	__NR_vhangup,
#endif
	/* io_uring operations are not seen by seccomp at all */
#ifdef __NR_io_uring_setup
	__NR_io_uring_setup,
#endif
#ifdef __NR_io_uring_enter
	__NR_io_uring_enter,
#endif
#ifdef __NR_io_uring_register
	__NR_io_uring_register,
#endif
	/* time */
#ifdef __NR_settimeofday
	__NR_settimeofday,
#endif
#ifdef __NR_clock_settime
	__NR_clock_settime,
#endif
#ifdef __NR_clock_adjtime
	__NR_clock_adjtime,
#endif
#ifdef __NR_adjtimex
	__NR_adjtimex,
#endif
	/* identity */
#ifdef __NR_setuid
	__NR_setuid,
#endif
#ifdef __NR_setgid
	__NR_setgid,
#endif
#ifdef __NR_setreuid
	__NR_setreuid,
#endif
#ifdef __NR_setregid
	__NR_setregid,
#endif
#ifdef __NR_setresuid
	__NR_setresuid,
#endif
#ifdef __NR_setresgid
	__NR_setresgid,
#endif
#ifdef __NR_setfsuid
	__NR_setfsuid,
#endif
#ifdef __NR_setfsgid
	__NR_setfsgid,
#endif
#ifdef __NR_setgroups
	__NR_setgroups,
#endif
#ifdef __NR_capset
	__NR_capset,
#endif
};

#define N_DENIED (sizeof(denied) / sizeof(denied[0]))
#define DENY (SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))
#define NS_FLAGS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)

/* The low 32 bits of argument 0 (clone's flags). */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG0_LO offsetof(struct seccomp_data, args[0])
#else
#define ARG0_LO (offsetof(struct seccomp_data, args[0]) + 4)
#endif

#define STMT(code, k) ((struct sock_filter)BPF_STMT((code), (k)))
#define JUMP(code, k, jt, jf) ((struct sock_filter)BPF_JUMP((code), (k), (jt), (jf)))

/* Header, x32 check, two per denied call, clone3 and clone blocks, allow. */
#define PROG_MAX (4 + 2 + 2 * N_DENIED + 2 + 6 + 1)

static size_t build(struct sock_filter *f)
{
	size_t n = 0;

	/* Another ABI on the same kernel (i386 via int 0x80 on x86-64) has other numbers: all denied. */
	f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH_NATIVE, 1, 0);
	f[n++] = STMT(BPF_RET | BPF_K, DENY);
	f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#ifdef __X32_SYSCALL_BIT
	/* x32 shares AUDIT_ARCH_X86_64 and sets this bit in the number. */
	f[n++] = JUMP(BPF_JMP | BPF_JGE | BPF_K, __X32_SYSCALL_BIT, 0, 1);
	f[n++] = STMT(BPF_RET | BPF_K, DENY);
#endif
	for (size_t i = 0; i < N_DENIED; i++) {
		f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)denied[i], 0, 1);
		f[n++] = STMT(BPF_RET | BPF_K, DENY);
	}
#ifdef __NR_clone3
	/*
	 * clone3 takes its flags in memory, where a filter cannot look.
	 * ENOSYS makes glibc (2.34+) fall back to clone, whose flags it can
	 * (systemd's filters do the same).
	 */
	f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1);
	f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA));
#endif
#ifdef __NR_clone
	/* Threads only: no new processes and no new namespaces. */
	f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 5);
	f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_LO);
	f[n++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, NS_FLAGS, 2, 0);
	f[n++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_THREAD, 0, 1);
	f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = STMT(BPF_RET | BPF_K, DENY);
#endif
	f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	return n;
}

int sw_harden_seccomp(char *err, size_t errlen)
{
	struct sock_filter f[PROG_MAX];
	struct sock_fprog prog = { .filter = f };
	long rc;

	prog.len = (unsigned short)build(f);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		int e = errno;
		snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(e));
		return -e;
	}
	/* TSYNC: threads started before (workers, the syslog and enforcement threads) get it too. */
	rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog);
	if (rc > 0) {
		snprintf(err, errlen, "seccomp: thread %ld could not take the filter", rc);
		return -EAGAIN;
	}
	if (rc < 0) {
		int e = errno;
		snprintf(err, errlen, "seccomp filter: %s", strerror(e));
		return -e;
	}
	return 0;
}

#else

int sw_harden_seccomp(char *err, size_t errlen)
{
	snprintf(err, errlen, "seccomp: no filter for this architecture");
	return -ENOSYS;
}

#endif
