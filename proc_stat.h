/* SPDX-License-Identifier: MIT */
/*
 * What the kernel says of a process, from /proc/PID/stat (proc(5)): its
 * program's name, parent and start, and for a running one its memory, CPU
 * time, threads.
 */
#ifndef PROC_STAT_H
#define PROC_STAT_H

#include <sys/types.h>

struct proc_stat {
	char			comm[16];	/* its program's name, as the
						   kernel keeps it: cut to 15 */
	char			state;		/* R, S, Z (a zombie)... */
	pid_t			ppid;
	unsigned long long	start_ticks;	/* after boot, clock ticks */
	unsigned long long	rss_bytes;
	unsigned long long	cpu_centis;	/* user + system, 1/100 s */
	long			threads;
};

/* 0 with *st filled, or -1 if the process is gone or /proc says nothing. */
int	proc_stat_read(pid_t, struct proc_stat *st);

#endif
