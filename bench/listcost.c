/*
 * What a list costs inside the process, as the supervised set grows:
 * fcgi_proc's own ?list, its answer built whole in memory, timed over
 * many rounds, both read afresh (as every CGI run reads it) and refreshed
 * with nothing changed between (as the persistent responder does); what
 * unrelated files in the directory add to a list read afresh, against a
 * bare readdir() of the same directory; and a directory flooded with
 * 100,000 files planted by another user, one of them touched before
 * every list, which a list read afresh pays for in full.
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

#include "actions.h"
#include "request.h"
#include "respond.h"

static char dir[] = "/tmp/fcgi_proc-bench.XXXXXX";
static struct request req;
static struct answer ans;
static const char *touched;	/* a file touched before every list */
static const struct policy policy = { .protected = "procmon1,procmon2" };
static const struct site site = { dir, &policy };

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
	struct lockdata ld = { 1234, 0, 7, 1700000000 };
	char path[sizeof dir + 64];
	int fd;

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

/* The persistent responder's ?list: its kept list refreshed. */
static size_t
refresh_once(void)
{
	if (touched != NULL && utimensat(AT_FDCWD, touched, NULL, 0) == -1)
		exit(1);
	answer_reset(&ans);
	actions_run(&site, &req, &ans);
	if (ans.status != 200) {
		fprintf(stderr, "listcost: %.*s\n", (int)ans.body.len,
		    ans.body.data);
		exit(1);
	}
	return ans.body.len;
}

/* A CGI run's ?list: nothing kept from the one before. */
static size_t
list_once(void)
{
	actions_release();
	return refresh_once();
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
	char path[sizeof dir + 32], buf[4096 + sizeof(struct lockdata)];
	struct flock fl;
	struct stat st;
	int fd, i;

	for (i = 0; i < 10; i++) {
		snprintf(path, sizeof path, "%s/" PM_PREFIX "p%05d", dir, i);
		if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    (fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK)) == -1)
			exit(1);
		fl = (struct flock)PM_LOCK_BYTE0;
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
	double t, r, base, with_unrelated, bare;
	struct refusal refusal;
	int i, k, have = 0;

	if (mkdtemp(dir) == NULL || request_init(&req, 64, false) == -1 ||
	    setenv("QUERY_STRING", "list", 1) == -1 ||
	    request_read(&req, &refusal) != 0)
		return 1;
	for (k = 0; k < 3; k++) {
		for (; have < sizes[k]; have++) {
			snprintf(name, sizeof name, PM_PREFIX "p%05d", have);
			make_file(name, true, 0600);
		}
		t = time_per_call(list_once);
		refresh_once();		/* the second refresh starts the watch */
		r = time_per_call(refresh_once);
		printf("list of %4d entries: read afresh %8.1f us, %5.2f us per "
		    "entry; refreshed %8.1f us, %5.2f us per entry\n", sizes[k],
		    t, t / sizes[k], r, r / sizes[k]);
	}
	/* Back to 10 entries, then 10,000 unrelated files beside them. */
	for (i = 10; i < 1000; i++) {
		snprintf(name, sizeof name, "%s/" PM_PREFIX "p%05d", dir, i);
		unlink(name);
	}
	base = time_per_call(list_once);
	printf("the kernel's floor, 6 system calls per entry: %.2f us per "
	    "entry\n", time_per_call(syscalls_once) / 10);
	for (i = 0; i < 10000; i++) {
		snprintf(name, sizeof name, "unrelated%05d", i);
		make_file(name, false, 0600);
	}
	with_unrelated = time_per_call(list_once);
	bare = time_per_call(readdir_once);
	printf("10 entries + 10,000 unrelated files: %.1f us (10 entries "
	    "alone: %.1f us): %.3f us per unrelated file; a bare readdir of "
	    "that directory: %.3f us per file\n", with_unrelated, base,
	    (with_unrelated - base) / 10000, bare / 10010);
	/* A flood of procmon.* files no one trusts (group-writable). */
	for (i = 0; i < 100000; i++) {
		snprintf(name, sizeof name, PM_PREFIX "planted%06d", i);
		make_file(name, false, 0620);
	}
	snprintf(name, sizeof name, "%s/" PM_PREFIX "planted000000", dir);
	touched = name;
	t = time_per_call(list_once);
	refresh_once();
	r = time_per_call(refresh_once);
	printf("10 entries + 100,000 planted procmon.* files, one touched "
	    "before each list: read afresh %.1f us, refreshed %.1f us\n", t, r);
	actions_release();
	request_free(&req);
	buf_free(&ans.body);
	snprintf(name, sizeof name, "rm -rf %s", dir);
	return system(name) != 0;
}
