/* SPDX-License-Identifier: MIT */
/*
 * What a list costs inside the process, as the supervised set grows: a
 * whole ?list request through the program's own serve(), its answer built
 * in memory and written where nothing reads it, timed over many rounds;
 * against the kernel's floor, the system calls an entry needs; what
 * unrelated files in the directory add, against a bare readdir() of the
 * same directory; and a directory flooded with 100,000 files planted by
 * another user, which every list pays for.
 *
 *   listcost          prints one line per case
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "serve.h"

static char dir[] = "/tmp/fcgi_proc-bench.XXXXXX";
static struct request req;
static struct answer ans;
static int out;			/* where the figures go */
static struct config cfg = { .pm = { dir, { 0 }, 0, false, false },
    .limit = 64 };

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
make_file(const char *name, bool lockfile, mode_t mode)
{
	struct lockdata ld;
	char path[sizeof dir + 64];
	int fd;

	memset(&ld, 0, sizeof ld);
	ld.pid = 1234;
	ld.runcount = 7;
	ld.starttime = 1700000000;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)) == -1 ||
	    fchmod(fd, mode) == -1 ||
	    (lockfile && (write(fd, &ld, sizeof ld) != (ssize_t)sizeof ld ||
	    write(fd, "sleep 3600", 10) != 10))) {
		perror(path);
		exit(1);
	}
	close(fd);
}

/* One ?list, as a CGI run or the responder serves it. */
static size_t
list_once(void)
{
	serve(&cfg, &req, &ans);
	if (ans.status != 200) {
		fprintf(stderr, "listcost: %.*s\n", (int)ans.body.len,
		    ans.body.data);
		exit(1);
	}
	return ans.body.len;
}

/* Microseconds per call of fn, over enough rounds to take ~0.3 s. */
static double
time_per_call(size_t (*fn)(void))
{
	double start = now(), elapsed;
	long rounds = 0;

	do {
		fn();
		rounds++;
	} while ((elapsed = now() - start) < 0.3);
	return elapsed / rounds * 1e6;
}

/*
 * The kernel's floor for one entry: the six system calls a trusted entry
 * needs (fstatat, open, fstat, pread, F_GETLK, close), nothing around.
 */
static size_t
syscalls_once(void)
{
	char path[sizeof dir + 32], buf[24 + 10];
	struct flock fl;
	struct stat st;
	int fd, i;

	for (i = 0; i < 10; i++) {
		snprintf(path, sizeof path, "%s/" PM_PREFIX "p%05d", dir, i);
		if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    (fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK)) == -1)
			exit(1);
		fl = (struct flock)HOLDER_LOCK;
		if (fstat(fd, &st) == -1 || pread(fd, buf, sizeof buf, 0) < 0 ||
		    fcntl(fd, F_GETLK, &fl) == -1)
			exit(1);
		close(fd);
	}
	return 10;
}

static size_t
readdir_once(void)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(dir);

	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] == 'p';
	closedir(d);
	return n;
}

int
main(void)
{
	static const int sizes[] = { 10, 100, 1000 };
	char name[sizeof dir + 64];
	double t, base, with_unrelated, bare;
	int i, k, have = 0;

	/* The answers go nowhere: what is timed is making them. */
	if ((out = dup(STDOUT_FILENO)) == -1 || mkdtemp(dir) == NULL ||
	    request_init(&req, cfg.limit, false, false) == -1 ||
	    setenv("QUERY_STRING", "list", 1) == -1 ||
	    setenv("REQUEST_METHOD", "GET", 1) == -1 ||
	    freopen("/dev/null", "w", stdout) == NULL)
		return 1;
	cfg.pm.trusted[cfg.pm.ntrusted++] = geteuid();
	for (k = 0; k < 3; k++) {
		for (; have < sizes[k]; have++) {
			snprintf(name, sizeof name, PM_PREFIX "p%05d", have);
			make_file(name, true, 0600);
		}
		t = time_per_call(list_once);
		dprintf(out, "list of %4d entries: %8.1f us, %5.2f us per "
		    "entry\n", sizes[k], t, t / sizes[k]);
	}
	/* Back to 10 entries, then 10,000 unrelated files beside them. */
	for (i = 10; i < 1000; i++) {
		snprintf(name, sizeof name, "%s/" PM_PREFIX "p%05d", dir, i);
		unlink(name);
	}
	base = time_per_call(list_once);
	dprintf(out, "the kernel's floor, 6 system calls per entry: %.2f "
	    "us per entry\n", time_per_call(syscalls_once) / 10);
	for (i = 0; i < 10000; i++) {
		snprintf(name, sizeof name, "unrelated%05d", i);
		make_file(name, false, 0600);
	}
	with_unrelated = time_per_call(list_once);
	bare = time_per_call(readdir_once);
	dprintf(out, "10 entries + 10,000 unrelated files: %.1f us (10 entries "
	    "alone: %.1f us): %.3f us per unrelated file; a bare readdir of "
	    "that directory: %.3f us per file\n", with_unrelated, base,
	    (with_unrelated - base) / 10000, bare / 10010);
	/* A flood of procmon.* files no one trusts (group-writable). */
	for (i = 0; i < 100000; i++) {
		snprintf(name, sizeof name, PM_PREFIX "planted%06d", i);
		make_file(name, false, 0620);
	}
	t = time_per_call(list_once);
	dprintf(out, "10 entries + 100,000 planted procmon.* files: %.1f "
	    "us per list\n", t);
	request_free(&req);
	buf_free(&ans.body);
	snprintf(name, sizeof name, "rm -rf %s", dir);
	return system(name) != 0;
}
