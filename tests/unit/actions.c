/* SPDX-License-Identifier: MIT */
/*
 * Acting on lockfiles: what start, stop and restart write and whom they
 * signal; our own writers one at a time, each deciding on a fresh read;
 * headers we cannot read with certainty never written; procmon's state.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "unit.h"

void
test_actions(void)
{
	struct pm_outcome out;
	struct lockdata ld;
	pid_t holder, stranger;
	time_t then = time(NULL) - 100;

	/* stop: stop time, flag, then SIGKILL to the holder. */
	write_lockfile("run", 0, 0, 7, then, "sleep 60", 8, 0600);
	holder = spawn("run", HOLD_LOCK);
	set_pid("run", holder);
	check(act("run", PM_START, 0, &out) == PM_OK &&
	    !out.changed && !out.killed, "start of a running one: no-op");
	check(act("run", PM_STOP, 0, &out) == PM_OK && out.changed &&
	    out.killed == holder && out.was_running, "stop kills the holder");
	check(died(holder), "holder is dead");
	ld = read_header("run");
	check(ld.terminate == TERMINATE_STOP && ld.starttime > then &&
	    ld.runcount == 7 && ld.pid == holder,
	    "stop wrote terminate and time, nothing else");
	check(act("run", PM_STOP, 0, &out) == PM_OK && !out.changed &&
	    !out.killed, "stop of a stopped one: no-op");
	ld = read_header("run");
	check(ld.terminate == TERMINATE_STOP, "still stopped");

	/* The stale pid now names a stranger: it must survive. */
	stranger = spawn("run", HOLD_NONE);
	write_lockfile("stale", stranger, TERMINATE_STOP, 2, then, "x", 1,
	    0600);
	check(act("stale", PM_STOP, 0, &out) == PM_OK && !out.killed,
	    "stop of a stale pid signals nothing");
	check(act("stale", PM_RESTART, 0, &out) == PM_OK &&
	    !out.killed && out.changed,
	    "restart of a stopped one starts it, signals nothing");
	check(read_header("stale").terminate == 0, "restart cleared the flag");
	write_lockfile("stale0", stranger, 0, 2, then, "x", 1, 0600);
	check(act("stale0", PM_RESTART, 0, &out) == PM_OK &&
	    !out.killed && !out.changed,
	    "restart of a dead, unflagged one is left to procmon");
	check(act("stale0", PM_STOP, 0, &out) == PM_OK &&
	    !out.killed && out.changed, "stop of it flags, signals nothing");
	check(lives(stranger), "the stranger is alive");
	reap(stranger);

	/* restart of a running one kills it; procmon brings it back. */
	write_lockfile("rr", 0, 0, 1, then, "x", 1, 0600);
	holder = spawn("rr", HOLD_LOCK);
	set_pid("rr", holder);
	check(act("rr", PM_RESTART, 0, &out) == PM_OK &&
	    out.killed == holder && !out.changed, "restart kills the holder");
	check(died(holder), "restarted holder is dead");
	check(read_header("rr").terminate == 0, "restart leaves the flag");

	/*
	 * start clears the flag, and the recorded pid: procmon forks only
	 * for a pid of 0 or a dead one, and this one may be a stranger's.
	 */
	write_lockfile("st", 4242, TERMINATE_STOP, 5, then, "x", 1, 0600);
	check(act("st", PM_START, 0, &out) == PM_OK && out.changed &&
	    !out.killed && !out.was_running, "start of a stopped one");
	ld = read_header("st");
	check(ld.terminate == 0 && ld.pid == 0 && ld.runcount == 5 &&
	    ld.starttime == then, "start wrote terminate and pid 0 only");

	/* A running process flagged stopped (a stop procmon's child lost). */
	write_lockfile("rf", 0, TERMINATE_STOP, 1, then, "x", 1, 0600);
	holder = spawn("rf", HOLD_LOCK);
	set_pid("rf", holder);
	check(act("rf", PM_START, 0, &out) == PM_OK && out.changed &&
	    !out.killed && out.was_running && lives(holder),
	    "start of a running one flagged stopped: nothing signalled");
	ld = read_header("rf");
	check(ld.terminate == 0 && ld.pid == holder,
	    "... the flag cleared, its pid kept");
	set_terminate("rf", TERMINATE_STOP);
	check(act("rf", PM_RESTART, 0, &out) == PM_OK &&
	    out.changed && out.killed == holder,
	    "restart of a running one flagged stopped kills it");
	check(died(holder) && read_header("rf").terminate == 0,
	    "... with the flag cleared, so procmon starts it");

	/* pid 1 is never signalled, even with a lock held by nobody. */
	write_lockfile("init", 1, 0, 1, then, "x", 1, 0600);
	check(act("init", PM_STOP, 0, &out) == PM_OK && !out.killed,
	    "pid 1 is never signalled");

	write_lockfile("del", 0, TERMINATE_DELETE, 1, then, "x", 1, 0600);
	check(act("del", PM_START, 0, &out) == PM_DELETING,
	    "entry being deleted is refused");
	write_lockfile("gw", 0, TERMINATE_STOP, 1, then, "x", 1, 0660);
	check(act("gw", PM_START, 0, &out) == PM_UNTRUSTED &&
	    read_header("gw").terminate == TERMINATE_STOP,
	    "untrusted file refused and unchanged");
	check(act("link", PM_STOP, 0, &out) == PM_UNTRUSTED,
	    "symlink refused");
	check(act("fifo", PM_STOP, 0, &out) == PM_UNTRUSTED,
	    "FIFO refused without blocking");
	check(act("missing", PM_STOP, 0, &out) == PM_UNKNOWN,
	    "unknown name");
	check(act("../procmon.run", PM_STOP, 0, &out) == PM_UNKNOWN &&
	    act("", PM_STOP, 0, &out) == PM_UNKNOWN,
	    "a path or an empty name never reaches open()");
}

/*
 * Stepping in at a writer's first pwrite(): it has read the header and
 * decided; or failing its nth, as a full or failing disk would.  (glibc
 * built for large files names it pwrite64.)
 */
ssize_t	__real_pwrite(int, const void *, size_t, off_t);
ssize_t	__wrap_pwrite(int, const void *, size_t, off_t);
ssize_t	__real_pwrite64(int, const void *, size_t, off_t);
ssize_t	__wrap_pwrite64(int, const void *, size_t, off_t);

static int pause_write[2] = { -1, -1 }, resume_write[2] = { -1, -1 };
static bool hold_next_write;
static int fail_write_in;	/* 1: the next pwrite() fails; 0: none */

/* False if this write is to fail. */
static bool
step_in_at_write(void)
{
	char c;

	if (hold_next_write) {
		hold_next_write = false;
		if (write(pause_write[1], "p", 1) != 1 ||
		    read(resume_write[0], &c, 1) != 1)
			_exit(1);
	}
	if (fail_write_in > 0 && --fail_write_in == 0) {
		errno = ENOSPC;
		return false;
	}
	return true;
}

ssize_t
__wrap_pwrite(int fd, const void *buf, size_t n, off_t at)
{
	return step_in_at_write() ? __real_pwrite(fd, buf, n, at) : -1;
}

ssize_t
__wrap_pwrite64(int fd, const void *buf, size_t n, off_t at)
{
	return step_in_at_write() ? __real_pwrite64(fd, buf, n, at) : -1;
}

/*
 * A write that fails: the action fails, and says it changed the file
 * only when a write before it went through.
 */
void
test_failed_writes(void)
{
	struct pm_outcome out;
	time_t then = time(NULL) - 100;

	write_lockfile("full", 0, 0, 3, then, "x", 1, 0600);
	fail_write_in = 1;
	check(act("full", PM_STOP, 0, &out) == PM_SYSERR && !out.changed &&
	    read_header("full").terminate == 0 &&
	    read_header("full").starttime == then,
	    "stop, its first write failing: failed, nothing changed");
	fail_write_in = 2;
	check(act("full", PM_STOP, 0, &out) == PM_SYSERR && out.changed &&
	    read_header("full").terminate == 0 &&
	    read_header("full").starttime != then,
	    "stop, its second write failing: failed, the time changed");
	write_lockfile("full", 0, TERMINATE_STOP, 3, then, "x", 1, 0600);
	fail_write_in = 1;
	check(act("full", PM_START, 0, &out) == PM_SYSERR && !out.changed &&
	    read_header("full").terminate == TERMINATE_STOP,
	    "start, its write failing: failed, nothing changed");
	fail_write_in = 0;
}

/* A start in a child of its own; held at its first write if told to. */
static pid_t
start_in_child(const char *name, bool held)
{
	struct pm_outcome out;
	pid_t pid;

	if ((pid = fork()) == -1)
		exit(1);
	if (pid == 0) {
		hold_next_write = held;
		_exit(act(name, PM_START, 0, &out) == PM_OK ? 0 : 1);
	}
	return pid;
}

/* procmon, as it looks once a second: a clear flag, a dead pid: it forks. */
static pid_t
procmon_looks(const char *name)
{
	struct lockdata ld = read_header(name);
	pid_t child;

	if (ld.terminate != 0 || (ld.pid > 0 && kill(ld.pid, 0) == 0))
		return 0;
	child = spawn(name, HOLD_LOCK);
	set_pid(name, child);
	return child;
}

/* Whether pid waits for a flock() (a "->" line of /proc/locks). */
static bool
waits_for_flock(pid_t pid)
{
	char line[256], holder[24];
	bool waiting = false;
	FILE *f;

	snprintf(holder, sizeof holder, " %ld ", (long)pid);
	if ((f = fopen("/proc/locks", "r")) == NULL)
		return false;
	while (!waiting && fgets(line, sizeof line, f) != NULL)
		waiting = strstr(line, "-> FLOCK ") != NULL &&
		    strstr(line, holder) != NULL;
	fclose(f);
	return waiting;
}

/*
 * Two starts of one stopped entry.  The first is held between its read
 * and its write; the second must not decide from the same old header,
 * or its late pid = 0 erases the pid of the process procmon started in
 * between: running, yet listed stopped and never stopped again.
 */
void
test_writers(void)
{
	pid_t first, second, started = 0;
	bool second_done = false, second_waits = false;
	int st;
	char c;

	write_lockfile("twice", 4242, TERMINATE_STOP, 3, time(NULL), "x", 1,
	    0600);
	if (pipe(pause_write) == -1 || pipe(resume_write) == -1)
		exit(1);
	first = start_in_child("twice", true);
	check(read(pause_write[0], &c, 1) == 1, "the first start is held "
	    "after its read");
	second = start_in_child("twice", false);
	/* Without a lock between them, the second runs through now; with
	 * one, it is seen waiting (30 s only bound a machine that stalls). */
	for (st = 0; st < 3000 && !second_done && !second_waits; st++) {
		second_done = waitpid(second, NULL, WNOHANG) == second;
		second_waits = waits_for_flock(second);
		usleep(10000);
	}
	if (second_done)
		started = procmon_looks("twice");
	check(second_waits && !second_done, "the second waits for the first "
	    "to be done");
	if (write(resume_write[1], "r", 1) != 1)
		exit(1);
	waitpid(first, &st, 0);
	if (!second_done)
		waitpid(second, NULL, 0);
	if (started == 0)
		started = procmon_looks("twice");
	check(started != 0 && read_header("twice").pid == started,
	    "the process procmon started keeps its pid");
	if (started != 0)
		reap(started);
	close(pause_write[0]);
	close(pause_write[1]);
	close(resume_write[0]);
	close(resume_write[1]);
}

/*
 * A monitor as procmon's: a child of ours, and its own child, as it is
 * between fork and exec (program NULL), or running program (sleep 60).
 * Both are read from /proc as other processes (qemu-user shows its own
 * process under the guest's name).
 */
static pid_t
monitor_with_child(const char *program, pid_t *child)
{
	int report[2];
	pid_t monitor;

	if (pipe(report) == -1 || (monitor = fork()) == -1)
		exit(1);
	if (monitor == 0) {
		pid_t pid = program != NULL ? spawn_program(program) :
		    spawn("run", HOLD_NONE);

		if (write(report[1], &pid, sizeof pid) != sizeof pid)
			_exit(1);
		for (;;)
			pause();
	}
	if (read(report[0], child, sizeof *child) != sizeof *child)
		exit(1);
	close(report[0]);
	close(report[1]);
	return monitor;
}

/* A start with procmon's monitors as given. */
static enum pm_status
start_under(const char *name, pid_t monitor)
{
	struct pm_procmon pm = { PM_PROCMON_RUNNING, { monitor, 0 } };
	struct pm_deed d;
	enum pm_status status;

	if ((status = pm_begin(&unit_pm, &pm, name, PM_START, false, &d)) ==
	    PM_OK)
		status = pm_finish(&unit_pm, &d);
	pm_deed_free(&d);
	return status;
}

/*
 * A pid that does not hold the lock is cleared by a start, unless it is
 * procmon's own child: that one is starting the process, has written its
 * pid and takes the lock in a moment.
 */
void
test_start_rule(void)
{
	pid_t monitor, child;

	monitor = monitor_with_child(NULL, &child);
	write_lockfile("inflight", child, TERMINATE_STOP, 2, time(NULL), "x",
	    1, 0600);
	check(start_under("inflight", monitor) == PM_OK &&
	    read_header("inflight").pid == child &&
	    read_header("inflight").terminate == 0, "start: the pid of "
	    "procmon's child, not yet holding the lock, is kept");
	set_terminate("inflight", TERMINATE_STOP);
	check(start_under("inflight", 1) == PM_OK &&
	    read_header("inflight").pid == 0, "start: the same pid, a "
	    "child of another process, is cleared");
	kill(child, SIGKILL);
	reap(monitor);
	/* A child of procmon's running another program: another entry's. */
	monitor = monitor_with_child("sleep", &child);
	write_lockfile("inflight", child, TERMINATE_STOP, 2, time(NULL), "x",
	    1, 0600);
	check(start_under("inflight", monitor) == PM_OK &&
	    read_header("inflight").pid == 0, "start: a child of procmon's "
	    "that runs a program already (another entry's) is cleared");
	kill(child, SIGKILL);
	reap(monitor);
}

/* The bytes of name's lockfile, to show that nothing was written. */
static size_t
file_bytes(const char *name, unsigned char *buf, size_t size)
{
	char path[512];
	ssize_t n;
	int fd;

	path_of(path, sizeof path, name);
	if ((fd = open(path, O_RDONLY)) == -1 ||
	    (n = read(fd, buf, size)) < 0)
		exit(1);
	close(fd);
	return (size_t)n;
}

/*
 * A header we cannot read with certainty (another build's, or none at
 * all) is never written to, whatever the action, and nothing is
 * signalled through it.
 */
void
test_unwritable(void)
{
	unsigned char before[64], after[64], other[64];
	struct pm_deed d;
	size_t n, m;
	pid_t holder;
	uint32_t stop = TERMINATE_STOP;
	int32_t pid;

	/* Another build's header: 32-bit time_t if ours is 64-bit, else 64. */
	memset(other, 0, sizeof other);
	memcpy(other + 4, &stop, 4);
	if (sizeof(time_t) == 8) {
		uint32_t runs = 3, start = 1796400000;

		memcpy(other + 8, &runs, 4);
		memcpy(other + 12, &start, 4);
		memcpy(other + 16, "sleep 18", 8);
		n = 24;
	} else {
		uint64_t runs = 3, start = 1796400000;

		memcpy(other + 8, &runs, 8);
		memcpy(other + 16, &start, 8);
		memcpy(other + 24, "sleep 18", 8);
		n = 32;
	}
	write_bytes("other", other, n);
	holder = spawn("other", HOLD_LOCK);
	pid = holder;
	memcpy(other, &pid, 4);
	write_bytes("other", other, n);
	n = file_bytes("other", before, sizeof before);
	check(act_on("other", PM_START, 0, &d) == PM_UNWRITABLE &&
	    strstr(d.why, "written by a procmon built") != NULL, "start: another build's "
	    "header refused: %s", d.why);
	pm_deed_free(&d);
	check(act_on("other", PM_STOP, 0, &d) == PM_UNWRITABLE &&
	    !d.out.killed, "stop: refused, nothing signalled");
	pm_deed_free(&d);
	check(act_on("other", PM_RESTART, 0, &d) == PM_UNWRITABLE &&
	    lives(holder), "restart: refused, the holder lives");
	pm_deed_free(&d);
	m = file_bytes("other", after, sizeof after);
	check(m == n && memcmp(before, after, n) == 0,
	    "... and not a byte of the file changed");
	reap(holder);
	write_bytes("garbage", "\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5"
	    "\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5", 25);
	check(act_on("garbage", PM_STOP, 0, &d) == PM_UNWRITABLE &&
	    strstr(d.why, "does not read as a procmon header") != NULL &&
	    file_bytes("garbage", after, sizeof after) == 25 &&
	    after[4] == 0xa5, "no header at all: refused, unchanged");
	pm_deed_free(&d);
}

/* procmon itself, from its own two entries. */
void
test_procmon_state(void)
{
	char path[512], why[PM_WHY_MAX];
	struct pm_procmon pm;
	struct pm_list l;
	pid_t holder;

	pm_procmon(&unit_pm, &pm);
	check(pm.state == PM_PROCMON_ABSENT,
	    "procmon: no entries of its own, absent");
	write_lockfile("procmon1", 4242, 0, 2, time(NULL), "procmon -F c", 12,
	    0600);
	pm_procmon(&unit_pm, &pm);
	check(pm.state == PM_PROCMON_STOPPED,
	    "procmon: procmon1 without a lock holder, stopped");
	write_lockfile("procmon2", 0, 0, 1, time(NULL), "procmon -f c", 12,
	    0600);
	holder = spawn("procmon2", HOLD_LOCK);
	set_pid("procmon2", holder);
	pm_procmon(&unit_pm, &pm);
	check(pm.state == PM_PROCMON_RUNNING && pm.monitors[1] == holder &&
	    pm.monitors[0] == 0, "procmon: procmon2 holding its lock, "
	    "running, its pid known");
	check(pm_list(&unit_pm, &l, why) == PM_OK, "listed");
	pm_procmon_listed(&l, &pm);
	check(pm.state == PM_PROCMON_RUNNING, "... and so from a list");
	pm_list_free(&l);
	reap(holder);
	pm_procmon(&unit_pm, &pm);
	check(pm.state == PM_PROCMON_STOPPED, "procmon2's holder gone: "
	    "stopped");
	path_of(path, sizeof path, "procmon1");
	unlink(path);
	path_of(path, sizeof path, "procmon2");
	unlink(path);
}
