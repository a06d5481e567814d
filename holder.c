/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "holder.h"
#include "pidfd.h"

/*
 * An open file description lock (F_OFD_SETLK) reports pid -1: held, but
 * by no process we could name, so never "running".
 */
int
lock_holder(int fd, pid_t *pid)
{
	struct flock fl = HOLDER_LOCK;

	if (fcntl(fd, F_GETLK, &fl) == -1)
		return -1;
	*pid = fl.l_type == F_UNLCK ? 0 : fl.l_pid;
	return 0;
}

bool
holds_lock(int fd, pid_t pid)
{
	pid_t holder;

	return lock_holder(fd, &holder) == 0 && holder == pid;
}

/* A descriptor, or its process, that ended while being looked at. */
static bool
vanished(int error)
{
	return error == ENOENT || error == ESRCH;
}

/*
 * Whether descriptor name of /proc/PID/fdinfo (dir) holds a POSIX write
 * lock from byte 0 of the inode, as ino says (":12345 0 "): 1 or 0 (0
 * too if the descriptor was closed meanwhile), or -1 if it could not be
 * read.
 * The kernel lists there only the locks taken through that open file by
 * that process's table of open files.
 */
static int
fdinfo_locks(int dir, const char *name, const char *ino)
{
	char info[1024], *line, *next;
	ssize_t n;
	int fd, saved;

	if ((fd = openat(dir, name, O_RDONLY | O_CLOEXEC)) == -1)
		return vanished(errno) ? 0 : -1;
	n = read(fd, info, sizeof info - 1);
	saved = errno;
	close(fd);
	if (n == -1)
		return vanished(saved) ? 0 : -1;
	info[n] = '\0';
	for (line = info; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strncmp(line, "lock:", 5) == 0 &&
		    strstr(line, " POSIX ") != NULL &&
		    strstr(line, " WRITE ") != NULL && strstr(line, ino) != NULL)
			return 1;
	}
	return 0;
}

/*
 * ":12345 0 ", an inode number and a range from byte 0, as a lock line of
 * fdinfo writes them: a lock on another byte does not hold procmon's.
 */
static void
lock_text(char *buf, size_t size, ino_t ino)
{
	snprintf(buf, size, ":%llu 0 ", (unsigned long long)ino);
}

/*
 * Whether this kernel lists locks in fdinfo (Linux 4.1 on): 1 or 0, asked
 * once, of a lock taken on a pipe of our own; -1 if the probe could not
 * be made (out of descriptors), which is not remembered.
 */
static int
fdinfo_lists_locks(void)
{
	static int listed = -1;
	struct flock fl = HOLDER_LOCK;
	char name[32], ino[32];
	struct stat st;
	int p[2];

	if (listed != -1 || pipe(p) == -1)
		return listed;
	if (fcntl(p[1], F_SETLK, &fl) == 0 && fstat(p[1], &st) == 0) {
		snprintf(name, sizeof name, "/proc/self/fdinfo/%d", p[1]);
		lock_text(ino, sizeof ino, st.st_ino);
		listed = fdinfo_locks(AT_FDCWD, name, ino);
	}
	close(p[0]);
	close(p[1]);
	return listed;
}

/* What the table of open files of a process says of a lock. */
enum table { HOLDS, HOLDS_NOT, SHOWS_NONE, HIDDEN, UNREADABLE };

/*
 * Reads the table of open files of pid through its thread task: whether
 * one of its descriptors holds the lock on file.  A thread that has
 * ended shows no descriptor; another user's process that is not dumpable
 * may not be read (HIDDEN); anything else that fails is UNREADABLE.
 */
static enum table
table_holds(pid_t pid, const char *task, const struct stat *file,
    const char *ino, int listed)
{
	enum table found = SHOWS_NONE;
	char path[80];
	struct dirent *e;
	struct stat st;
	DIR *d;
	int r;

	snprintf(path, sizeof path, "/proc/%ld/task/%.16s/fdinfo", (long)pid,
	    task);
	if ((d = opendir(path)) == NULL)
		return errno == EACCES || errno == EPERM ? HIDDEN :
		    vanished(errno) ? SHOWS_NONE : UNREADABLE;
	while (found != HOLDS && found != UNREADABLE &&
	    (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		found = HOLDS_NOT;
		if (listed && (r = fdinfo_locks(dirfd(d), e->d_name, ino)) != 1) {
			found = r == -1 ? UNREADABLE : HOLDS_NOT;
			continue;
		}
		snprintf(path, sizeof path, "/proc/%ld/task/%.16s/fd/%.16s",
		    (long)pid, task, e->d_name);
		if (stat(path, &st) == 0 && st.st_dev == file->st_dev &&
		    st.st_ino == file->st_ino)
			found = HOLDS;
	}
	closedir(d);
	return found;
}

/*
 * A lock belongs to a table of open files, not to a process: one that
 * shared its table with a child (clone without CLONE_THREAD) can die and
 * leave the lock held, still under its pid, and once that pid is reused
 * F_GETLK names a stranger.  Having the file open would prove nothing
 * (anyone may open it O_PATH), so before a signal the pid's descriptors
 * are asked, through fdinfo, whether one holds the lock itself.  A lock
 * line names the inode by device and number, the device as the file
 * system sees itself (not always what stat says: btrfs), so only the
 * number is matched there, and a descriptor that matches is then compared
 * with ours by stat; other descriptors, and the files they name, are not
 * touched.  Where the kernel lists no locks in fdinfo, the descriptors
 * are compared by stat alone.  The table is read through the first
 * thread that shows one: a process whose main thread has ended shows
 * none under its own pid.
 *
 * 1 if pid owns the lock, 0 if not (or it is gone), -1 if that could not
 * be found out (out of descriptors or memory): then nothing is to be
 * signalled, and the caller says why.  Where /proc cannot say at all
 * (not mounted, the process hidden by hidepid or not to be looked into),
 * the lock's word stands.
 */
static int
owns_lock(pid_t pid, int fd)
{
	int listed = fdinfo_lists_locks();
	enum table found = SHOWS_NONE;
	char path[32], ino[32];
	struct dirent *t;
	struct stat file;
	DIR *tasks;

	if (listed == -1 || fstat(fd, &file) == -1)
		return -1;
	lock_text(ino, sizeof ino, file.st_ino);
	snprintf(path, sizeof path, "/proc/%ld/task", (long)pid);
	if ((tasks = opendir(path)) == NULL) {
		if (vanished(errno))	/* gone, or no /proc */
			return kill(pid, 0) == 0 || errno == EPERM;
		return errno == EACCES || errno == EPERM ? 1 : -1;
	}
	while ((found == SHOWS_NONE || found == HIDDEN) &&
	    (t = readdir(tasks)) != NULL)
		if (t->d_name[0] != '.')
			found = table_holds(pid, t->d_name, &file, ino, listed);
	closedir(tasks);
	if (found == UNREADABLE)
		return -1;
	return found == HOLDS || found == HIDDEN;
}

/*
 * Through a pidfd, the checks and the signal name the same process, so a
 * pid recycled meanwhile is never hit.  Without pidfds (an older kernel,
 * a sandbox that forbids them) the window left is the few instructions
 * between the checks and kill(), which need_pidfd does not allow.
 */
enum holder_verdict
holder_signal(struct holder *h, int sig, bool need_pidfd)
{
	int r;

	if (h->pidfd == -1 && (h->pidfd = pidfd_of(h->pid)) == -1) {
		if (errno == ESRCH)
			return HOLDER_GONE;
		if (errno != ENOSYS && errno != EPERM)
			return HOLDER_UNCHECKED;
		if (need_pidfd)
			return HOLDER_NO_PIDFD;
	}
	if (!holds_lock(h->fd, h->pid))
		return HOLDER_GONE;
	switch (owns_lock(h->pid, h->fd)) {
	case 0:
		return holds_lock(h->fd, h->pid) ? HOLDER_STRANGER : HOLDER_GONE;
	case -1:
		return HOLDER_UNCHECKED;
	}
	r = h->pidfd != -1 ? pidfd_kill(h->pidfd, sig) : kill(h->pid, sig);
	if (r == 0)
		return HOLDER_SIGNALLED;
	return errno == ESRCH ? HOLDER_GONE : HOLDER_UNCHECKED;
}

void
holder_release(struct holder *h)
{
	int saved = errno;

	if (h->pidfd != -1)
		close(h->pidfd);
	h->pidfd = -1;
	errno = saved;
}
