/* SPDX-License-Identifier: MIT */
/*
 * Test tool: reads, writes and forges procmon lockfiles with procmon's own
 * struct, so the tests never hard-code the header's layout.
 *
 *   lockfile show FILE            pid terminate runcount starttime holder
 *   lockfile set FILE FIELD=N...  pwrite single fields, as procmon's tools
 *   lockfile make FILE PID TERMINATE RUNCOUNT STARTTIME EXEC
 *                                 create (mode 0600) a file as procmon would
 *   lockfile layout               the header as this machine lays it out
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../header.h"
#include "../../holder.h"

static long long
number(const char *s)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0')
		errx(2, "not a number: %s", s);
	return n;
}

static int
show(const char *file)
{
	struct flock fl = HOLDER_LOCK;
	struct lockdata ld;
	int fd;

	if ((fd = open(file, O_RDONLY)) == -1)
		err(1, "%s", file);
	if (pread(fd, &ld, sizeof ld, 0) != (ssize_t)sizeof ld)
		errx(1, "%s: short header", file);
	if (fcntl(fd, F_GETLK, &fl) == -1)
		err(1, "F_GETLK %s", file);
	printf("%ld %#x %zu %lld %ld\n", (long)ld.pid, ld.terminate,
	    ld.runcount, (long long)ld.starttime,
	    fl.l_type == F_UNLCK ? 0L : (long)fl.l_pid);
	return 0;
}

/* One field of ld, at its offset: never the whole header. */
#define PUT(fd, ld, field) pwrite((fd), &(ld).field, sizeof (ld).field, \
	    offsetof(struct lockdata, field))

static int
set(const char *file, char **fields)
{
	struct lockdata ld;
	int fd;

	if ((fd = open(file, O_RDWR)) == -1)
		err(1, "%s", file);
	for (; *fields != NULL; fields++) {
		const char *eq = strchr(*fields, '=');
		long long v;
		ssize_t n;

		if (eq == NULL)
			errx(2, "FIELD=N expected: %s", *fields);
		v = number(eq + 1);
		if (strncmp(*fields, "pid=", 4) == 0) {
			ld.pid = (pid_t)v;
			n = PUT(fd, ld, pid);
		} else if (strncmp(*fields, "terminate=", 10) == 0) {
			ld.terminate = (uint32_t)v;
			n = PUT(fd, ld, terminate);
		} else if (strncmp(*fields, "runcount=", 9) == 0) {
			ld.runcount = (size_t)v;
			n = PUT(fd, ld, runcount);
		} else if (strncmp(*fields, "starttime=", 10) == 0) {
			ld.starttime = (time_t)v;
			n = PUT(fd, ld, starttime);
		} else
			errx(2, "unknown field: %s", *fields);
		if (n <= 0)
			err(1, "pwrite %s", file);
	}
	return 0;
}

static int
make(char **argv)
{
	struct lockdata ld;
	size_t len = strlen(argv[5]);
	int fd;

	memset(&ld, 0, sizeof ld);	/* padding too, as procmon does */
	ld.pid = (pid_t)number(argv[1]);
	ld.terminate = (uint32_t)number(argv[2]);
	ld.runcount = (size_t)number(argv[3]);
	ld.starttime = (time_t)number(argv[4]);
	if ((fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		err(1, "%s", argv[0]);
	if (write(fd, &ld, sizeof ld) != (ssize_t)sizeof ld ||
	    write(fd, argv[5], len) != (ssize_t)len)
		err(1, "write %s", argv[0]);
	return close(fd) == 0 ? 0 : 1;
}

#define FIELD(f) offsetof(struct lockdata, f), sizeof(((struct lockdata *)0)->f)

/* "pid 0+4, terminate 4+4, runcount 8+8, starttime 16+8: 24 bytes, LE" */
static int
layout(void)
{
	const uint16_t one = 1;

	printf("pid %zu+%zu, terminate %zu+%zu, runcount %zu+%zu, "
	    "starttime %zu+%zu: %zu bytes, %s-endian\n", FIELD(pid),
	    FIELD(terminate), FIELD(runcount), FIELD(starttime),
	    sizeof(struct lockdata),
	    *(const unsigned char *)&one == 1 ? "little" : "big");
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "layout") == 0)
		return layout();
	if (argc == 3 && strcmp(argv[1], "show") == 0)
		return show(argv[2]);
	if (argc >= 4 && strcmp(argv[1], "set") == 0)
		return set(argv[2], argv + 3);
	if (argc == 8 && strcmp(argv[1], "make") == 0)
		return make(argv + 2);
	fprintf(stderr, "usage: lockfile show FILE | set FILE FIELD=N... | "
	    "make FILE PID TERMINATE RUNCOUNT STARTTIME EXEC | layout\n");
	return 2;
}
