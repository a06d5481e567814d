/* SPDX-License-Identifier: MIT */
/*
 * Reading lockfiles: the list and one entry, on real files held by real
 * processes; what is trusted, what is left out and why; odd files a
 * local user or procmon may leave, which must not fail a list; ages.
 */
#define _GNU_SOURCE	/* F_SETLEASE: Linux tests */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "unit.h"

void
test_list(void)
{
	static char exec[PM_EXEC_MAX + 1];
	char path[512], target[512], why[PM_WHY_MAX];
	const struct pm_proc *p;
	struct pm_list l;
	time_t now = time(NULL);
	pid_t alive;

	write_lockfile("b", 0, 0, 3, now, "sleep 18", 8, 0600);
	alive = spawn("b", HOLD_LOCK);
	write_lockfile("a", alive, 0, 1, now, "x", 1, 0600);	/* no lock */
	set_pid("b", alive);
	memset(exec, 'x', sizeof exec);
	write_lockfile("exact", 1, 0, 1, now, exec, PM_EXEC_MAX, 0600);
	write_lockfile("over", 1, 0, 1, now, exec, PM_EXEC_MAX + 1, 0600);
	write_lockfile("groupw", 1, 0, 1, now, "x", 1, 0620);
	write_lockfile("otherw", 1, 0, 1, now, "x", 1, 0602);
	write_lockfile("readable", 1, 0, 1, now, "x", 1, 0644);
	/* Another user's: only root can make one. */
	if (geteuid() == 0) {
		write_lockfile("foreign", 1, 0, 1, now, "x", 1, 0600);
		path_of(path, sizeof path, "foreign");
		check(chown(path, 65534, 65534) == 0, "chown foreign file");
	}
	write_bytes("short", "", 0);
	path_of(path, sizeof path, "fifo");
	check(mkfifo(path, 0600) == 0, "mkfifo");
	path_of(path, sizeof path, "dir");
	check(mkdir(path, 0700) == 0, "mkdir");
	path_of(path, sizeof path, "link");
	path_of(target, sizeof target, "b");
	check(symlink(target, path) == 0, "symlink");
	path_of(path, sizeof path, "hardlink");
	check(link(target, path) == 0, "hard link");
	snprintf(path, sizeof path, "%s/unrelated", unit_dir);
	close(open(path, O_WRONLY | O_CREAT, 0600));
	snprintf(path, sizeof path, "%s/procmon.", unit_dir);
	close(open(path, O_WRONLY | O_CREAT, 0600));

	check(pm_list(&unit_pm, &l, why) == PM_OK, "pm_list succeeds");
	/* The hard link gives b two links: it is refused too, until removed. */
	check(pm_find(&l, "b") == NULL && pm_find(&l, "hardlink") == NULL &&
	    l.left_out[PM_LINKS] == 2, "a file with two links is left out, "
	    "both names counted");
	pm_list_free(&l);
	path_of(path, sizeof path, "hardlink");
	unlink(path);

	check(pm_list(&unit_pm, &l, why) == PM_OK, "pm_list succeeds again");
	check(l.count == 6 && strcmp(l.procs[0].name, "a") == 0 &&
	    strcmp(l.procs[1].name, "b") == 0 &&
	    strcmp(l.procs[2].name, "exact") == 0 &&
	    strcmp(l.procs[3].name, "over") == 0 &&
	    strcmp(l.procs[4].name, "readable") == 0 &&
	    strcmp(l.procs[5].name, "short") == 0,
	    "six trusted entries, sorted by name (got %zu)", l.count);
	p = pm_find(&l, "b");
	check(p != NULL && pm_running(p) && p->holder == alive &&
	    p->head.runcount == 3 && p->exec_len == 8 &&
	    memcmp(p->exec, "sleep 18", 8) == 0, "lock holder is running");
	p = pm_find(&l, "a");
	check(p != NULL && !pm_running(p) && p->head.pid == alive,
	    "recorded pid alive without the lock is stopped");
	p = pm_find(&l, "exact");
	check(p != NULL && p->exec_len == PM_EXEC_MAX && !p->exec_cut,
	    "command line of exactly %d bytes read whole", PM_EXEC_MAX);
	p = pm_find(&l, "over");
	check(p != NULL && p->exec_len == PM_EXEC_MAX && p->exec_cut,
	    "command line one byte over: cut at %d, and marked", PM_EXEC_MAX);
	p = pm_find(&l, "short");
	check(p != NULL && p->head.fit == HEADER_UNREADABLE &&
	    !pm_running(p) && p->exec == NULL, "an empty file of ours: "
	    "listed as unreadable, not left out");
	check(!pm_find(&l, "groupw") && !pm_find(&l, "otherw") &&
	    l.left_out[PM_MODE] == 2,
	    "group- or world-writable files left out, and counted");
	if (geteuid() == 0)
		check(!pm_find(&l, "foreign") && l.left_out[PM_OWNER] == 1,
		    "another user's file left out");
	check(!pm_find(&l, "fifo") && !pm_find(&l, "dir") &&
	    !pm_find(&l, "link") && !pm_find(&l, "") &&
	    l.left_out[PM_TYPE] == 3,
	    "FIFO, directory, symlink left out as such; an empty id ignored");
	pm_list_free(&l);
	unit_pm.trusted[unit_pm.ntrusted++] = 65534;
	if (geteuid() == 0)
		check(pm_list(&unit_pm, &l, why) == PM_OK &&
		    pm_find(&l, "foreign") != NULL &&
		    l.left_out[PM_OWNER] == 0 && !pm_find(&l, "groupw"),
		    "procmon's user trusted: its file listed, group-writable "
		    "files still left out");
	else
		pm_list(&unit_pm, &l, why);
	pm_list_free(&l);
	unit_pm.ntrusted--;
	check(l.procs == NULL && l.count == 0, "pm_list_free resets");
	reap(alive);

	unit_pm.dir = "/nonexistent-dir";
	check(pm_list(&unit_pm, &l, why) == PM_SYSERR &&
	    strstr(why, "No such file") != NULL,
	    "missing directory is an error: %s", why);
	unit_pm.dir = unit_dir;
}

/*
 * Installed setgid or with file capabilities, the user we run as is the
 * caller's: its files must not be believed.  The program leaves it out of
 * the trusted users (fcgi_proc.c); the client believes no one else.
 */
void
test_trust(void)
{
	struct pm_config caller = unit_pm;
	struct pm_outcome out;
	char why[PM_WHY_MAX];
	struct pm_proc p;

	if (geteuid() != 0) {
		skip("another user's files: not root");
		return;
	}
	write_lockfile("planted", 4242, 0, 1, time(NULL), "x", 1, 0600);
	path_of(why, sizeof why, "planted");
	if (chown(why, 65534, 65534) == -1)
		exit(1);
	caller.ntrusted = 0;
	check(pm_get(&caller, "planted", &p, why) == PM_UNTRUSTED &&
	    strstr(why, "not trusted: owned by a user not trusted") != NULL,
	    "root alone trusted: a file of the caller's is refused: %s", why);
	caller.trusted[caller.ntrusted++] = 65534;
	check(pm_get(&caller, "planted", &p, why) == PM_OK,
	    "... and read once its user is trusted");
	pm_proc_free(&p);
	unit_pm.ntrusted = 0;
	check(act("planted", PM_STOP, 0, &out) == PM_UNTRUSTED &&
	    read_header("planted").terminate == 0,
	    "a stop of it is refused, and writes nothing");
	unit_pm.ntrusted = 1;
	path_of(why, sizeof why, "planted");
	unlink(why);
}

static void
since_is(long long age, const char *want)
{
	char buf[PM_SINCE_MAX];
	long long now = 1700000000;

	pm_format_since(buf, sizeof buf, now - age, now);
	check(strcmp(buf, want) == 0, "since %lld s is %s (got %s)", age, want,
	    buf);
}

void
test_since(void)
{
	char buf[PM_SINCE_MAX];

	since_is(0, "0s");
	since_is(59, "59s");
	since_is(60, "1m00s");
	since_is(242, "4m02s");
	since_is(3599, "59m59s");
	since_is(3600, "1h00m00s");
	since_is(86399, "23h59m59s");
	since_is(86400, "1d00h00m00s");
	since_is(2 * 86400 + 3600 + 62, "2d01h01m02s");
	since_is(-5, "0s");		/* a start in the future */
	/* The widest span two times can make, without overflow. */
	pm_format_since(buf, sizeof buf, INT64_MIN, INT64_MAX);
	check(strcmp(buf, "213503982334601d07h00m15s") == 0, "the widest "
	    "span fits without overflow: %s", buf);
}

/*
 * Wrapping fstatat() lets a test play the user who owns a file that
 * fcgi_proc could not open: it removes the file just before fcgi_proc
 * looks at it (breaking its own lease, say), or it makes looking fail
 * (a FUSE mount of its own over the file answers root EACCES).  The C
 * library may name it otherwise: glibc built for large files fstatat64,
 * and with a 64-bit time_t on a 32-bit CPU __fstatat64_time64, as musl
 * names it __fstatat_time64 there (the Makefile wraps them all).
 */
#if defined(__GLIBC__) && defined(__USE_TIME_BITS64) && __TIMESIZE == 32
#define __real_fstatat	__real___fstatat64_time64
#define __wrap_fstatat	__wrap___fstatat64_time64
#elif defined(__GLIBC__) && _FILE_OFFSET_BITS == 64
#define __real_fstatat	__real_fstatat64
#define __wrap_fstatat	__wrap_fstatat64
#elif !defined(__GLIBC__) && defined(_REDIR_TIME64) && _REDIR_TIME64
#define __real_fstatat	__real___fstatat_time64
#define __wrap_fstatat	__wrap___fstatat_time64
#endif
int	__real_fstatat(int, const char *, struct stat *, int);
int	__wrap_fstatat(int, const char *, struct stat *, int);

static const char *remove_at_fstatat, *refuse_fstatat;
static int fstatat_refused;

int
__wrap_fstatat(int dir, const char *file, struct stat *st, int flags)
{
	if (remove_at_fstatat != NULL &&
	    strcmp(file, remove_at_fstatat) == 0) {
		remove_at_fstatat = NULL;
		if (unlinkat(dir, file, 0) == -1)
			exit(1);
	}
	if (refuse_fstatat != NULL && strcmp(file, refuse_fstatat) == 0) {
		fstatat_refused++;
		errno = EACCES;
		return -1;
	}
	return __real_fstatat(dir, file, st, flags);
}

/* Another user's file, leased by that user: opening it would wait. */
static pid_t
lease(const char *path)
{
	int ready[2], fd;
	pid_t leaser;
	char c;

	if ((fd = open(path, O_RDWR | O_CREAT, 0600)) == -1 ||
	    fchown(fd, 65534, 65534) == -1 || pipe(ready) == -1)
		exit(1);
	close(fd);
	if ((leaser = fork()) == 0) {
		/* Deaf to the break: the lease holds for the test. */
		signal(SIGIO, SIG_IGN);
		if (setgid(65534) == -1 || setuid(65534) == -1 ||
		    (fd = open(path, O_RDWR)) == -1 ||
		    fcntl(fd, F_SETLEASE, F_WRLCK) == -1 ||
		    write(ready[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	check(read(ready[0], &c, 1) == 1, "another user holds a lease");
	close(ready[0]);
	return leaser;
}

void
test_odd_files(void)
{
	char path[512], why[PM_WHY_MAX];
	const struct pm_proc *p;
	struct pm_outcome out;
	struct pm_list l;
	pid_t ofd, leaser = 0;

	write_lockfile("zero", 0, 0, 1, time(NULL), "x", 1, 0600);
	write_lockfile("bare", 2, TERMINATE_STOP, 1, time(NULL), "", 0,
	    0600);
	write_lockfile("ofd", 0, 0, 1, time(NULL), "x", 1, 0600);
	ofd = spawn("ofd", HOLD_OFD_LOCK);
	set_pid("ofd", ofd);
	path_of(path, sizeof path, "leased");
	if (geteuid() == 0)
		leaser = lease(path);

	check(pm_list(&unit_pm, &l, why) == PM_OK, "list with pid 0, a bare "
	    "header, an OFD lock and a leased file");
	p = pm_find(&l, "zero");
	check(p != NULL && !pm_running(p), "pid 0, no lock: stopped");
	p = pm_find(&l, "bare");
	check(p != NULL && p->exec_len == 0, "a header with no command line");
	p = pm_find(&l, "ofd");
	check(p != NULL && !pm_running(p),
	    "held by an OFD lock, which names no pid: not running");
	if (leaser > 0)
		check(pm_find(&l, "leased") == NULL,
		    "leased foreign file left out");
	pm_list_free(&l);
	check(act("zero", PM_STOP, 0, &out) == PM_OK && !out.killed,
	    "stop of pid 0 signals nothing");
	check(act("ofd", PM_RESTART, 0, &out) == PM_OK && !out.killed &&
	    kill(ofd, 0) == 0, "restart of an OFD-locked entry signals nothing");
	if (leaser > 0) {
		check(act("leased", PM_STOP, 0, &out) == PM_UNTRUSTED,
		    "leased foreign file refused");
		check(open(path, O_RDONLY | O_NONBLOCK) == -1 &&
		    errno == EWOULDBLOCK, "the lease still bars opening");
		refuse_fstatat = "procmon.leased";
		check(pm_list(&unit_pm, &l, why) == PM_OK &&
		    pm_find(&l, "leased") == NULL && fstatat_refused > 0 &&
		    l.left_out[PM_UNSEEN] == 1, "a file that can be neither "
		    "opened nor looked at is left out, the list goes on");
		pm_list_free(&l);
		check(act("leased", PM_STOP, 0, &out) == PM_UNTRUSTED,
		    "... and refused");
		refuse_fstatat = NULL;
		remove_at_fstatat = "procmon.leased";
		check(pm_list(&unit_pm, &l, why) == PM_OK &&
		    pm_find(&l, "leased") == NULL && remove_at_fstatat == NULL,
		    "a file removed between a failed open and a look is left "
		    "out, the list goes on");
		pm_list_free(&l);
		reap(leaser);
	}
	reap(ofd);
}
