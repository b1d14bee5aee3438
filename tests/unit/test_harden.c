/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * common/harden: every case runs in a forked child, since a drop and a
 * seccomp filter cannot be undone.  The child checks and exits 0, or names
 * the first failed check on stderr and exits 1.
 *
 *   test_harden        the filter, the lookup, a drop without a user switch
 *   test_harden root   the user switch (needs root; 77 = skipped otherwise)
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/netlink.h>

#include <cmocka.h>

#include "common/harden.h"

#define CHECK(cond, ...)                                                                                   \
	do {                                                                                               \
		if (!(cond)) {                                                                             \
			fprintf(stderr, "child check failed at line %d: ", __LINE__);                       \
			fprintf(stderr, __VA_ARGS__);                                                      \
			fputc('\n', stderr);                                                               \
			_exit(1);                                                                          \
		}                                                                                          \
	} while (0)

/* Run @fn in a child; 0 when it exited 0. */
static int in_child(void (*fn)(const void *), const void *arg)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		fn(arg);
		_exit(0); /* _exit: no atexit handlers (LeakSanitizer needs ptrace, which is denied) */
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A "Key:\t..." line of @path (/proc/self/status or a thread's), copied into @out. */
static int status_field(const char *path, const char *key, char *out, size_t len)
{
	char line[512];
	size_t kl = strlen(key);
	FILE *f = fopen(path, "re");
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			char *v = line + kl + 1;
			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = 0;
			snprintf(out, len, "%s", v);
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}

static uint64_t status_hex(const char *path, const char *key)
{
	char v[128];

	if (status_field(path, key, v, sizeof(v)) < 0)
		return UINT64_MAX;
	return strtoull(v, NULL, 16);
}

static long status_num(const char *path, const char *key)
{
	char v[128];

	if (status_field(path, key, v, sizeof(v)) < 0)
		return -1;
	return strtol(v, NULL, 10);
}

/* "Uid:" or "Gid:" has all four ids (real, effective, saved, fs) equal to @id. */
static bool ids_all(const char *path, const char *key, long id)
{
	char v[128];
	unsigned long a, b, c, d;

	if (status_field(path, key, v, sizeof(v)) < 0 || sscanf(v, "%lu %lu %lu %lu", &a, &b, &c, &d) != 4)
		return false;
	return (long)a == id && (long)b == id && (long)c == id && (long)d == id;
}

/* ---- the seccomp filter ---- */

/* Each returns the call's errno, 0 when it succeeded. */
/*
 * /bin/false: if the filter let execve through, the child becomes a program
 * that exits 1, and the case fails instead of passing silently.
 */
static int do_execve(void)
{
	char *argv[] = { (char *)"false", NULL };
	char *envp[] = { NULL };
	execve("/bin/false", argv, envp);
	return errno;
}

static int do_execveat(void)
{
	char *argv[] = { (char *)"false", NULL };
	char *envp[] = { NULL };
	syscall(SYS_execveat, AT_FDCWD, "/bin/false", argv, envp, 0);
	return errno;
}

static int do_fork(void)
{
	pid_t p = fork();
	if (p == 0)
		_exit(0);
	if (p > 0) {
		waitpid(p, NULL, 0);
		return 0;
	}
	return errno;
}

static int do_ptrace(void)
{
	return ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0 ? errno : 0;
}

static int do_unshare(void)
{
	return unshare(CLONE_NEWNET) < 0 ? errno : 0;
}

/* clone() asking for a new namespace, even as a thread-like clone: denied by the flag check. */
static int do_clone_ns(void)
{
	return syscall(SYS_clone, (unsigned long)(CLONE_NEWNET | SIGCHLD), NULL, NULL, NULL, 0) < 0 ? errno : 0;
}

static int do_mount(void)
{
	return mount("none", "/tmp", "tmpfs", 0, NULL) < 0 ? errno : 0;
}

static int do_personality(void)
{
	return personality(0xffffffff) < 0 ? errno : 0;
}

static int do_bpf(void)
{
	return syscall(SYS_bpf, 0, NULL, 0) < 0 ? errno : 0;
}

static int do_perf(void)
{
	return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0) < 0 ? errno : 0;
}

static int do_keyctl(void)
{
	return syscall(SYS_keyctl, 0, 0, 0, 0, 0) < 0 ? errno : 0;
}

static int do_setuid(void)
{
	return setuid(getuid()) < 0 ? errno : 0;
}

static int do_clock_settime(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return clock_settime(CLOCK_REALTIME, &ts) < 0 ? errno : 0;
}

static int do_io_uring(void)
{
	return syscall(SYS_io_uring_setup, 1, NULL) < 0 ? errno : 0;
}

static int do_process_vm_readv(void)
{
	return syscall(SYS_process_vm_readv, getppid(), NULL, 0, NULL, 0, 0) < 0 ? errno : 0;
}

#ifdef __x86_64__
/* The x32 ABI's getpid: denied whether or not the kernel has x32. */
static int do_x32(void)
{
	return syscall(0x40000000 | SYS_getpid) < 0 ? errno : 0;
}
#endif

/* What a sensor does all day. */
static int do_open_read(void)
{
	char buf[64];
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return errno;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n > 0 ? 0 : EIO;
}

static int do_udp_socket(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int do_netlink_socket(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static void *thread_fn(void *arg)
{
	*(int *)arg = 42;
	return NULL;
}

static int do_pthread(void)
{
	pthread_t t;
	int v = 0;
	int rc = pthread_create(&t, NULL, thread_fn, &v);

	if (rc)
		return rc;
	pthread_join(t, NULL);
	return v == 42 ? 0 : EIO;
}

/* PCRE2's JIT: writable then executable memory. */
static int do_mmap_exec(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int rc = 0;

	if (p == MAP_FAILED)
		return errno;
	if (mprotect(p, 4096, PROT_READ | PROT_EXEC) < 0)
		rc = errno;
	munmap(p, 4096);
	return rc;
}

static const struct sc_case {
	const char *name;
	int (*call)(void);
	int want;              /* errno after the filter; 0 = must succeed */
} sc_cases[] = {
	{ "execve", do_execve, EPERM },
	{ "execveat", do_execveat, EPERM },
	{ "fork", do_fork, EPERM },
	{ "ptrace", do_ptrace, EPERM },
	{ "unshare", do_unshare, EPERM },
	{ "clone(CLONE_NEWNET)", do_clone_ns, EPERM },
	{ "mount", do_mount, EPERM },
	{ "personality", do_personality, EPERM },
	{ "bpf", do_bpf, EPERM },
	{ "perf_event_open", do_perf, EPERM },
	{ "keyctl", do_keyctl, EPERM },
	{ "setuid", do_setuid, EPERM },
	{ "clock_settime", do_clock_settime, EPERM },
	{ "io_uring_setup", do_io_uring, EPERM },
	{ "process_vm_readv", do_process_vm_readv, EPERM },
#ifdef __x86_64__
	{ "x32 getpid", do_x32, EPERM },
#endif
	{ "open+read", do_open_read, 0 },
	{ "socket(AF_INET)", do_udp_socket, 0 },
	{ "socket(AF_NETLINK)", do_netlink_socket, 0 },
	{ "pthread_create", do_pthread, 0 },
	{ "mmap+mprotect(PROT_EXEC)", do_mmap_exec, 0 },
	{ "fork (second time: still denied)", do_fork, EPERM },
};

static void child_seccomp(const void *arg)
{
	char err[256];
	int rc;

	(void)arg;
	rc = sw_harden_seccomp(err, sizeof(err));
	CHECK(rc == 0, "sw_harden_seccomp: %d %s", rc, err);
	CHECK(status_num("/proc/self/status", "Seccomp") == 2, "Seccomp is not 2 (filter)");
	CHECK(status_num("/proc/self/status", "NoNewPrivs") == 1, "NoNewPrivs is not 1");
	for (size_t i = 0; i < sizeof(sc_cases) / sizeof(sc_cases[0]); i++) {
		int got = sc_cases[i].call();
		CHECK(got == sc_cases[i].want, "%s: errno %d (%s), want %d", sc_cases[i].name, got, strerror(got),
		      sc_cases[i].want);
	}
}

static void seccomp_denies_and_allows(void **state)
{
	(void)state;
	assert_int_equal(in_child(child_seccomp, NULL), 0);
}

/* Negative control: without the filter the same calls are not EPERM, so the table tests the filter. */
static void child_control(const void *arg)
{
	(void)arg;
	CHECK(do_fork() == 0, "fork failed without a filter");
	CHECK(do_process_vm_readv() != EPERM || geteuid() != 0, "process_vm_readv EPERM without a filter");
	CHECK(do_pthread() == 0, "pthread_create failed without a filter");
	CHECK(status_num("/proc/self/status", "Seccomp") == 0, "a filter is already installed");
}

static void control_without_filter(void **state)
{
	(void)state;
	assert_int_equal(in_child(child_control, NULL), 0);
}

/* A thread started before the filter gets it too (TSYNC). */
struct waiter {
	int go[2];
	int seccomp, nnp, exec_errno;
};

static void *waiter_fn(void *arg)
{
	struct waiter *w = arg;
	char c;

	if (read(w->go[0], &c, 1) != 1)
		return NULL;
	w->seccomp = (int)status_num("/proc/thread-self/status", "Seccomp");
	w->nnp = (int)status_num("/proc/thread-self/status", "NoNewPrivs");
	w->exec_errno = do_execve();
	return NULL;
}

static void child_tsync(const void *arg)
{
	struct waiter w = { .seccomp = -1, .nnp = -1, .exec_errno = -1 };
	pthread_t t;
	char err[256];

	(void)arg;
	CHECK(pipe(w.go) == 0, "pipe");
	CHECK(pthread_create(&t, NULL, waiter_fn, &w) == 0, "pthread_create");
	CHECK(sw_harden_seccomp(err, sizeof(err)) == 0, "sw_harden_seccomp: %s", err);
	CHECK(write(w.go[1], "x", 1) == 1, "write");
	pthread_join(t, NULL);
	CHECK(w.seccomp == 2, "earlier thread: Seccomp %d, want 2", w.seccomp);
	CHECK(w.nnp == 1, "earlier thread: NoNewPrivs %d, want 1", w.nnp);
	CHECK(w.exec_errno == EPERM, "earlier thread: execve errno %d, want EPERM", w.exec_errno);
}

static void seccomp_covers_earlier_threads(void **state)
{
	(void)state;
	assert_int_equal(in_child(child_tsync, NULL), 0);
}

/* ---- lookup ---- */

static void lookup(void **state)
{
	static const struct {
		const char *user, *group;
		int rc;
		long uid, gid;
	} cases[] = {
		{ "root", NULL, 0, 0, 0 },
		{ "0", NULL, 0, 0, 0 },
		{ "root", "0", 0, 0, 0 },
		{ "nobody", NULL, 0, 65534, 65534 },
		{ "nobody", "daemon", 0, 65534, 1 },
		{ "sw-no-such-user-x", NULL, -ENOENT, -1, -1 },
		{ "root", "sw-no-such-group-x", -ENOENT, -1, -1 },
		{ "", NULL, -EINVAL, -1, -1 },
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uid_t u = (uid_t)-1;
		gid_t g = (gid_t)-1;
		int rc;

		err[0] = 0;
		rc = sw_harden_lookup(cases[i].user, cases[i].group, &u, &g, err, sizeof(err));
		assert_int_equal(rc, cases[i].rc);
		if (rc == 0) {
			assert_int_equal((long)u, cases[i].uid);
			assert_int_equal((long)g, cases[i].gid);
		} else {
			/* The message names what was not found. */
			const char *what = cases[i].rc == -ENOENT && cases[i].group ? cases[i].group : cases[i].user;
			if (*what)
				assert_non_null(strstr(err, what));
		}
	}
}

/* ---- drop without a switch (any user) ---- */

static void child_drop_self(const void *arg)
{
	char err[256];
	int rc;

	(void)arg;
	rc = sw_harden_drop(NULL, NULL, 0, err, sizeof(err));
	CHECK(rc == 0, "sw_harden_drop: %d %s", rc, err);
	CHECK(status_hex("/proc/self/status", "CapEff") == 0, "CapEff not empty");
	CHECK(status_hex("/proc/self/status", "CapPrm") == 0, "CapPrm not empty");
	CHECK(status_hex("/proc/self/status", "CapInh") == 0, "CapInh not empty");
	CHECK(status_hex("/proc/self/status", "CapAmb") == 0, "CapAmb not empty");
	CHECK(status_num("/proc/self/status", "NoNewPrivs") == 1, "NoNewPrivs not 1");
	if (getuid() == 0) /* root had CAP_SETPCAP: the bounding set is cut too */
		CHECK(status_hex("/proc/self/status", "CapBnd") == 0, "CapBnd not empty");
	CHECK(status_num("/proc/self/status", "Seccomp") == 0, "drop must not install a filter");
}

static void drop_without_user(void **state)
{
	(void)state;
	assert_int_equal(in_child(child_drop_self, NULL), 0);
}

static void child_drop_errors(const void *arg)
{
	char err[256] = "";
	int rc;

	(void)arg;
	rc = sw_harden_drop("sw-no-such-user-x", NULL, 0, err, sizeof(err));
	CHECK(rc == -ENOENT, "unknown user: rc %d", rc);
	CHECK(strstr(err, "sw-no-such-user-x"), "message '%s' does not name the user", err);
	/* Nothing happened: NoNewPrivs is still clear. */
	CHECK(status_num("/proc/self/status", "NoNewPrivs") == 0, "a failed lookup changed the process");
	if (geteuid() != 0) {
		rc = sw_harden_drop("root", NULL, 0, err, sizeof(err));
		CHECK(rc == -EPERM, "switch as non-root: rc %d, want -EPERM", rc);
	}
}

static void drop_errors(void **state)
{
	(void)state;
	assert_int_equal(in_child(child_drop_errors, NULL), 0);
}

/* ---- root only: the user switch ---- */

struct drop_case {
	const char *user, *group;
	uint64_t keep;
	long uid, gid;
	int packet_socket_errno;  /* socket(AF_PACKET) after the drop: needs CAP_NET_RAW */
};

static void child_drop_switch(const void *arg)
{
	const struct drop_case *c = arg;
	char err[256];
	int rc, fd;

	rc = sw_harden_drop(c->user, c->group, c->keep, err, sizeof(err));
	CHECK(rc == 0, "sw_harden_drop(%s): %d %s", c->user, rc, err);
	CHECK(ids_all("/proc/self/status", "Uid", c->uid), "Uid is not %ld everywhere", c->uid);
	CHECK(ids_all("/proc/self/status", "Gid", c->gid), "Gid is not %ld everywhere", c->gid);
	CHECK(status_hex("/proc/self/status", "CapEff") == c->keep, "CapEff %llx, want %llx",
	      (unsigned long long)status_hex("/proc/self/status", "CapEff"), (unsigned long long)c->keep);
	CHECK(status_hex("/proc/self/status", "CapPrm") == c->keep, "CapPrm not the kept set");
	CHECK(status_hex("/proc/self/status", "CapBnd") == c->keep, "CapBnd not the kept set");
	CHECK(status_hex("/proc/self/status", "CapInh") == 0, "CapInh not empty");
	CHECK(status_hex("/proc/self/status", "CapAmb") == 0, "CapAmb not empty");
	CHECK(status_num("/proc/self/status", "NoNewPrivs") == 1, "NoNewPrivs not 1");
	CHECK(setuid(0) < 0 && errno == EPERM, "setuid(0) did not fail with EPERM");
	CHECK(setgid(0) < 0 && errno == EPERM, "setgid(0) did not fail with EPERM");
	/* The kept capability works, a dropped one is gone. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	rc = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	CHECK(rc == c->packet_socket_errno, "socket(AF_PACKET): errno %d, want %d", rc, c->packet_socket_errno);

	/* And the filter on top: identity calls are gone for good. */
	CHECK(sw_harden_seccomp(err, sizeof(err)) == 0, "sw_harden_seccomp: %s", err);
	CHECK(status_num("/proc/self/status", "Seccomp") == 2, "Seccomp not 2");
	CHECK(setuid((uid_t)c->uid) < 0 && errno == EPERM, "setuid after the filter was not EPERM");
}

/* The earlier thread checks itself: read after the drop, before it exits. */
struct early {
	int go[2];
	long uid;
	uint64_t eff, prm;
};

static void *early_fn(void *arg)
{
	struct early *e = arg;
	char c;

	if (read(e->go[0], &c, 1) != 1)
		return NULL;
	e->uid = ids_all("/proc/thread-self/status", "Uid", 65534) ? 65534 : -1;
	e->eff = status_hex("/proc/thread-self/status", "CapEff");
	e->prm = status_hex("/proc/thread-self/status", "CapPrm");
	return NULL;
}

static void child_drop_threads(const void *arg)
{
	struct early e = { .uid = -2 };
	pthread_t t;
	char err[256];
	int rc;

	(void)arg;
	CHECK(pipe(e.go) == 0, "pipe");
	CHECK(pthread_create(&t, NULL, early_fn, &e) == 0, "pthread_create");
	rc = sw_harden_drop("nobody", NULL, SW_HARDEN_CAP(CAP_NET_RAW), err, sizeof(err));
	CHECK(rc == 0, "sw_harden_drop: %s", err);
	CHECK(write(e.go[1], "x", 1) == 1, "write");
	pthread_join(t, NULL);
	CHECK(e.uid == 65534, "the earlier thread did not switch user");
	CHECK(e.eff == 0 && e.prm == 0, "the earlier thread kept capabilities: eff %llx prm %llx",
	      (unsigned long long)e.eff, (unsigned long long)e.prm);
	CHECK(status_hex("/proc/self/status", "CapEff") == SW_HARDEN_CAP(CAP_NET_RAW), "main thread lost CAP_NET_RAW");
}

static const struct drop_case drop_cases[] = {
	{ "nobody", NULL, SW_HARDEN_CAP(CAP_NET_RAW), 65534, 65534, 0 },
	{ "nobody", "daemon", SW_HARDEN_CAP(CAP_NET_ADMIN), 65534, 1, EPERM },
	{ "65534", NULL, 0, 65534, 65534, EPERM },
	{ "nobody", NULL, SW_HARDEN_CAP(CAP_NET_RAW) | SW_HARDEN_CAP(CAP_NET_ADMIN), 65534, 65534, 0 },
};

static void drop_switch_user(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(drop_cases) / sizeof(drop_cases[0]); i++) {
		int rc = in_child(child_drop_switch, &drop_cases[i]);
		if (rc)
			fail_msg("case %zu (%s keep %llx) failed", i, drop_cases[i].user,
				 (unsigned long long)drop_cases[i].keep);
	}
}

static void drop_threads(void **state)
{
	(void)state;
	assert_int_equal(in_child(child_drop_threads, NULL), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(control_without_filter),
		cmocka_unit_test(seccomp_denies_and_allows),
		cmocka_unit_test(seccomp_covers_earlier_threads),
		cmocka_unit_test(lookup),
		cmocka_unit_test(drop_without_user),
		cmocka_unit_test(drop_errors),
	};
	const struct CMUnitTest root_tests[] = {
		cmocka_unit_test(drop_switch_user),
		cmocka_unit_test(drop_threads),
	};

	if (argc > 1 && !strcmp(argv[1], "root")) {
		if (geteuid() != 0) {
			fprintf(stderr, "SKIP: test_harden root: the user switch needs root\n");
			return 77;
		}
		return cmocka_run_group_tests_name("harden_root", root_tests, NULL, NULL);
	}
	return cmocka_run_group_tests_name("harden", tests, NULL, NULL);
}
