/* SPDX-License-Identifier: MIT */
/*
 * Lockfiles and lock holders for the unit tests, as procmon makes them.
 */
#define _GNU_SOURCE	/* F_OFD_SETLK: Linux tests */

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

char unit_dir[] = "/tmp/fcgi_proc-unit.XXXXXX";
struct pm_config unit_pm = { unit_dir, { 0 }, 0, false, false };
int unlock_pipe[2] = { -1, -1 }, unlocked_pipe[2] = { -1, -1 };

void
path_of(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/procmon.%s", unit_dir, name);
}

void
write_bytes(const char *name, const void *bytes, size_t n)
{
	char path[512];
	int fd;

	path_of(path, sizeof path, name);
	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1 ||
	    write(fd, bytes, n) != (ssize_t)n) {
		perror(path);
		exit(1);
	}
	close(fd);
}

void
write_lockfile(const char *name, pid_t pid, uint32_t terminate,
    size_t runcount, time_t start, const char *exec, size_t exec_len,
    mode_t mode)
{
	struct lockdata ld;
	char path[512];
	int fd;

	/* Padding zero, as procmon leaves it (a 32-bit build's 64-bit time_t
	 * is aligned to 8). */
	memset(&ld, 0, sizeof ld);
	ld.pid = pid;
	ld.terminate = terminate;
	ld.runcount = runcount;
	ld.starttime = start;
	path_of(path, sizeof path, name);
	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1 ||
	    write(fd, &ld, sizeof ld) != (ssize_t)sizeof ld ||
	    write(fd, exec, exec_len) != (ssize_t)exec_len ||
	    fchmod(fd, mode) == -1) {
		perror(path);
		exit(1);
	}
	close(fd);
}

struct lockdata
read_header(const char *name)
{
	struct lockdata ld = { 0, 0, 0, 0 };
	char path[512];
	int fd;

	path_of(path, sizeof path, name);
	if ((fd = open(path, O_RDONLY)) != -1) {
		if (read(fd, &ld, sizeof ld) != (ssize_t)sizeof ld)
			memset(&ld, 0, sizeof ld);
		close(fd);
	}
	return ld;
}

/* Writes one field of name's header in place, as procmon's tools do. */
static void
set_field(const char *name, size_t offset, const void *value, size_t size)
{
	char path[512];
	int fd;

	path_of(path, sizeof path, name);
	if ((fd = open(path, O_WRONLY)) == -1 ||
	    pwrite(fd, value, size, (off_t)offset) != (ssize_t)size) {
		perror(path);
		exit(1);
	}
	close(fd);
}

void
set_pid(const char *name, pid_t pid)
{
	set_field(name, offsetof(struct lockdata, pid), &pid, sizeof pid);
}

void
set_terminate(const char *name, uint32_t terminate)
{
	set_field(name, offsetof(struct lockdata, terminate), &terminate,
	    sizeof terminate);
}

/*
 * The second thread of a holder whose main thread ends: it says so once
 * the process's own /proc/PID/fd shows nothing, then lives on.
 */
static void *
outlive_leader(void *ready)
{
	struct dirent *e;
	int n;
	DIR *d;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	do {
		usleep(1000);
		if ((d = opendir("/proc/self/fd")) == NULL)
			_exit(1);
		for (n = 0; (e = readdir(d)) != NULL; )
			n += e->d_name[0] != '.';
		closedir(d);
	} while (n > 0);
	if (write((int)(intptr_t)ready, "x", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

pid_t
spawn(const char *name, enum hold hold)
{
	int ready[2];
	char c, path[512];
	pid_t pid;

	if (pipe(ready) == -1 || (pid = fork()) == -1)
		exit(1);
	if (pid == 0) {
		struct flock fl = HOLDER_LOCK;
		int fd = -1, cmd = hold == HOLD_OFD_LOCK ? F_OFD_SETLK : F_SETLK;

		signal(SIGTERM, SIG_IGN);
		/* A test that crashes must not leave us holding its pipes. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		path_of(path, sizeof path, name);
		if (hold != HOLD_NONE && ((fd = open(path, O_RDWR)) == -1 ||
		    fcntl(fd, cmd, &fl) == -1))
			_exit(1);
		if (hold == HOLD_LOCK_LEADER_GONE) {
			pthread_t thread;

			/* by value: this thread's stack ends with it */
			if (pthread_create(&thread, NULL, outlive_leader,
			    (void *)(intptr_t)ready[1]) != 0)
				_exit(1);
			pthread_exit(NULL);
		}
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		for (;;) {
			if (unlock_pipe[0] != -1 &&
			    read(unlock_pipe[0], &c, 1) == 1) {
				fl.l_type = F_UNLCK;
				if (fcntl(fd, cmd, &fl) == -1 ||
				    write(unlocked_pipe[1], "u", 1) != 1)
					_exit(1);
			}
			pause();
		}
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		exit(1);
	close(ready[0]);
	return pid;
}

pid_t
spawn_droppable(const char *name)
{
	pid_t pid;

	if (pipe(unlock_pipe) == -1 || pipe(unlocked_pipe) == -1)
		exit(1);
	write_lockfile(name, 0, 0, 1, time(NULL), "x", 1, 0600);
	pid = spawn(name, HOLD_LOCK);
	set_pid(name, pid);
	return pid;
}

void
end_droppable(pid_t pid)
{
	reap(pid);
	close(unlock_pipe[0]);
	close(unlock_pipe[1]);
	close(unlocked_pipe[0]);
	close(unlocked_pipe[1]);
	unlock_pipe[0] = unlocked_pipe[0] = -1;
}

bool
died(pid_t pid)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return true;
		usleep(10000);
	}
	return false;
}

/*
 * A signal already sent would have ended it by then (kill(pid, 0) alone
 * also succeeds on a child killed but not yet reaped).
 */
bool
lives(pid_t pid)
{
	usleep(50000);
	return waitpid(pid, NULL, WNOHANG) == 0;
}

pid_t
spawn_program(const char *program)
{
	int ran[2];
	char c;
	pid_t pid;

	/* The pipe closes on exec: end of file says the program runs. */
	if (pipe2(ran, O_CLOEXEC) == -1 || (pid = fork()) == -1)
		exit(1);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execlp(program, program, "60", (char *)NULL);
		_exit(127);
	}
	close(ran[1]);
	if (read(ran[0], &c, 1) != 0)
		exit(1);
	close(ran[0]);
	return pid;
}

void
reap(pid_t pid)
{
	/* Only a child not yet reaped: a pid reaped may be another's now. */
	if (waitpid(pid, NULL, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

enum pm_status
act_on(const char *name, enum pm_action action, unsigned grace,
    struct pm_deed *d)
{
	static const struct pm_procmon none = { PM_PROCMON_ABSENT, { 0, 0 } };
	enum pm_status status;

	if ((status = pm_begin(&unit_pm, &none, name, action, grace > 0,
	    d)) == PM_OK) {
		pm_await_ending(&d, 1, grace);
		status = pm_finish(&unit_pm, d);
	}
	return status;
}

enum pm_status
act(const char *name, enum pm_action action, unsigned grace,
    struct pm_outcome *out)
{
	struct pm_deed d;
	enum pm_status status = act_on(name, action, grace, &d);

	*out = d.out;
	pm_deed_free(&d);
	return status;
}

void
remove_tree(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}
