/*
 * From its second refresh on, a kept list watches its directory with
 * inotify.  While the watch tells of no change that could matter, the
 * entries are as last listed, and a refresh only reads each entry's file
 * again (a lock changes hands without a write, and a write through a
 * shared mapping raises no event).  What could matter: a procmon.* name
 * that is listed, or that names a file we would trust, or a lost event; a
 * planted file's events cost one look at it, and repeated ones are merged
 * by the kernel.
 * Anything else is a full read of the directory, as is every refresh
 * while a file of ours is left out for a second link: that link may be
 * removed elsewhere, without an event here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif
#include <unistd.h>

#include "refresh.h"

#define PREFIX_LEN	(sizeof(PM_PREFIX) - 1)
#define WATCH_EVENTS	(IN_ATTRIB | IN_CREATE | IN_DELETE | IN_MODIFY | \
			    IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | \
			    IN_MOVE_SELF | IN_ONLYDIR)

static void
stop_watch(struct pm_kept *k)
{
	if (k->watching)
		close(k->watch);
	k->watching = false;
}

/*
 * A watch follows a directory, not its path: once a parent is renamed, a
 * file system mounted over it or a symlink on the way retargeted, the
 * path lists another directory, of which the watch says nothing.  So the
 * directory the path named when the watch began is remembered, and the
 * watch believed only while the path still names it.
 */
static bool
still_watched(struct pm_kept *k)
{
	struct stat st;

	if (stat(k->dir, &st) == 0 && st.st_dev == k->dev &&
	    st.st_ino == k->ino)
		return true;
	stop_watch(k);
	return false;
}

/* Whether an event about file could change the list. */
static bool
matters(const struct pm_kept *k, int *dirfd, const char *file)
{
	if (strncmp(file, PM_PREFIX, PREFIX_LEN) != 0)
		return false;
	if (pm_find(&k->list, file + PREFIX_LEN) != NULL)
		return true;
	if (*dirfd == -1 && (*dirfd = open(k->dir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return true;
	return pm_trusted_at(*dirfd, file);
}

#ifdef __linux__
/*
 * The watch is added through /proc/self/fd, so that it is on the very
 * directory whose identity is kept, whatever the path names meanwhile.
 * Without /proc or inotify, or past inotify's limits, there is no watch:
 * every refresh is a full read.
 */
static void
start_watch(struct pm_kept *k)
{
	char path[32];
	struct stat st;
	int dirfd, fd = -1;

	if ((dirfd = open(k->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	snprintf(path, sizeof path, "/proc/self/fd/%d", dirfd);
	if (fstat(dirfd, &st) == 0 &&
	    (fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) != -1 &&
	    inotify_add_watch(fd, path, WATCH_EVENTS) != -1) {
		k->watch = fd;
		k->watching = true;
		k->dev = st.st_dev;
		k->ino = st.st_ino;
	} else if (fd != -1)
		close(fd);
	close(dirfd);
}

/*
 * Empties the watch; true if it told of anything that could change the
 * list.  A directory removed or moved ends the watch (the path may name
 * another directory now); a lost event is a change.
 */
static bool
dir_changed(struct pm_kept *k)
{
	union {
		struct inotify_event	ev;
		char			bytes[4096];
	} buf;
	const struct inotify_event *ev;
	bool changed = false, ended = false;
	int dirfd = -1;
	ssize_t n;
	size_t at;

	while ((n = read(k->watch, &buf, sizeof buf)) > 0)
		for (at = 0; at < (size_t)n;) {
			ev = (const struct inotify_event *)(buf.bytes + at);
			if (ev->mask & (IN_IGNORED | IN_MOVE_SELF))
				ended = true;
			if ((ev->mask & (IN_Q_OVERFLOW | IN_DELETE_SELF)) ||
			    (!changed && ev->len > 0 &&
			    matters(k, &dirfd, ev->name)))
				changed = true;
			at += sizeof *ev + ev->len;
		}
	if (n == -1 && errno != EAGAIN)
		ended = true;
	if (dirfd != -1)
		close(dirfd);
	if (ended)
		stop_watch(k);
	return changed || ended;
}
#else
static void
start_watch(struct pm_kept *k)
{
	(void)k;			/* no inotify: every refresh reads */
}

static bool
dir_changed(struct pm_kept *k)
{
	(void)k;
	return true;
}
#endif

/* Each entry read again; false if one could not be. */
static bool
reread_entries(struct pm_kept *k)
{
	int dirfd;
	size_t i;

	if ((dirfd = open(k->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return false;
	for (i = 0; i < k->list.count; i++)
		if (pm_reread_at(dirfd, &k->list.procs[i]) == -1)
			break;
	close(dirfd);
	return i == k->list.count;
}

enum pm_status
pm_refresh(const char *dir, struct pm_kept *k)
{
	enum pm_status status;

	if (k->dir == NULL || strcmp(k->dir, dir) != 0) {
		pm_kept_free(k);
		k->dir = dir;
	} else if (k->watching && still_watched(k) && !dir_changed(k) &&
	    k->list.linked == 0 && reread_entries(k))
		return PM_OK;
	/* Refreshed before: the caller lists again and again. */
	if (!k->watching && k->listed)
		start_watch(k);
	k->listed = true;
	k->reads++;
	pm_list_free(&k->list);
	/* The watch vouches for a read that succeeded, not a failed one. */
	if ((status = pm_list(dir, &k->list)) != PM_OK)
		stop_watch(k);
	return status;
}

void
pm_kept_free(struct pm_kept *k)
{
	pm_list_free(&k->list);
	stop_watch(k);
	memset(k, 0, sizeof *k);
}
