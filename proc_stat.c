#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc_stat.h"

/*
 * /proc/PID/stat is one line: pid, (comm), then space-separated fields.
 * comm may hold spaces and parentheses, so fields are counted from the
 * last ')'.  Field 14 is utime, 15 stime (clock ticks), 20 num_threads,
 * 24 rss (pages).
 */
int
proc_stat_read(pid_t pid, struct proc_stat *st)
{
	unsigned long long utime = 0, stime = 0, rss = 0;
	char path[32], buf[1024], *p, *end;
	long ticks = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	int fd, field;
	ssize_t n;

	if (pid <= 0 || ticks <= 0 || page <= 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	st->threads = 0;
	/* After ')': field 3 (state) onwards, one space before each. */
	for (field = 3, p++; *p == ' ' && field <= 24; field++) {
		unsigned long long v = strtoull(p + 1, &end, 10);

		if (field == 14)
			utime = v;
		else if (field == 15)
			stime = v;
		else if (field == 20)
			st->threads = (long)v;
		else if (field == 24)
			rss = v;
		p = strchr(p + 1, ' ');
		if (p == NULL)
			break;
	}
	if (field <= 24 || st->threads <= 0)
		return -1;		/* a line cut short: say nothing */
	st->rss_bytes = rss * (unsigned long long)page;
	st->cpu_centis = (utime + stime) * 100 / (unsigned long long)ticks;
	return 0;
}
