#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc_stat.h"

/*
 * A persistent responder asks about the same processes again and again:
 * their /proc/PID/stat stays open, and is read again with pread.  A
 * descriptor names the process it was opened for, not its pid: once that
 * process is gone, reads fail, and the pid's next process gets a new one.
 */
#define KEEP_MAX	64

static struct {
	pid_t	pid;
	int	fd;
} kept[KEEP_MAX];
static size_t nkept, next_out;

/* Reads /proc/PID/stat into buf, through a kept descriptor if it can. */
static ssize_t
read_stat(pid_t pid, char *buf, size_t size)
{
	char path[32];
	ssize_t n;
	size_t i;
	int fd;

	for (i = 0; i < nkept; i++)
		if (kept[i].pid == pid) {
			if ((n = pread(kept[i].fd, buf, size, 0)) > 0)
				return n;
			close(kept[i].fd);
			kept[i] = kept[--nkept];
			break;
		}
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if ((n = pread(fd, buf, size, 0)) <= 0) {
		close(fd);
		return -1;
	}
	if (nkept == KEEP_MAX) {	/* full: give up the oldest slot */
		next_out %= KEEP_MAX;
		close(kept[next_out].fd);
		kept[next_out].pid = pid;
		kept[next_out++].fd = fd;
	} else {
		kept[nkept].pid = pid;
		kept[nkept++].fd = fd;
	}
	return n;
}

void
proc_stat_release(void)
{
	while (nkept > 0)
		close(kept[--nkept].fd);
}

/* The decimal digits at s, as a number, at most ULLONG_MAX. */
static unsigned long long
decimal(const char *s)
{
	unsigned long long v = 0;

	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (ULLONG_MAX - (unsigned)(*s - '0')) / 10)
			return ULLONG_MAX;
		v = v * 10 + (unsigned)(*s - '0');
	}
	return v;
}

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
	char buf[1024], *p;
	long ticks = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	int field;
	ssize_t n;

	if (pid <= 0 || ticks <= 0 || page <= 0 ||
	    (n = read_stat(pid, buf, sizeof buf - 1)) <= 0)
		return -1;
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	st->threads = 0;
	/* After ')': field 3 (state) onwards, one space before each. */
	for (field = 3, p++; *p == ' ' && field <= 24; field++) {
		if (field == 14)
			utime = decimal(p + 1);
		else if (field == 15)
			stime = decimal(p + 1);
		else if (field == 20)
			st->threads = (long)decimal(p + 1);
		else if (field == 24)
			rss = decimal(p + 1);
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
