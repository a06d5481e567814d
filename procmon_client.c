/* SPDX-License-Identifier: MIT */
/*
 * procmon's lockfile protocol, spoken directly.  See procmon_client.h and
 * docs/procmon.md: the traps avoided here are stale pids (liveness comes
 * from the lock, never from kill(pid, 0)), forged files in a
 * world-writable directory, torn reads of a header being rewritten,
 * headers of another layout, and two writers at once.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "procmon_client.h"
#include "proc_stat.h"

#define PREFIX_LEN	(sizeof(PM_PREFIX) - 1)
#define FILE_MAX	256		/* a file name, with its NUL */
#define HEADER_MAX	24		/* the largest known header */

/* Records what failed, with errno's reason, in why (PM_WHY_MAX bytes).
 * The precisions keep the text within it; long names are cut. */
static enum pm_status
sys_error(char *why, const char *what, const char *file)
{
	int saved = errno;

	snprintf(why, PM_WHY_MAX, "%.48s %.128s: %.64s", what, file,
	    strerror(saved));
	errno = saved;
	return PM_SYSERR;
}

/* Each pm_distrust as a word for programs and a phrase for people. */
static const struct {
	char	key[8];
	char	text[40];
} distrusts[PM_DISTRUSTS] = {
	[PM_OWNER] = { "owner", "owned by a user not trusted (see -u)" },
	[PM_MODE] = { "mode", "writable by group or others" },
	[PM_TYPE] = { "type", "not a regular file" },
	[PM_LINKS] = { "links", "linked elsewhere too" },
	[PM_UNSEEN] = { "unseen", "not to be looked at" },
};

const char *
pm_distrust_key(enum pm_distrust d)
{
	return distrusts[d].key;
}

const char *
pm_distrust_text(enum pm_distrust d)
{
	return distrusts[d].text;
}

/*
 * procmon creates its files mode 0600 as the user it runs as.  Anyone may
 * plant files beside them in /tmp, so we believe only regular files of
 * root or of a trusted user (ours, procmon's) that nobody else may write,
 * with a single link: a hard link to some other root-owned file must not
 * pass for a lockfile.  -1 if trusted, else why not.
 */
static int
distrust(const struct pm_config *cfg, const struct stat *st)
{
	bool trusted_owner = st->st_uid == 0;
	size_t i;

	for (i = 0; i < cfg->ntrusted; i++)
		trusted_owner |= st->st_uid == cfg->trusted[i];
	if (!S_ISREG(st->st_mode))
		return PM_TYPE;
	if (!trusted_owner)
		return PM_OWNER;
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return PM_MODE;
	return st->st_nlink == 1 ? -1 : PM_LINKS;
}

static enum pm_status
untrusted(int *reason, int why_not)
{
	*reason = why_not;
	return PM_UNTRUSTED;
}

/*
 * Opens a lockfile we trust, without following a symlink and without
 * waiting.  Trust is decided from a look before the open (a file of
 * another user costs one system call, and a FIFO or another user's lease
 * cannot make us wait), and again on the file opened: the name may have
 * been given to another file in between.  A file gone meanwhile is
 * unknown; one refused leaves in *reason why.
 */
static enum pm_status
open_lockfile(const struct pm_config *cfg, int dirfd, const char *file,
    int mode, int *fdp, struct stat *st, int *reason, char *why)
{
	int fd, not;

	*reason = -1;
	if (fstatat(dirfd, file, st, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? PM_UNKNOWN :
		    untrusted(reason, PM_UNSEEN);
	if ((not = distrust(cfg, st)) != -1)
		return untrusted(reason, not);
	fd = openat(dirfd, file,
	    mode | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOENT)
			return PM_UNKNOWN;	/* removed meanwhile */
		if (errno == ELOOP || errno == EISDIR || errno == ENXIO)
			return untrusted(reason, PM_TYPE); /* replaced */
		return sys_error(why, "cannot open", file);
	}
	if (fstat(fd, st) == -1)
		not = PM_UNSEEN;
	else
		not = distrust(cfg, st);
	if (not != -1) {
		close(fd);
		return untrusted(reason, not);
	}
	*fdp = fd;
	return PM_OK;
}

bool
pm_running(const struct pm_proc *p)
{
	return p->head.fit != HEADER_UNREADABLE && p->head.pid > 1 &&
	    p->holder == p->head.pid;
}

/*
 * Reads header and command line with one pread, so a header that procmon
 * rewrites meanwhile is seen whole, then asks who holds the lock.  The
 * name, the bytes read and so the command line share one allocation,
 * owned by p->name.
 */
static enum pm_status
read_lockfile(int fd, const char *file, off_t size, struct pm_proc *p,
    char *why)
{
	const char *name = file + PREFIX_LEN;
	size_t name_len = strlen(name), want = HEADER_MAX + PM_EXEC_MAX;
	unsigned char *bytes;
	ssize_t n;

	memset(p, 0, sizeof *p);
	if (size >= 0 && (unsigned long long)size < want)
		want = (size_t)size;
	if ((p->name = malloc(name_len + 1 + want)) == NULL)
		return sys_error(why, "out of memory reading", file);
	memcpy(p->name, name, name_len + 1);
	bytes = (unsigned char *)p->name + name_len + 1;
	if ((n = pread(fd, bytes, want, 0)) == -1) {
		pm_proc_free(p);
		return sys_error(why, "cannot read", file);
	}
	header_read(bytes, (size_t)n, &p->head);
	if (p->head.fit != HEADER_UNREADABLE) {
		p->exec = (char *)bytes + p->head.size;
		p->exec_len = (size_t)n - p->head.size;
		if (p->exec_len > PM_EXEC_MAX)
			p->exec_len = PM_EXEC_MAX;
		p->exec_cut = size - (off_t)p->head.size > (off_t)p->exec_len;
	}
	if (lock_holder(fd, &p->holder) == -1) {
		pm_proc_free(p);
		return sys_error(why, "cannot query the lock of", file);
	}
	return PM_OK;
}

void
pm_proc_free(struct pm_proc *p)
{
	free(p->name);
	p->name = p->exec = NULL;
}

/* Appends dir's entry file to the list, unless it is not to be shown. */
static enum pm_status
add_entry(const struct pm_config *cfg, int dirfd, const char *file,
    struct pm_list *list, char *why)
{
	enum pm_status status;
	struct pm_proc *procs;
	struct stat st;
	int fd, reason;

	if (list->count == list->alloc) {
		size_t alloc = list->alloc ? list->alloc * 2 : 16;

		if (alloc > SIZE_MAX / sizeof *procs ||
		    (procs = realloc(list->procs, alloc * sizeof *procs)) == NULL)
			return sys_error(why, "out of memory listing", file);
		list->procs = procs;
		list->alloc = alloc;
	}
	status = open_lockfile(cfg, dirfd, file, O_RDONLY, &fd, &st, &reason,
	    why);
	if (status == PM_UNTRUSTED)
		list->left_out[reason]++;
	if (status != PM_OK)
		return status;
	status = read_lockfile(fd, file, st.st_size,
	    &list->procs[list->count], why);
	if (status == PM_OK)
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
pm_list(const struct pm_config *cfg, struct pm_list *list, char *why)
{
	enum pm_status status = PM_OK;
	struct dirent *de;
	DIR *d;

	memset(list, 0, sizeof *list);
	if ((d = opendir(cfg->dir)) == NULL)
		return sys_error(why, "cannot open directory", cfg->dir);
	while (status == PM_OK) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0)
				status = sys_error(why, "cannot read directory",
				    cfg->dir);
			break;
		}
		/* Name (and type) first: unrelated files cost no system call. */
		if (strncmp(de->d_name, PM_PREFIX, PREFIX_LEN) != 0 ||
		    de->d_name[PREFIX_LEN] == '\0')
			continue;
#ifdef DT_UNKNOWN
		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN) {
			list->left_out[PM_TYPE]++;
			continue;
		}
#endif
		status = add_entry(cfg, dirfd(d), de->d_name, list, why);
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
		pm_proc_free(&list->procs[i]);
	free(list->procs);
	memset(list, 0, sizeof *list);
}

/*
 * Opens procmon.<name> in the directory, whose file name it leaves in
 * file.  The caller has validated name; it is checked again here because
 * it becomes part of a path.  On success the caller owns *fdp.
 */
static enum pm_status
open_entry(const struct pm_config *cfg, const char *name, int mode,
    char *file, int *fdp, off_t *size, char *why)
{
	enum pm_status status;
	struct stat st;
	int dirfd, reason;

	if (name[0] == '\0' || strchr(name, '/') != NULL ||
	    snprintf(file, FILE_MAX, PM_PREFIX "%s", name) >= FILE_MAX)
		return PM_UNKNOWN;
	if ((dirfd = open(cfg->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return sys_error(why, "cannot open directory", cfg->dir);
	status = open_lockfile(cfg, dirfd, file, mode, fdp, &st, &reason, why);
	close(dirfd);
	if (status == PM_UNTRUSTED)
		snprintf(why, PM_WHY_MAX, "lockfile of \"%.128s\" is not "
		    "trusted: %s", name, pm_distrust_text(reason));
	if (status == PM_OK)
		*size = st.st_size;
	return status;
}

enum pm_status
pm_get(const struct pm_config *cfg, const char *name, struct pm_proc *p,
    char *why)
{
	char file[FILE_MAX];
	enum pm_status status;
	off_t size;
	int fd;

	memset(p, 0, sizeof *p);
	status = open_entry(cfg, name, O_RDONLY, file, &fd, &size, why);
	if (status != PM_OK)
		return status;
	status = read_lockfile(fd, file, size, p, why);
	close(fd);
	return status;
}

static const char monitors[][9] = { "procmon1", "procmon2" };

/*
 * procmon's two monitors restart each other and every process: when both
 * have entries but neither is running, nothing will start anything.
 */
static void
procmon_from(const struct pm_proc *const found[2], struct pm_procmon *pm)
{
	size_t i;

	memset(pm, 0, sizeof *pm);
	for (i = 0; i < 2; i++) {
		if (found[i] == NULL)
			continue;
		if (pm_running(found[i])) {
			pm->state = PM_PROCMON_RUNNING;
			pm->monitors[i] = found[i]->head.pid;
		} else if (pm->state == PM_PROCMON_ABSENT)
			pm->state = PM_PROCMON_STOPPED;
	}
}

void
pm_procmon(const struct pm_config *cfg, struct pm_procmon *pm)
{
	char why[PM_WHY_MAX];
	struct pm_proc p[2];
	const struct pm_proc *found[2];
	size_t i;

	for (i = 0; i < 2; i++)
		found[i] = pm_get(cfg, monitors[i], &p[i], why) == PM_OK ?
		    &p[i] : NULL;
	procmon_from(found, pm);
	for (i = 0; i < 2; i++)
		pm_proc_free(&p[i]);
}

void
pm_procmon_listed(const struct pm_list *list, struct pm_procmon *pm)
{
	const struct pm_proc *found[2] = { pm_find(list, monitors[0]),
	    pm_find(list, monitors[1]) };

	procmon_from(found, pm);
}

/*
 * procmon's age format: 13s, 4m02s, 1h04m02s, 2d01h04m02s.  A start in
 * the future (a clock set back) is an age of 0; unsigned arithmetic keeps
 * any pair of times from overflowing.
 */
unsigned long long
pm_age(long long start, long long now)
{
	return now > start ? (unsigned long long)now -
	    (unsigned long long)start : 0;
}

void
pm_format_since(char *buf, size_t size, long long start, long long now)
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
    size_t offset, char *why)
{
	ssize_t n = pwrite(fd, value, size, (off_t)offset);

	if (n == (ssize_t)size)
		return PM_OK;
	if (n >= 0)
		errno = EIO;
	return sys_error(why, "cannot write", file);
}

/* Single fields, at procmon's offsets: never the whole header. */
#define WRITE_FIELD(fd, file, field, value, why) \
	write_field((fd), (file), &(value), sizeof(value), \
	    offsetof(struct lockdata, field), (why))

/*
 * Whether procmon may be starting the process under pid right now: its
 * child writes its pid into the header, then takes the lock, then runs
 * the program.  A child that runs another program already (its name is
 * not its parent's) is a process of another entry that was given this
 * pid after the one recorded ended: kept, it would look alive to procmon
 * for as long as it runs, and nothing would be started.
 */
static bool
procmon_child(pid_t pid, const struct pm_procmon *pm)
{
	struct proc_stat child, parent;

	return pid > 1 && proc_stat_read(pid, &child) == 0 &&
	    child.ppid > 1 && (child.ppid == pm->monitors[0] ||
	    child.ppid == pm->monitors[1]) &&
	    proc_stat_read(child.ppid, &parent) == 0 &&
	    strcmp(child.comm, parent.comm) == 0;
}

/*
 * A start clears terminate; procmon's monitor looks once a second and
 * forks the process, but only if the recorded pid is 0 or gone.  A pid the
 * kernel has given to a stranger, or a zombie not yet reaped, would keep
 * it from ever starting (and a dead pid may be given away before procmon
 * looks), so a pid that does not hold the lock is cleared first, and
 * procmon writes the new one; but never the pid of procmon's own child,
 * which is starting it and takes the lock in a moment.  A process running
 * with the flag set (procmon's child wrote it back over a stop) only has
 * the flag cleared.
 */
static enum pm_status
start(int fd, const char *file, const struct pm_proc *p,
    const struct pm_procmon *pm, struct pm_outcome *out, char *why)
{
	uint32_t terminate = 0;
	pid_t none = 0;
	enum pm_status status;

	if (p->head.terminate == 0)
		return PM_OK;		/* running, or being restarted */
	/* The lock is asked again after /proc: a child of procmon's that
	 * has run its program took the lock before it did. */
	if (!pm_running(p) && p->head.pid != 0 &&
	    !procmon_child(p->head.pid, pm) && !holds_lock(fd, p->head.pid)) {
		if ((status = WRITE_FIELD(fd, file, pid, none, why)) != PM_OK)
			return status;
		out->changed = true;
	}
	if ((status = WRITE_FIELD(fd, file, terminate, terminate, why)) ==
	    PM_OK)
		out->changed = true;
	return status;
}

/* As procmon -k: stop time, then the flag; the signal follows. */
static enum pm_status
stop(int fd, const char *file, const struct pm_proc *p,
    struct pm_outcome *out, char *why)
{
	uint32_t terminate = TERMINATE_STOP;
	time_t now = time(NULL);
	enum pm_status status;

	if (p->head.terminate == TERMINATE_STOP)
		return PM_OK;
	if ((status = WRITE_FIELD(fd, file, starttime, now, why)) != PM_OK)
		return status;
	out->changed = true;
	return WRITE_FIELD(fd, file, terminate, terminate, why);
}

bool
pm_header_problem(const struct pm_proc *p, char *buf, size_t size)
{
	if (p->head.fit == HEADER_FOREIGN)
		snprintf(buf, size, "its lockfile was written by a procmon "
		    "built %s, and this fcgi_proc is built %s: read so, never "
		    "written; build fcgi_proc with procmon's toolchain and "
		    "flags", p->head.layout, header_ours());
	else if (p->head.fit == HEADER_UNREADABLE)
		snprintf(buf, size, "its lockfile does not read as a procmon "
		    "header of any known layout: never written; build "
		    "fcgi_proc with procmon's toolchain and flags");
	return p->head.fit != HEADER_OURS;
}

/* Why nothing may be written to a header we cannot read with certainty. */
static enum pm_status
unwritable(const struct pm_proc *p, char *why)
{
	char problem[PM_WHY_MAX - 80];

	pm_header_problem(p, problem, sizeof problem);
	snprintf(why, PM_WHY_MAX, "\"%.64s\": %s", p->name, problem);
	return PM_UNWRITABLE;
}

/*
 * Sends sig to the deed's lock holder if it holds the lock itself, and
 * then to what it started; the family is found before the holder is
 * signalled, while its members are still the holder's children.
 */
static enum pm_status
signal_deed(const struct pm_config *cfg, struct pm_deed *d, const char *file,
    int sig)
{
	enum holder_verdict verdict;
	pid_t pid = d->holder.pid;

	if (!cfg->holder_only && holds_lock(d->holder.fd, pid))
		family_find(&d->family, pid);
	switch (verdict = holder_signal(&d->holder, sig, cfg->need_pidfd)) {
	case HOLDER_SIGNALLED:
		d->out.killed = pid;
		d->out.signal = sig;
		d->ending = sig == SIGTERM;
		break;
	case HOLDER_GONE:
		break;			/* it ended meanwhile */
	case HOLDER_STRANGER:
		snprintf(d->why, PM_WHY_MAX, "the lock of %.128s is held under "
		    "pid %ld by another process, which shares the files of one "
		    "that ended: nothing was signalled", file, (long)pid);
		return PM_NOT_HOLDER;
	case HOLDER_NO_PIDFD:
		snprintf(d->why, PM_WHY_MAX, "cannot signal pid %ld of %.64s "
		    "safely: running setuid or setgid, fcgi_proc signals only "
		    "through a pidfd, which this kernel lacks (Linux 5.3)",
		    (long)pid, file);
		return PM_SYSERR;
	case HOLDER_UNCHECKED:
		return sys_error(d->why, "cannot signal the lock holder of",
		    file);
	}
	if (verdict == HOLDER_SIGNALLED || d->ending)
		family_signal(&d->family, sig, cfg->need_pidfd);
	return PM_OK;
}

/*
 * Acts on procmon.<name>.  The lockfile is opened, then locked against
 * our other writers (flock(), which on Linux does not meet procmon's fcntl
 * lock), then read afresh, so two requests never decide from the same
 * old header.  stop and restart then signal the lock holder, if there is
 * one: SIGKILL, or SIGTERM if graceful (pm_finish() sends SIGKILL if it
 * still holds the lock).  procmon restarts what dies once its stop flag
 * is clear, so restart clears it first: a stopped process is started,
 * and a running one flagged stopped is killed too.
 */
enum pm_status
pm_begin(const struct pm_config *cfg, const struct pm_procmon *pm,
    const char *name, enum pm_action action, bool graceful, struct pm_deed *d)
{
	char file[FILE_MAX];
	enum pm_status status;
	struct pm_proc p = { 0 };
	off_t size;
	int fd;

	memset(d, 0, sizeof *d);
	d->name = name;
	d->holder.fd = d->holder.pidfd = -1;
	if ((status = open_entry(cfg, name, O_RDWR, file, &fd, &size,
	    d->why)) != PM_OK)
		return status;
	d->holder.fd = fd;
	if (flock(fd, LOCK_EX) == -1)
		status = sys_error(d->why, "cannot lock", file);
	else if ((status = read_lockfile(fd, file, size, &p, d->why)) == PM_OK) {
		d->out.was_running = pm_running(&p);
		d->holder.pid = p.head.pid;
		if (p.head.fit != HEADER_OURS)
			status = unwritable(&p, d->why);
		else if (p.head.terminate == TERMINATE_DELETE)
			status = PM_DELETING;
		else if (action == PM_STOP)
			status = stop(fd, file, &p, &d->out, d->why);
		else if (p.head.terminate != 0)
			status = start(fd, file, &p, pm, &d->out, d->why);
	}
	flock(fd, LOCK_UN);
	if (status == PM_OK && action != PM_START && d->out.was_running)
		status = signal_deed(cfg, d, file, graceful ? SIGTERM : SIGKILL);
	pm_proc_free(&p);
	if (status != PM_OK || !d->ending)
		pm_finish(cfg, d);
	return status;
}

/*
 * Up to grace seconds, while a process sent SIGTERM still holds its lock,
 * or one it started still lives.
 */
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
			    (holds_lock(deeds[i]->holder.fd,
			    deeds[i]->holder.pid) ||
			    family_alive(&deeds[i]->family));
		if (ending)
			nanosleep(&tick, NULL);
	}
}

/*
 * SIGKILL to a process sent SIGTERM that still holds its lock, and to
 * what it started that still lives; releases what was kept.
 */
enum pm_status
pm_finish(const struct pm_config *cfg, struct pm_deed *d)
{
	char file[FILE_MAX];
	enum pm_status status = PM_OK;

	if (d->ending) {
		snprintf(file, sizeof file, PM_PREFIX "%s", d->name);
		status = signal_deed(cfg, d, file, SIGKILL);
		d->ending = false;
	}
	holder_release(&d->holder);
	if (d->holder.fd != -1)
		close(d->holder.fd);
	d->holder.fd = -1;
	return status;
}

void
pm_deed_free(struct pm_deed *d)
{
	family_free(&d->family);
}
