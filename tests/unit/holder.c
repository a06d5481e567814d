/* SPDX-License-Identifier: MIT */
/*
 * The signal reaches only the process that holds the lock itself, at
 * that very moment: never one that took the pid over, nor one that only
 * shares the table of open files of a holder that has ended.
 */
#define _GNU_SOURCE	/* clone: Linux tests */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "pidfd.h"
#include "unit.h"

/*
 * Wrapping syscall() lets a test move the lock away between fcgi_proc's
 * first look and its pidfd_open(), and make the kernel seem to have no
 * pidfds, to take the kill() path.
 */
long	__real_syscall(long, ...);
long	__wrap_syscall(long, ...);

static bool drop_lock_at_pidfd_open, no_pidfds;

long
__wrap_syscall(long number, ...)
{
	long a, b, c, d;
	va_list ap;
	char ch;

	va_start(ap, number);
	a = va_arg(ap, long);
	b = va_arg(ap, long);
	c = va_arg(ap, long);
	d = va_arg(ap, long);
	va_end(ap);
#ifdef SYS_pidfd_open
	if (number == SYS_pidfd_open) {
		if (drop_lock_at_pidfd_open) {
			drop_lock_at_pidfd_open = false;
			if (write(unlock_pipe[1], "u", 1) != 1 ||
			    read(unlocked_pipe[0], &ch, 1) != 1)
				exit(1);
		}
		if (no_pidfds) {
			errno = ENOSYS;
			return -1;
		}
	}
#else
	(void)ch;
#endif
	return __real_syscall(number, a, b, c, d);
}

void
test_signal_races(void)
{
	struct pm_outcome out;
	struct pm_deed d;
	pid_t pid;

	pid = spawn_droppable("race");
	drop_lock_at_pidfd_open = true;
	check(act("race", PM_STOP, 0, &out) == PM_OK && !out.killed,
	    "lock dropped before the pidfd: nothing signalled");
	check(lives(pid), "... and the former holder lives");
	end_droppable(pid);

	no_pidfds = true;
	pid = spawn_droppable("race");
	drop_lock_at_pidfd_open = true;
	check(act("race", PM_RESTART, 0, &out) == PM_OK && !out.killed,
	    "without pidfds, lock dropped before kill(): nothing signalled");
	check(lives(pid), "... and the former holder lives");
	end_droppable(pid);

	pid = spawn_droppable("race");
	check(act("race", PM_RESTART, 0, &out) == PM_OK &&
	    out.killed == pid && died(pid),
	    "without pidfds, the holder is killed by kill()");
	end_droppable(pid);

	/* Run setuid, a caller could stop us between check and kill(). */
	pid = spawn_droppable("race");
	unit_pm.need_pidfd = true;
	check(act_on("race", PM_STOP, 0, &d) == PM_SYSERR &&
	    !d.out.killed && strstr(d.why, "pidfd") != NULL && lives(pid),
	    "without pidfds where one is required: nothing signalled, and "
	    "the answer says why: %s", d.why);
	pm_deed_free(&d);
	unit_pm.need_pidfd = false;
	end_droppable(pid);
	no_pidfds = false;
}

/* clone3's arguments up to set_tid (Linux 5.5), as the kernel reads them. */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
	    stack_size, tls, set_tid, set_tid_size;
};

/* Sleeps a while, then goes: a test that crashes leaves it only so long. */
static int
linger(void *unused)
{
	(void)unused;
	sleep(60);
	_exit(0);
}

/*
 * The holder of name's lock shares its table of open files with a child
 * of its own (clone without CLONE_THREAD), then exits: the lock stays
 * held, still reported under the holder's pid.  Returns that pid, now
 * free, and sets *sharer to the child, which keeps the lock until killed;
 * -1 where such a clone is not allowed (qemu-user allows none).
 */
static pid_t
spawn_vanished_holder(const char *name, pid_t *sharer)
{
	static char stack[64 * 1024];
	int ready[2];
	pid_t pid;

	if (pipe(ready) == -1 || (pid = fork()) == -1)
		exit(1);
	if (pid == 0) {
		struct flock fl = HOLDER_LOCK;
		char path[512];
		int fd;

		path_of(path, sizeof path, name);
		if ((fd = open(path, O_RDWR)) == -1 ||
		    fcntl(fd, F_SETLK, &fl) == -1 ||
		    (pid = clone(linger, stack + sizeof stack, CLONE_FILES,
		    NULL)) == -1 ||
		    write(ready[1], &pid, sizeof pid) != (ssize_t)sizeof pid)
			_exit(1);
		_exit(0);
	}
	close(ready[1]);
	if (read(ready[0], sharer, sizeof *sharer) != (ssize_t)sizeof *sharer)
		pid = -pid;
	close(ready[0]);
	waitpid(pid < 0 ? -pid : pid, NULL, 0);
	return pid < 0 ? -1 : pid;
}

/* A stranger under pid, made by clone3 with set_tid; -1 if not allowed. */
static pid_t
stranger_under(pid_t pid, int (*life)(void *))
{
	struct clone3_args args = { .exit_signal = SIGCHLD };
	pid_t stranger;

	args.set_tid = (uintptr_t)&pid;
	args.set_tid_size = 1;
	if ((stranger = (pid_t)syscall(SYS_clone3, &args, sizeof args)) == 0)
		life(NULL);
	return stranger;
}

/* The third stranger's life: a lock of its own, on byte 5. */
static int
lock_byte5(void *unused)
{
	struct flock byte5 = HOLDER_LOCK;
	char path[512];
	int fd;

	(void)unused;
	byte5.l_start = 5;
	path_of(path, sizeof path, "vanished");
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) == -1 ||
	    fcntl(fd, F_SETLK, &byte5) == -1)
		_exit(1);
	return linger(NULL);
}

/*
 * A lock outliving the process that took it names a pid the kernel may
 * give to a stranger: a stop must not signal that stranger.  The stranger
 * is given the pid with clone3's set_tid, which needs privileges; this is
 * skipped where that is not allowed.
 */
void
test_lock_outlives_holder(void)
{
	char path[512], why[PM_WHY_MAX];
	struct rlimit saved, low;
	const struct pm_proc *p;
	pid_t gone, sharer, stranger;
	struct pm_list l;
	struct pm_deed d;
	int opath, fd;

	write_lockfile("vanished", 0, 0, 1, time(NULL), "x", 1, 0600);
	if ((gone = spawn_vanished_holder("vanished", &sharer)) == -1) {
		skip("a lock outliving its holder: clone with CLONE_FILES "
		    "alone not allowed here");
		return;
	}
	set_pid("vanished", gone);
	check(pm_list(&unit_pm, &l, why) == PM_OK &&
	    (p = pm_find(&l, "vanished")) != NULL && p->holder == gone,
	    "a lock outlives its holder, still under the holder's pid");
	pm_list_free(&l);
	if ((stranger = stranger_under(gone, linger)) != gone) {
		skip("a stranger under the vanished holder's pid: clone3 "
		    "set_tid not allowed here");
		kill(sharer, SIGKILL);
		return;
	}
	check(act_on("vanished", PM_STOP, 0, &d) == PM_NOT_HOLDER &&
	    !d.out.killed && strstr(d.why, "nothing was signalled"),
	    "stop: the stranger now under the lock's pid is not signalled, "
	    "and the answer says so: %s", d.why);
	pm_deed_free(&d);
	check(lives(stranger), "... and lives");
	/* Out of descriptors, ownership cannot be checked: no signal. */
	if (getrlimit(RLIMIT_NOFILE, &saved) == -1 || (fd = dup(0)) == -1)
		exit(1);
	close(fd);
	low = saved;
	low.rlim_cur = (rlim_t)fd + 2;	/* the lockfile and the pidfd */
	if (setrlimit(RLIMIT_NOFILE, &low) == -1)
		exit(1);
	fd = act_on("vanished", PM_RESTART, 0, &d);
	if (setrlimit(RLIMIT_NOFILE, &saved) == -1)
		exit(1);
	check(fd == PM_SYSERR && !d.out.killed && lives(stranger),
	    "out of descriptors, nothing is signalled, and the answer is an "
	    "error: %s", d.why);
	pm_deed_free(&d);
	reap(stranger);

	/* O_PATH needs no right on the file: anyone may have it open so. */
	path_of(path, sizeof path, "vanished");
	if ((opath = open(path, O_PATH | O_CLOEXEC)) == -1)
		exit(1);
	stranger = stranger_under(gone, linger);   /* with it, as a fork */
	close(opath);
	if (stranger == -1) {	/* the pid was taken meanwhile */
		skip("a stranger with the lockfile open O_PATH: clone3 "
		    "set_tid failed: %s", strerror(errno));
		kill(sharer, SIGKILL);
		return;
	}
	check(stranger == gone && act_on("vanished", PM_STOP, 0, &d) ==
	    PM_NOT_HOLDER && !d.out.killed, "stop: a stranger with the "
	    "lockfile open (O_PATH) under the lock's pid is not signalled");
	pm_deed_free(&d);
	check(lives(stranger), "... and lives");
	reap(stranger);

	/* A stranger's own lock on another byte holds nothing of procmon's. */
	if ((stranger = stranger_under(gone, lock_byte5)) == -1) {
		skip("a stranger locking another byte: clone3 set_tid "
		    "failed: %s", strerror(errno));
		kill(sharer, SIGKILL);
		return;
	}
	check(lives(stranger) && act_on("vanished", PM_STOP, 0, &d) ==
	    PM_NOT_HOLDER && !d.out.killed, "stop: a stranger under the lock's "
	    "pid with a lock of its own on byte 5 is not signalled");
	pm_deed_free(&d);
	check(lives(stranger), "... and lives");
	reap(stranger);
	kill(sharer, SIGKILL);
}

/* Threads share the table of open files; /proc shows it through each. */
void
test_leader_gone(void)
{
	struct pm_outcome out;
	pid_t pid;

	write_lockfile("leaderless", 0, 0, 1, time(NULL), "x", 1, 0600);
	pid = spawn("leaderless", HOLD_LOCK_LEADER_GONE);
	set_pid("leaderless", pid);
	check(act("leaderless", PM_STOP, 0, &out) == PM_OK &&
	    out.killed == pid, "stop: a holder whose main thread has ended "
	    "is killed");
	check(died(pid), "... and is gone");
	reap(pid);
}
