/*
 * procmon's lockfile protocol, spoken directly.  See procmon_client.h and
 * the protocol notes in the README: the traps avoided here are stale pids
 * (liveness comes from the lock, never from kill(pid, 0)), forged files in
 * a world-writable directory, and torn reads of a header being rewritten.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif
#include <unistd.h>

#include "procmon_client.h"

#define PREFIX_LEN	(sizeof(PM_PREFIX) - 1)

static char error_text[256];

const char *
pm_error(void)
{
	return error_text;
}

/* Records what failed, with errno's reason, for pm_error().  The
 * precisions keep the text within error_text; long names are cut. */
static enum pm_status
sys_error(const char *what, const char *file)
{
	int saved = errno;

	snprintf(error_text, sizeof error_text, "%.48s %.128s: %.64s", what, file,
	    strerror(saved));
	errno = saved;
	return PM_SYSERR;
}

/*
 * procmon creates its files mode 0600 as the user it runs as.  Anyone may
 * plant files beside them in /tmp, so we believe only regular files owned
 * by root or by us that nobody else may write, with a single link (a hard
 * link to some other root-owned file must not pass for a lockfile).
 */
static bool
trusted(const struct stat *st)
{
	return S_ISREG(st->st_mode) &&
	    (st->st_uid == 0 || st->st_uid == geteuid()) &&
	    (st->st_mode & (S_IWGRP | S_IWOTH)) == 0 &&
	    st->st_nlink == 1;
}

/*
 * Opens a lockfile, without following a symlink and without waiting (on a
 * FIFO, or on another user's lease), and keeps it only if trusted().  A
 * file we may not open, or may not open now, is an error only when it is
 * one we would have trusted.
 */
static enum pm_status
open_lockfile(int dirfd, const char *file, int mode, int *fdp)
{
	struct stat st;
	int fd, saved;

	fd = openat(dirfd, file,
	    mode | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOENT)
			return PM_UNKNOWN;	/* removed meanwhile */
		if (errno == ELOOP || errno == EISDIR || errno == ENXIO)
			return PM_UNTRUSTED;
		saved = errno;
		if (fstatat(dirfd, file, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    !trusted(&st))
			return PM_UNTRUSTED;
		errno = saved;
		return sys_error("cannot open", file);
	}
	if (fstat(fd, &st) == -1) {
		sys_error("cannot stat", file);
		close(fd);
		return PM_SYSERR;
	}
	if (!trusted(&st)) {
		close(fd);
		return PM_UNTRUSTED;
	}
	*fdp = fd;
	return PM_OK;
}

/*
 * Who holds the write lock on byte 0: sets *holder to its pid, or to 0 if
 * nobody does.  An open file description lock (F_OFD_SETLK) reports pid
 * -1: held, but by no process we could name, so never "running".
 */
static int
lock_holder(int fd, pid_t *holder)
{
	struct flock fl = {
		.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1
	};

	if (fcntl(fd, F_GETLK, &fl) == -1)
		return -1;
	*holder = fl.l_type == F_UNLCK ? 0 : fl.l_pid;
	return 0;
}

int
pm_running(const struct pm_proc *p)
{
	return p->lock.pid > 1 && p->holder == p->lock.pid;
}

/*
 * Reads header and command line with one pread, so a header that procmon
 * rewrites meanwhile is seen whole, then asks who holds the lock.  The
 * name and command line share one allocation, owned by p->name.
 */
static enum pm_status
read_lockfile(int fd, const char *file, struct pm_proc *p)
{
	char buf[sizeof(struct lockdata) + PM_EXEC_MAX];
	const char *name = file + PREFIX_LEN;
	size_t name_len = strlen(name);
	ssize_t n;

	if ((n = pread(fd, buf, sizeof buf, 0)) == -1)
		return sys_error("cannot read", file);
	if ((size_t)n < sizeof p->lock)
		return PM_UNTRUSTED;	/* too short to be procmon's */
	memcpy(&p->lock, buf, sizeof p->lock);
	if (lock_holder(fd, &p->holder) == -1)
		return sys_error("cannot query the lock of", file);
	p->exec_len = (size_t)n - sizeof p->lock;
	if ((p->name = malloc(name_len + 1 + p->exec_len)) == NULL)
		return sys_error("out of memory reading", file);
	memcpy(p->name, name, name_len + 1);
	p->exec = p->name + name_len + 1;
	memcpy(p->exec, buf + sizeof p->lock, p->exec_len);
	return PM_OK;
}

/*
 * A persistent responder lists the same files again and again, so it keeps
 * each trusted lockfile open between lists, with the inode number its
 * directory entry had.  An entry still there under the same name and
 * inode is read through the descriptor kept: pread and F_GETLK, two
 * system calls instead of five.  A name with another inode (the file was
 * replaced) is opened and checked afresh, and a name gone from the
 * directory is closed.  A kept file's owner could change its mode, but
 * that owner is root or us: trusted either way.
 */
#define KEEP_MAX	64

static struct kept {
	char	*file;
	ino_t	 ino;
	int	 fd;
	bool	 seen;
} kept[KEEP_MAX];
static size_t nkept;
static char *kept_dir;

static void
forget(struct kept *k)
{
	close(k->fd);
	free(k->file);
	*k = kept[--nkept];
}

/* Starts a list of dir: all kept files unseen, or none if dir changed. */
static void
keep_begin(const char *dir)
{
	size_t i;

	if (kept_dir == NULL || strcmp(kept_dir, dir) != 0) {
		while (nkept > 0)
			forget(&kept[0]);
		free(kept_dir);
		kept_dir = strdup(dir);
	}
	for (i = 0; i < nkept; i++)
		kept[i].seen = false;
}

void
pm_release(void)
{
	while (nkept > 0)
		forget(&kept[0]);
	free(kept_dir);
	kept_dir = NULL;
}

/* Ends a list: files no longer in the directory are closed. */
static void
keep_end(void)
{
	size_t i = 0;

	while (i < nkept)
		if (!kept[i].seen)
			forget(&kept[i]);
		else
			i++;
}

static struct kept *
find_kept(const char *file, ino_t ino, bool *same)
{
	size_t i;

	for (i = 0; i < nkept; i++)
		if (strcmp(kept[i].file, file) == 0) {
			*same = kept[i].ino == ino;
			return &kept[i];
		}
	return NULL;
}

/* Appends DIR's entry to the list, unless it is not to be shown. */
static enum pm_status
add_entry(int dirfd, const struct dirent *de, struct pm_list *list)
{
	const char *file = de->d_name;
	enum pm_status status;
	struct pm_proc *procs;
	struct kept *k;
	bool same = false;
	int fd;

	if (list->count == list->alloc) {
		size_t alloc = list->alloc ? list->alloc * 2 : 16;

		if (alloc > SIZE_MAX / sizeof *procs ||
		    (procs = realloc(list->procs, alloc * sizeof *procs)) == NULL)
			return sys_error("out of memory listing", file);
		list->procs = procs;
		list->alloc = alloc;
	}
	if ((k = find_kept(file, de->d_ino, &same)) != NULL && same) {
		k->seen = true;
		if ((status = read_lockfile(k->fd, file,
		    &list->procs[list->count])) == PM_OK)
			list->count++;
		else
			forget(k);
		return status;
	}
	if (k != NULL)
		forget(k);
	if ((status = open_lockfile(dirfd, file, O_RDONLY, &fd)) != PM_OK)
		return status;
	status = read_lockfile(fd, file, &list->procs[list->count]);
	if (status == PM_OK)
		list->count++;
	if (status == PM_OK && nkept < KEEP_MAX &&
	    (kept[nkept].file = strdup(file)) != NULL) {
		kept[nkept].ino = de->d_ino;
		kept[nkept].fd = fd;
		kept[nkept++].seen = true;
	} else
		close(fd);
	return status;
}

static int
compare_names(const void *a, const void *b)
{
	const struct pm_proc *pa = a, *pb = b;

	return strcmp(pa->name, pb->name);
}

/*
 * Lists every trusted procmon.* entry of dir, sorted by name.  Entries
 * that vanish under us or that we do not trust are left out; anything
 * else that fails fails the whole list, so a partial list is never shown
 * as if it were complete.
 */
enum pm_status
pm_list(const char *dir, struct pm_list *list)
{
	enum pm_status status = PM_OK;
	struct dirent *de;
	DIR *d;

	memset(list, 0, sizeof *list);
	if ((d = opendir(dir)) == NULL)
		return sys_error("cannot open directory", dir);
	keep_begin(dir);
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0)
				status = sys_error("cannot read directory", dir);
			break;
		}
		/* Name (and type) first: unrelated files cost no system call. */
		if (strncmp(de->d_name, PM_PREFIX, PREFIX_LEN) != 0 ||
		    de->d_name[PREFIX_LEN] == '\0')
			continue;
#ifdef DT_UNKNOWN
		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			continue;
#endif
		status = add_entry(dirfd(d), de, list);
		if (status == PM_SYSERR)
			break;
		status = PM_OK;
	}
	closedir(d);
	if (status != PM_OK) {
		pm_list_free(list);
		return status;
	}
	keep_end();
	if (list->count > 1)
		qsort(list->procs, list->count, sizeof *list->procs,
		    compare_names);
	return PM_OK;
}

/*
 * procmon's age format: 13s, 4m02s, 1h04m02s, 2d01h04m02s.  A start in
 * the future (a clock set back, a forged file) is an age of 0; unsigned
 * arithmetic keeps any pair of times from overflowing.
 */
unsigned long long
pm_age(time_t start, time_t now)
{
	return now > start ? (unsigned long long)now -
	    (unsigned long long)start : 0;
}

void
pm_format_since(char *buf, size_t size, time_t start, time_t now)
{
	unsigned long long s = pm_age(start, now);

	if (s < 60)
		snprintf(buf, size, "%llus", s);
	else if (s < 3600)
		snprintf(buf, size, "%llum%02llus", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%lluh%02llum%02llus", s / 3600,
		    s / 60 % 60, s % 60);
	else
		snprintf(buf, size, "%llud%02lluh%02llum%02llus", s / 86400,
		    s / 3600 % 24, s / 60 % 60, s % 60);
}

void
pm_list_free(struct pm_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		free(list->procs[i].name);
	free(list->procs);
	memset(list, 0, sizeof *list);
}

static enum pm_status
write_field(int fd, const char *file, const void *value, size_t size,
    size_t offset)
{
	ssize_t n = pwrite(fd, value, size, (off_t)offset);

	if (n == (ssize_t)size)
		return PM_OK;
	if (n >= 0)
		errno = EIO;
	return sys_error("cannot write", file);
}

#define WRITE_FIELD(fd, file, field, value) \
	write_field((fd), (file), &(value), sizeof(value), \
	    offsetof(struct lockdata, field))

/*
 * pidfds (Linux 5.3) name a process, not a pid.  Their system call numbers
 * are the same on every architecture but alpha and ia64; a C library or
 * kernel headers older than them need not stop us from using them.
 */
#if defined(__linux__) && !defined(__alpha__) && !defined(__ia64__)
#ifndef SYS_pidfd_open
#define SYS_pidfd_open		434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal	424
#endif
#endif

/* True if pid holds the lock on fd's byte 0 right now. */
static bool
holds_lock(int fd, pid_t pid)
{
	pid_t holder;

	return lock_holder(fd, &holder) == 0 && holder == pid;
}

/* Sends sig to pid: through the pidfd when there is one, else by kill(). */
static int
send_signal(int pidfd, pid_t pid, int sig)
{
#ifdef SYS_pidfd_send_signal
	if (pidfd != -1)
		return (int)syscall(SYS_pidfd_send_signal, (long)pidfd,
		    (long)sig, (long)NULL, 0L);
#endif
	return kill(pid, sig);
}

/*
 * Ends pid if, and only if, it holds the lock right now: SIGKILL, or with
 * a grace period SIGTERM first and SIGKILL only if it still holds the lock
 * when the grace runs out.  Returns the last signal sent, 0 if none was
 * (the holder is gone), -1 on error.  Through a pidfd, the checks and the
 * signals name the same process, so a pid recycled meanwhile is never
 * hit.  Without pidfds (an older kernel, a sandbox that forbids them) the
 * window left is the few instructions between F_GETLK and kill().
 */
static int
end_holder(int fd, pid_t pid, unsigned grace)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	int pidfd = -1, sig = grace > 0 ? SIGTERM : SIGKILL, sent = 0, saved;
	unsigned long waited;

#ifdef SYS_pidfd_open
	if ((pidfd = (int)syscall(SYS_pidfd_open, (long)pid, 0L)) == -1) {
		if (errno == ESRCH)
			return 0;
		if (errno != ENOSYS && errno != EPERM)
			return -1;
	}
#endif
	while (holds_lock(fd, pid)) {
		if (send_signal(pidfd, pid, sig) == -1) {
			sent = errno == ESRCH ? sent : -1;
			break;
		}
		sent = sig;
		if (sig == SIGKILL)
			break;
		for (waited = 0; waited < grace * 100UL && holds_lock(fd, pid);
		    waited++)
			nanosleep(&tick, NULL);
		sig = SIGKILL;
	}
	saved = errno;
	if (pidfd != -1)
		close(pidfd);
	errno = saved;
	return sent;
}

static enum pm_status
kill_holder(int fd, const char *file, pid_t pid, unsigned grace,
    struct pm_outcome *out)
{
	char what[64];
	int saved, sig;

	if ((sig = end_holder(fd, pid, grace)) > 0) {
		out->killed = pid;
		out->signal = sig;
	}
	if (sig >= 0)
		return PM_OK;
	saved = errno;
	snprintf(what, sizeof what, "cannot signal pid %ld of", (long)pid);
	errno = saved;
	return sys_error(what, file);
}

/* Clearing terminate is all a start is; procmon forks it within a second. */
static enum pm_status
start(int fd, const char *file, const struct pm_proc *p,
    struct pm_outcome *out)
{
	uint32_t terminate = 0;

	if (p->lock.terminate == 0)
		return PM_OK;		/* running, or being restarted */
	out->changed = true;
	return WRITE_FIELD(fd, file, terminate, terminate);
}

/* As procmon -k: stop time, then the flag, then the signal. */
static enum pm_status
stop(int fd, const char *file, const struct pm_proc *p, unsigned grace,
    struct pm_outcome *out)
{
	uint32_t terminate = PM_TERMINATE_STOP;
	time_t now = time(NULL);
	enum pm_status status;

	if (p->lock.terminate != PM_TERMINATE_STOP) {
		out->changed = true;
		if ((status = WRITE_FIELD(fd, file, starttime, now)) != PM_OK ||
		    (status = WRITE_FIELD(fd, file, terminate, terminate)) !=
		    PM_OK)
			return status;
	}
	if (!pm_running(p))
		return PM_OK;
	return kill_holder(fd, file, p->lock.pid, grace, out);
}

/* procmon restarts what dies; a stopped process is started instead. */
static enum pm_status
restart(int fd, const char *file, const struct pm_proc *p, unsigned grace,
    struct pm_outcome *out)
{
	if (p->lock.terminate != 0)
		return start(fd, file, p, out);
	if (!pm_running(p))
		return PM_OK;		/* procmon is restarting it already */
	return kill_holder(fd, file, p->lock.pid, grace, out);
}

#define FILE_MAX	(PREFIX_LEN + 256)

/*
 * Opens procmon.<name> in dir, whose file name it leaves in file, and
 * reads it into *p.  The caller has validated name; it is checked again
 * here because it becomes part of a path.  On success the caller owns
 * *fdp and p->name.
 */
static enum pm_status
open_entry(const char *dir, const char *name, int mode, char *file,
    int *fdp, struct pm_proc *p)
{
	enum pm_status status;
	int dirfd;

	if (name[0] == '\0' || strchr(name, '/') != NULL ||
	    snprintf(file, FILE_MAX, PM_PREFIX "%s", name) >= (int)FILE_MAX)
		return PM_UNKNOWN;
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return sys_error("cannot open directory", dir);
	status = open_lockfile(dirfd, file, mode, fdp);
	close(dirfd);
	if (status != PM_OK)
		return status;
	if ((status = read_lockfile(*fdp, file, p)) != PM_OK)
		close(*fdp);
	return status;
}

enum pm_status
pm_get(const char *dir, const char *name, struct pm_proc *p)
{
	char file[FILE_MAX];
	enum pm_status status;
	int fd;

	if ((status = open_entry(dir, name, O_RDONLY, file, &fd, p)) == PM_OK)
		close(fd);
	return status;
}

/* Acts on procmon.<name> in dir; grace is in seconds (stop, restart). */
enum pm_status
pm_act(const char *dir, const char *name, enum pm_action action,
    unsigned grace, struct pm_outcome *out)
{
	char file[FILE_MAX];
	enum pm_status status;
	struct pm_proc p;
	int fd;

	memset(out, 0, sizeof *out);
	if ((status = open_entry(dir, name, O_RDWR, file, &fd, &p)) != PM_OK)
		return status;
	out->was_running = pm_running(&p);
	if (p.lock.terminate == PM_TERMINATE_DELETE)
		status = PM_DELETING;
	else if (action == PM_START)
		status = start(fd, file, &p, out);
	else if (action == PM_STOP)
		status = stop(fd, file, &p, grace, out);
	else
		status = restart(fd, file, &p, grace, out);
	free(p.name);
	close(fd);
	return status;
}
