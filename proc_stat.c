/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proc_stat.h"
#include "text.h"

/* The number at s, up to the first byte that is not a digit. */
static unsigned long long
number_at(const char *s)
{
	unsigned long long v = 0;

	parse_decimal(s, strspn(s, "0123456789"), &v);
	return v;
}

/*
 * /proc/PID/stat is one line: pid, (comm), then space-separated fields.
 * comm may hold spaces and parentheses, so fields are counted from the
 * last ')'.  Field 3 is the state, 4 ppid, 14 utime, 15 stime (clock ticks), 20
 * num_threads, 22 starttime (ticks after boot), 24 rss (pages).
 */
int
proc_stat_read(pid_t pid, struct proc_stat *st)
{
	unsigned long long utime = 0, stime = 0, rss = 0;
	long ticks = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	char path[32], buf[1024], *p, *comm;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if (pid <= 0 || ticks <= 0 || page <= 0 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = pread(fd, buf, sizeof buf - 1, 0);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if ((comm = strchr(buf, '(')) == NULL ||
	    (p = strrchr(buf, ')')) == NULL || p < comm)
		return -1;
	memset(st, 0, sizeof *st);
	comm++;
	memcpy(st->comm, comm, (size_t)(p - comm) < sizeof st->comm ?
	    (size_t)(p - comm) : sizeof st->comm - 1);
	/* After ')': field 3 (state) onwards, one space before each. */
	for (field = 3, p++; *p == ' ' && field <= 24; field++) {
		if (field == 3)
			st->state = p[1];
		else if (field == 4)
			st->ppid = (pid_t)number_at(p + 1);
		else if (field == 14)
			utime = number_at(p + 1);
		else if (field == 15)
			stime = number_at(p + 1);
		else if (field == 20)
			st->threads = (long)number_at(p + 1);
		else if (field == 22)
			st->start_ticks = number_at(p + 1);
		else if (field == 24)
			rss = number_at(p + 1);
		if ((p = strchr(p + 1, ' ')) == NULL)
			break;
	}
	if (field <= 24 || st->threads <= 0)
		return -1;		/* a line cut short: say nothing */
	st->rss_bytes = rss * (unsigned long long)page;
	st->cpu_centis = (utime + stime) * 100 / (unsigned long long)ticks;
	return 0;
}
