/*
 * What the kernel says of a running process, from /proc/PID/stat
 * (proc(5)): resident memory, CPU time, threads.
 */
#ifndef PROC_STAT_H
#define PROC_STAT_H

#include <sys/types.h>

struct proc_stat {
	unsigned long long	rss_bytes;
	unsigned long long	cpu_centis;	/* user + system, 1/100 s */
	long			threads;
};

/* 0 with *st filled, or -1 if the process is gone or /proc says nothing. */
int	proc_stat_read(pid_t, struct proc_stat *st);

#endif
