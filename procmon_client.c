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
#include <sys/inotify.h>
#include <sys/syscall.h>
#endif
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

	snprintf(error_text, sizeof error_text, "%.48s %.128s: %.64s", what, file,
	    strerror(saved));
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
 * may write, with a single link (a hard link to some other root-owned file
 * must not pass for a lockfile).
 */
static bool
trusted(const struct stat *st)
{
	return S_ISREG(st->st_mode) &&
	    (st->st_uid == 0 || st->st_uid == geteuid() ||
	    st->st_uid == procmon_uid) &&
	    (st->st_mode & (S_IWGRP | S_IWOTH)) == 0 &&
	    st->st_nlink == 1;
}

/*
 * Opens a lockfile, without following a symlink and without waiting (on a
 * FIFO, or on another user's lease), and keeps it only if trusted().  A
 * file we may not open, or may not open now, is an error only when it is
 * one we would have trusted: not one removed meanwhile (a user may
 * break its own lease so), nor one we may not even stat (a user's FUSE
 * mount over its own file).
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
		if (fstatat(dirfd, file, &st, AT_SYMLINK_NOFOLLOW) == -1)
			/* gone meanwhile, or not even to be looked at */
			return errno == ENOENT ? PM_UNKNOWN : PM_UNTRUSTED;
		if (!trusted(&st))
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
	p->fd = -1;			/* the caller keeps fd, or not */
	p->ino = 0;
	return PM_OK;
}

/*
 * A list refreshed again and again (a persistent responder's) keeps each
 * trusted lockfile open, with the inode number its directory entry had,
 * and from its second refresh on watches the directory with inotify.
 * While the watch reports nothing about a procmon.* entry (created,
 * removed, renamed, written, its mode or owner changed), the entries and
 * their contents are as last read, and a refresh only asks each kept file
 * who holds its lock: one F_GETLK per entry, one stat() that finds the
 * path still naming the directory watched, and one read() that finds the
 * watch empty.  Anything else is a full scan, which reuses a kept file
 * whose entry still has the same inode, on the same device, after
 * checking it again.  Files past the first KEEP_MAX are read and closed,
 * so a long list cannot exhaust descriptors; a refresh opens them again
 * for their locks.
 */
#define KEEP_MAX	64
#define WATCH_EVENTS	(IN_ATTRIB | IN_CREATE | IN_DELETE | IN_MODIFY | \
			    IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | \
			    IN_MOVE_SELF | IN_ONLYDIR)

static unsigned long generations;	/* last generation given any list */

static void
free_procs(struct pm_proc *procs, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		if (procs[i].fd != -1)
			close(procs[i].fd);
		free(procs[i].name);
	}
	free(procs);
}

static void
stop_watch(struct pm_list *list)
{
	if (list->watching)
		close(list->watch);
	list->watching = false;
}

static bool
is_watched(const struct pm_list *list, const struct stat *st)
{
	return st->st_dev == list->watch_dev && st->st_ino == list->watch_ino;
}

/*
 * A watch follows a directory, not its path: once a parent is renamed, a
 * file system mounted over it or a symlink on the way retargeted, the
 * path lists another directory, of which the watch says nothing.  So the
 * directory the path named when the watch began is remembered, and the
 * watch believed only while the path still names it.
 */
static bool
still_watched(struct pm_list *list)
{
	struct stat st;

	if (stat(list->dir, &st) == 0 && is_watched(list, &st))
		return true;
	stop_watch(list);
	return false;
}

#ifdef __linux__
/*
 * The watch is added through /proc/self/fd, so that it is on the very
 * directory whose identity is kept, whatever the path names meanwhile.
 * Without /proc or inotify, or past inotify's limits, there is no watch:
 * every refresh is a scan.
 */
static void
start_watch(struct pm_list *list)
{
	char path[32];
	struct stat st;
	int dirfd, fd = -1;

	if ((dirfd = open(list->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	snprintf(path, sizeof path, "/proc/self/fd/%d", dirfd);
	if (fstat(dirfd, &st) == 0 &&
	    (fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) != -1 &&
	    inotify_add_watch(fd, path, WATCH_EVENTS) != -1) {
		list->watch = fd;
		list->watching = true;
		list->watch_dev = st.st_dev;
		list->watch_ino = st.st_ino;
	} else if (fd != -1)
		close(fd);
	close(dirfd);
}

/*
 * Empties the watch; true if it told of anything that could change the
 * list.  Files of other names cost nothing but their event, so a busy
 * /tmp does not force scans.  A directory removed or moved ends the watch
 * (the path may name another directory now); a lost event is a change.
 */
static bool
dir_changed(struct pm_list *list)
{
	union {
		struct inotify_event	ev;
		char			bytes[4096];
	} buf;
	const struct inotify_event *ev;
	bool changed = false, ended = false;
	ssize_t n;
	size_t at;

	while ((n = read(list->watch, &buf, sizeof buf)) > 0)
		for (at = 0; at < (size_t)n;) {
			ev = (const struct inotify_event *)(buf.bytes + at);
			if (ev->mask & (IN_IGNORED | IN_MOVE_SELF))
				ended = true;
			if ((ev->mask & (IN_Q_OVERFLOW | IN_DELETE_SELF)) ||
			    (ev->len > 0 && strncmp(ev->name, PM_PREFIX,
			    PREFIX_LEN) == 0))
				changed = true;
			at += sizeof *ev + ev->len;
		}
	if (n == -1 && errno != EAGAIN)
		ended = true;
	if (ended)
		stop_watch(list);
	return changed || ended;
}
#else
static void
start_watch(struct pm_list *list)
{
	(void)list;			/* no inotify: every refresh scans */
}

static bool
dir_changed(struct pm_list *list)
{
	(void)list;
	return true;
}
#endif

/*
 * Who holds the lock of an entry not kept open: its file is opened again,
 * and asked only if it is still the file the scan trusted (the same inode
 * on the same device: while the scan's directory is open, no other file
 * can have that pair).
 */
static int
unkept_holder(int dirfd, dev_t dev, const struct pm_proc *p, pid_t *holder)
{
	char file[FILE_MAX];
	struct stat st;
	int fd, r = -1;

	snprintf(file, sizeof file, PM_PREFIX "%s", p->name);
	if ((fd = openat(dirfd, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == p->ino &&
	    trusted(&st))
		r = lock_holder(fd, holder);
	close(fd);
	return r;
}

/*
 * The directory is as last scanned: only the locks may have moved.  False
 * if a lock could not be asked: the caller scans instead.
 */
static bool
recheck_locks(struct pm_list *list)
{
	bool changed = false, asked = true;
	int dirfd = -1, r;
	pid_t holder;
	size_t i;

	for (i = 0; i < list->count && asked; i++) {
		if (list->procs[i].fd != -1)
			r = lock_holder(list->procs[i].fd, &holder);
		else if (dirfd == -1 && (dirfd = open(list->dir,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
			r = -1;
		else
			r = unkept_holder(dirfd, list->dir_dev,
			    &list->procs[i], &holder);
		if (r == -1)
			asked = false;
		else if (holder != list->procs[i].holder) {
			list->procs[i].holder = holder;
			changed = true;
		}
	}
	if (dirfd != -1)
		close(dirfd);
	if (changed)
		list->generation = ++generations;
	return asked;
}

static int
compare_name_to_proc(const void *name, const void *proc)
{
	return strcmp(name, ((const struct pm_proc *)proc)->name);
}

/*
 * Takes the descriptor old kept for file, if its entry is still that file:
 * the same inode, on the device of the directory read (a file system
 * mounted over the directory numbers its inodes afresh).
 */
static int
take_kept(struct pm_list *old, const char *file, dev_t dev, ino_t ino)
{
	struct pm_proc *p;
	struct stat st;
	int fd;

	if (old->count == 0 || (p = bsearch(file + PREFIX_LEN, old->procs,
	    old->count, sizeof *p, compare_name_to_proc)) == NULL ||
	    p->fd == -1 || p->ino != ino)
		return -1;
	fd = p->fd;
	p->fd = -1;
	if (fstat(fd, &st) == -1 || st.st_dev != dev || !trusted(&st)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Appends dir's entry to the list, unless it is not to be shown. */
static enum pm_status
add_entry(int dirfd, const struct dirent *de, struct pm_list *list,
    struct pm_list *old, size_t *kept)
{
	const char *file = de->d_name;
	enum pm_status status;
	struct pm_proc *procs, *p;
	int fd;

	if (list->count == list->alloc) {
		size_t alloc = list->alloc ? list->alloc * 2 : 16;

		if (alloc > SIZE_MAX / sizeof *procs ||
		    (procs = realloc(list->procs, alloc * sizeof *procs)) == NULL)
			return sys_error("out of memory listing", file);
		list->procs = procs;
		list->alloc = alloc;
	}
	if ((fd = take_kept(old, file, list->dir_dev, de->d_ino)) == -1 &&
	    (status = open_lockfile(dirfd, file, O_RDONLY, &fd)) != PM_OK)
		return status;
	p = &list->procs[list->count];
	if ((status = read_lockfile(fd, file, p)) != PM_OK) {
		close(fd);
		return status;
	}
	list->count++;
	p->ino = de->d_ino;
	if (*kept < KEEP_MAX) {
		p->fd = fd;
		++*kept;
	} else
		close(fd);
	return PM_OK;
}

static int
compare_names(const void *a, const void *b)
{
	const struct pm_proc *pa = a, *pb = b;

	return strcmp(pa->name, pb->name);
}

/*
 * Lists every trusted procmon.* entry of the directory, sorted by name.
 * Entries that vanish under us or that we do not trust are left out;
 * anything else that fails fails the whole list, so a partial list is
 * never shown as if it were complete.
 */
static enum pm_status
scan(struct pm_list *list)
{
	struct pm_list old = *list;
	enum pm_status status = PM_OK;
	struct dirent *de;
	struct stat st;
	size_t kept = 0;
	DIR *d;

	list->procs = NULL;
	list->count = list->alloc = list->untrusted = 0;
	list->generation = ++generations;
	if ((d = opendir(list->dir)) == NULL)
		status = sys_error("cannot open directory", list->dir);
	else if (fstat(dirfd(d), &st) == -1) {
		status = sys_error("cannot stat directory", list->dir);
		closedir(d);
		d = NULL;
	} else {
		list->dir_dev = st.st_dev;
		if (list->watching && !is_watched(list, &st))
			stop_watch(list);	/* not the directory watched */
	}
	while (d != NULL) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0)
				status = sys_error("cannot read directory",
				    list->dir);
			break;
		}
		/* Name (and type) first: unrelated files cost no system call. */
		if (strncmp(de->d_name, PM_PREFIX, PREFIX_LEN) != 0 ||
		    de->d_name[PREFIX_LEN] == '\0')
			continue;
#ifdef DT_UNKNOWN
		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN) {
			list->untrusted++;
			continue;
		}
#endif
		status = add_entry(dirfd(d), de, list, &old, &kept);
		if (status == PM_SYSERR)
			break;
		if (status == PM_UNTRUSTED)
			list->untrusted++;
		status = PM_OK;
	}
	if (d != NULL)
		closedir(d);
	free_procs(old.procs, old.count);
	if (status != PM_OK) {
		/* The watch vouches for a scan that succeeded, not this one. */
		stop_watch(list);
		free_procs(list->procs, list->count);
		list->procs = NULL;
		list->count = list->alloc = 0;
		return status;
	}
	if (list->count > 1)
		qsort(list->procs, list->count, sizeof *list->procs,
		    compare_names);
	return PM_OK;
}

enum pm_status
pm_refresh(const char *dir, struct pm_list *list)
{
	if (list->dir == NULL || strcmp(list->dir, dir) != 0) {
		pm_list_free(list);
		if ((list->dir = strdup(dir)) == NULL)
			return sys_error("out of memory listing", dir);
	} else if (list->watching && still_watched(list) &&
	    !dir_changed(list) && recheck_locks(list))
		return PM_OK;
	/* Refreshed before: the caller lists again and again. */
	if (!list->watching && list->scanned)
		start_watch(list);
	list->scanned = true;
	return scan(list);
}

/* A list of its own: on failure, nothing is left to free. */
enum pm_status
pm_list(const char *dir, struct pm_list *list)
{
	enum pm_status status;

	memset(list, 0, sizeof *list);
	if ((status = pm_refresh(dir, list)) != PM_OK)
		pm_list_free(list);
	return status;
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
	free_procs(list->procs, list->count);
	stop_watch(list);
	free(list->dir);
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
 * are the same on every architecture but alpha, ia64 and MIPS; a C
 * library or kernel headers older than them need not stop us from using
 * them.
 */
#if defined(__linux__) && !defined(__alpha__) && !defined(__ia64__) && \
    !defined(__mips__)
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

/*
 * True if descriptor name of /proc/PID/fdinfo (dir) holds a POSIX write
 * lock on an inode numbered as ino says (":12345 ").  The kernel lists
 * there only the locks taken through that open file by that process's
 * table of open files.
 */
static bool
fdinfo_locks(int dir, const char *name, const char *ino)
{
	char info[1024], *line, *next;
	ssize_t n;
	int fd;

	if ((fd = openat(dir, name, O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	n = read(fd, info, sizeof info - 1);
	close(fd);
	info[n > 0 ? n : 0] = '\0';
	for (line = info; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strncmp(line, "lock:", 5) == 0 &&
		    strstr(line, " POSIX ") != NULL &&
		    strstr(line, " WRITE ") != NULL && strstr(line, ino) != NULL)
			return true;
	}
	return false;
}

/*
 * Whether this kernel lists locks in fdinfo (Linux 4.1 on): asked once,
 * of a lock taken on a pipe of our own.  A probe that could not be made
 * (out of descriptors) is not remembered.
 */
static bool
fdinfo_lists_locks(void)
{
	static int listed = -1;
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
	    .l_start = 0, .l_len = 1 };
	char name[32], ino[32];
	struct stat st;
	int p[2];

	if (listed != -1 || pipe(p) == -1)
		return listed == 1;
	if (fcntl(p[1], F_SETLK, &fl) == 0 && fstat(p[1], &st) == 0) {
		snprintf(name, sizeof name, "/proc/self/fdinfo/%d", p[1]);
		snprintf(ino, sizeof ino, ":%lu ", (unsigned long)st.st_ino);
		listed = fdinfo_locks(AT_FDCWD, name, ino);
	}
	close(p[0]);
	close(p[1]);
	return listed == 1;
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
 * none under its own pid.  False if the pid is gone or no descriptor of
 * it has the lock; where /proc cannot say (not mounted, or the process
 * hidden from us), the lock's word stands.
 */
static bool
owns_lock(pid_t pid, int fd)
{
	char path[80], ino[32];
	struct dirent *t, *e;
	struct stat file, st;
	bool listed = fdinfo_lists_locks(), found = false, shown = false;
	DIR *tasks, *d;

	if (fstat(fd, &file) == -1)
		return false;
	snprintf(ino, sizeof ino, ":%lu ", (unsigned long)file.st_ino);
	snprintf(path, sizeof path, "/proc/%ld/task", (long)pid);
	if ((tasks = opendir(path)) == NULL)
		return errno != ENOENT || kill(pid, 0) == 0 || errno == EPERM;
	while (!shown && (t = readdir(tasks)) != NULL) {
		snprintf(path, sizeof path, "/proc/%ld/task/%.16s/fdinfo",
		    (long)pid, t->d_name);
		if (t->d_name[0] == '.' || (d = opendir(path)) == NULL)
			continue;
		while (!found && (e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			shown = true;
			if (listed && !fdinfo_locks(dirfd(d), e->d_name, ino))
				continue;
			snprintf(path, sizeof path, "/proc/%ld/task/%.16s/fd/%.16s",
			    (long)pid, t->d_name, e->d_name);
			found = stat(path, &st) == 0 &&
			    st.st_dev == file.st_dev && st.st_ino == file.st_ino;
		}
		closedir(d);
	}
	closedir(tasks);
	return found;
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
 * window left is the few instructions between the checks and kill().
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
	while (holds_lock(fd, pid) && owns_lock(pid, fd)) {
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

/*
 * procmon restarts what dies, once its stop flag is clear: a stopped
 * process is started, and a running one flagged stopped has the flag
 * cleared before it is killed.
 */
static enum pm_status
restart(int fd, const char *file, const struct pm_proc *p, unsigned grace,
    struct pm_outcome *out)
{
	enum pm_status status;

	if (p->lock.terminate != 0 && (status = start(fd, file, p, out)) != PM_OK)
		return status;
	if (!pm_running(p))
		return PM_OK;		/* started, or being restarted already */
	return kill_holder(fd, file, p->lock.pid, grace, out);
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
		if (list->count == 0 || (p = bsearch(monitors[i], list->procs,
		    list->count, sizeof *p, compare_name_to_proc)) == NULL)
			continue;
		if (pm_running(p))
			return PM_PROCMON_RUNNING;
		state = PM_PROCMON_STOPPED;
	}
	return state;
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
