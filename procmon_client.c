/*
 * procmon's lockfile protocol, spoken directly.  See procmon_client.h and
 * docs/procmon.md: the traps avoided here are stale pids (liveness comes
 * from the lock, never from kill(pid, 0)), forged files in a
 * world-writable directory, and torn reads of a header being rewritten.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procmon_client.h"

#define PREFIX_LEN	(sizeof(PM_PREFIX) - 1)
#define FILE_MAX	(PREFIX_LEN + 256)	/* a file name, with its NUL */

static char error_text[256];
static uid_t procmon_uid;	/* trusted as well as root and us, or 0 */

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

	snprintf(error_text, sizeof error_text, "%.48s %.128s: %.64s", what,
	    file, strerror(saved));
	errno = saved;
	return PM_SYSERR;
}

void
pm_trust_uid(uid_t uid)
{
	procmon_uid = uid;
}

/*
 * procmon creates its files mode 0600 as the user it runs as.  Anyone may
 * plant files beside them in /tmp, so we believe only regular files owned
 * by root, by us or by procmon's user (pm_trust_uid()) that nobody else
 * may write: ours...
 */
static bool
ours(const struct stat *st)
{
	return S_ISREG(st->st_mode) &&
	    (st->st_uid == 0 || st->st_uid == geteuid() ||
	    st->st_uid == procmon_uid) &&
	    (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/*
 * ... with a single link: a hard link to some other root-owned file must
 * not pass for a lockfile.
 */
static bool
trusted(const struct stat *st)
{
	return ours(st) && st->st_nlink == 1;
}

/*
 * 1 if dir's entry file is a lockfile we would trust, 0 if not or gone.
 * Trust is decided from a look, without opening: a file of another user's
 * costs one system call, and a FIFO or another user's lease cannot make
 * us wait.  One that cannot even be looked at (a user's FUSE mount over a
 * file of its own) is not trusted.
 */
int
pm_trusted_at(int dirfd, const char *file)
{
	struct stat st;

	return fstatat(dirfd, file, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    trusted(&st);
}

/*
 * Opens a lockfile we trust (see pm_trusted_at()), without following a
 * symlink and without waiting, and checks that the file opened is still
 * one we trust: the name may have been given to another file in between.
 * A file gone meanwhile is unknown.  Sets p's file identity, and leaves
 * in *st the last look at the file (zero if none).
 */
static enum pm_status
open_lockfile(int dirfd, const char *file, int mode, int *fdp,
    struct pm_proc *p, struct stat *st)
{
	int fd;

	memset(st, 0, sizeof *st);
	if (fstatat(dirfd, file, st, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? PM_UNKNOWN : PM_UNTRUSTED;
	if (!trusted(st))
		return PM_UNTRUSTED;
	fd = openat(dirfd, file,
	    mode | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOENT)
			return PM_UNKNOWN;	/* removed meanwhile */
		if (errno == ELOOP || errno == EISDIR || errno == ENXIO)
			return PM_UNTRUSTED;	/* replaced meanwhile */
		return sys_error("cannot open", file);
	}
	if (fstat(fd, st) == -1 || !trusted(st)) {
		close(fd);
		return PM_UNTRUSTED;
	}
	*fdp = fd;
	p->dev = st->st_dev;
	p->ino = st->st_ino;
	return PM_OK;
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

/* Appends dir's entry file to the list, unless it is not to be shown. */
static enum pm_status
add_entry(int dirfd, const char *file, struct pm_list *list)
{
	enum pm_status status;
	struct pm_proc *procs, *p;
	struct stat st;
	int fd;

	if (list->count == list->alloc) {
		size_t alloc = list->alloc ? list->alloc * 2 : 16;

		if (alloc > SIZE_MAX / sizeof *procs ||
		    (procs = realloc(list->procs, alloc * sizeof *procs)) == NULL)
			return sys_error("out of memory listing", file);
		list->procs = procs;
		list->alloc = alloc;
	}
	p = &list->procs[list->count];
	status = open_lockfile(dirfd, file, O_RDONLY, &fd, p, &st);
	if (status == PM_UNTRUSTED && ours(&st) && st.st_nlink > 1)
		list->linked++;		/* trusted but for a second name */
	if (status != PM_OK)
		return status;
	if ((status = read_lockfile(fd, file, p)) == PM_OK)
		list->count++;
	close(fd);
	return status;
}

static int
compare_names(const void *a, const void *b)
{
	const struct pm_proc *pa = a, *pb = b;

	return strcmp(pa->name, pb->name);
}

static int
compare_name_to_proc(const void *name, const void *proc)
{
	return strcmp(name, ((const struct pm_proc *)proc)->name);
}

const struct pm_proc *
pm_find(const struct pm_list *list, const char *name)
{
	return list->count == 0 ? NULL : bsearch(name, list->procs,
	    list->count, sizeof *list->procs, compare_name_to_proc);
}

/*
 * Every trusted procmon.* entry of the directory, sorted by name, into a
 * new list (on failure, nothing is left to free).  Entries that vanish
 * under us or that we do not trust are left out (and counted); anything
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
	while (status == PM_OK) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0)
				status = sys_error("cannot read directory",
				    dir);
			break;
		}
		/* Name (and type) first: unrelated files cost no system call. */
		if (strncmp(de->d_name, PM_PREFIX, PREFIX_LEN) != 0 ||
		    de->d_name[PREFIX_LEN] == '\0')
			continue;
#ifdef DT_UNKNOWN
		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			status = PM_UNTRUSTED;
		else
#endif
			status = add_entry(dirfd(d), de->d_name, list);
		if (status == PM_UNTRUSTED)
			list->untrusted++;
		if (status != PM_SYSERR)
			status = PM_OK;
	}
	closedir(d);
	if (status != PM_OK)
		pm_list_free(list);
	else if (list->count > 1)
		qsort(list->procs, list->count, sizeof *list->procs,
		    compare_names);
	return status;
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

/*
 * Reads p again through its file opened afresh, if that is still the file
 * that was read (the same inode on the same device, still trusted): a
 * lock changes hands without a write, and a write through a shared
 * mapping raises no inotify event.  0, or -1 if p could not be read again
 * (it is then fit only for pm_list_free()).
 */
int
pm_reread_at(int dirfd, struct pm_proc *p)
{
	char file[FILE_MAX];
	struct stat st;
	int fd, r = -1;

	snprintf(file, sizeof file, PM_PREFIX "%s", p->name);
	if ((fd = openat(dirfd, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == 0 && st.st_dev == p->dev &&
	    st.st_ino == p->ino && trusted(&st)) {
		free(p->name);
		p->name = NULL;
		r = read_lockfile(fd, file, p) == PM_OK ? 0 : -1;
	}
	close(fd);
	return r;
}

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
	struct stat st;
	int dirfd;

	if (name[0] == '\0' || strchr(name, '/') != NULL ||
	    snprintf(file, FILE_MAX, PM_PREFIX "%s", name) >= (int)FILE_MAX)
		return PM_UNKNOWN;
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return sys_error("cannot open directory", dir);
	status = open_lockfile(dirfd, file, mode, fdp, p, &st);
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

static const char monitors[][9] = { "procmon1", "procmon2" };

/*
 * procmon's two monitors restart each other and every process: when both
 * have entries but neither is running, nothing will start anything.
 */
enum pm_procmon
pm_procmon(const char *dir)
{
	enum pm_procmon state = PM_PROCMON_ABSENT;
	struct pm_proc p;
	size_t i;

	for (i = 0; i < sizeof monitors / sizeof monitors[0]; i++) {
		if (pm_get(dir, monitors[i], &p) != PM_OK)
			continue;
		free(p.name);
		if (pm_running(&p))
			return PM_PROCMON_RUNNING;
		state = PM_PROCMON_STOPPED;
	}
	return state;
}

/* The same, from a list just read. */
enum pm_procmon
pm_procmon_listed(const struct pm_list *list)
{
	enum pm_procmon state = PM_PROCMON_ABSENT;
	const struct pm_proc *p;
	size_t i;

	for (i = 0; i < sizeof monitors / sizeof monitors[0]; i++) {
		if ((p = pm_find(list, monitors[i])) == NULL)
			continue;
		if (pm_running(p))
			return PM_PROCMON_RUNNING;
		state = PM_PROCMON_STOPPED;
	}
	return state;
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

/* Sends sig to the deed's process if it holds the lock itself. */
static enum pm_status
signal_deed(struct pm_deed *d, const char *file, int sig)
{
	char what[64];
	int r;

	if ((r = signal_holder(&d->holder, sig)) == 1) {
		d->out.killed = d->holder.pid;
		d->out.signal = sig;
		d->ending = sig == SIGTERM;
		return PM_OK;
	}
	if (r == 0)
		return PM_OK;		/* it ended meanwhile */
	if (r == 2) {
		snprintf(error_text, sizeof error_text, "the lock of %.128s is "
		    "held under pid %ld by another process, which shares the "
		    "files of one that ended: nothing was signalled", file,
		    (long)d->holder.pid);
		return PM_NOT_HOLDER;
	}
	snprintf(what, sizeof what, "cannot signal pid %ld of",
	    (long)d->holder.pid);
	return sys_error(what, file);
}

/*
 * A start clears terminate; procmon's monitor looks once a second and
 * forks the process, but only if the recorded pid is 0 or gone (kill(pid,
 * 0) fails with ESRCH).  A pid the kernel has since given to a stranger,
 * or a zombie not yet reaped, would keep it from ever starting, so a pid
 * that does not hold the lock is cleared first; procmon writes the new
 * one.  A process still running with the flag set (procmon's child wrote
 * it back over a stop) only has the flag cleared.
 */
static enum pm_status
start(int fd, const char *file, const struct pm_proc *p,
    struct pm_outcome *out)
{
	uint32_t terminate = 0;
	pid_t none = 0;
	enum pm_status status;

	if (p->lock.terminate == 0)
		return PM_OK;		/* running, or being restarted */
	out->changed = true;
	if (!pm_running(p) && p->lock.pid != 0 &&
	    (status = WRITE_FIELD(fd, file, pid, none)) != PM_OK)
		return status;
	return WRITE_FIELD(fd, file, terminate, terminate);
}

/* As procmon -k: stop time, then the flag; the signal follows. */
static enum pm_status
stop(int fd, const char *file, const struct pm_proc *p,
    struct pm_outcome *out)
{
	uint32_t terminate = PM_TERMINATE_STOP;
	time_t now = time(NULL);
	enum pm_status status;

	if (p->lock.terminate == PM_TERMINATE_STOP)
		return PM_OK;
	out->changed = true;
	if ((status = WRITE_FIELD(fd, file, starttime, now)) != PM_OK)
		return status;
	return WRITE_FIELD(fd, file, terminate, terminate);
}

/*
 * Acts on procmon.<name> in dir.  stop and restart then signal the lock
 * holder, if there is one: SIGKILL, or SIGTERM if graceful (pm_finish()
 * sends SIGKILL if it still holds the lock).  procmon restarts what dies
 * once its stop flag is clear, so restart clears it first: a stopped
 * process is started, and a running one flagged stopped is killed too.
 */
enum pm_status
pm_begin(const char *dir, const char *name, enum pm_action action,
    bool graceful, struct pm_deed *d)
{
	char file[FILE_MAX];
	enum pm_status status;
	struct pm_proc p;
	int fd;

	memset(d, 0, sizeof *d);
	d->name = name;
	d->holder.fd = d->holder.pidfd = -1;
	if ((status = open_entry(dir, name, O_RDWR, file, &fd, &p)) != PM_OK)
		return status;
	d->out.was_running = pm_running(&p);
	d->holder = (struct holder){ fd, p.lock.pid, -1 };
	if (p.lock.terminate == PM_TERMINATE_DELETE)
		status = PM_DELETING;
	else if (action == PM_STOP)
		status = stop(fd, file, &p, &d->out);
	else if (p.lock.terminate != 0)
		status = start(fd, file, &p, &d->out);
	if (status == PM_OK && action != PM_START && pm_running(&p))
		status = signal_deed(d, file, graceful ? SIGTERM : SIGKILL);
	free(p.name);
	if (status != PM_OK || !d->ending)
		pm_finish(d);
	return status;
}

/* Up to grace seconds, while a process sent SIGTERM still holds its lock. */
void
pm_await_ending(struct pm_deed *const *deeds, size_t n, unsigned grace)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	unsigned long waited;
	bool ending = true;
	size_t i;

	for (waited = 0; ending && waited < grace * 100UL; waited++) {
		for (ending = false, i = 0; i < n && !ending; i++)
			ending = deeds[i]->ending &&
			    holds_lock(deeds[i]->holder.fd, deeds[i]->holder.pid);
		if (ending)
			nanosleep(&tick, NULL);
	}
}

/* SIGKILL to a process sent SIGTERM that still holds its lock; releases. */
enum pm_status
pm_finish(struct pm_deed *d)
{
	char file[FILE_MAX];
	enum pm_status status = PM_OK;

	if (d->ending) {
		d->ending = false;
		snprintf(file, sizeof file, PM_PREFIX "%s", d->name);
		status = signal_deed(d, file, SIGKILL);
	}
	holder_release(&d->holder);
	if (d->holder.fd != -1)
		close(d->holder.fd);
	d->holder.fd = -1;
	return status;
}
