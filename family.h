/* SPDX-License-Identifier: MIT */
/*
 * What a supervised process started: its descendants, found through /proc
 * by their parents, and signalled as carefully as the lock holder itself.
 * procmon's child calls setsid(), so a stop that ends only the lock
 * holder leaves behind whatever it started (sh -c 'a & exec b').
 */
#ifndef FAMILY_H
#define FAMILY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A process as first seen: a pid and when it started, which the kernel
 * never gives to another process at once. */
struct kin {
	pid_t			 pid;
	unsigned long long	 start_ticks;
	int			 signal;	/* the last one sent, or 0 */
};

struct family {
	struct kin	*members;
	size_t		 count;
	size_t		 alloc;
};

/*
 * Adds to f every living descendant of root and of f's members, neither
 * pid 1 nor this process.  0, or -1 with errno (no /proc, no memory).
 */
int	family_find(struct family *f, pid_t root);

/*
 * Sends sig to each member that is still the process first seen (the
 * same pid and start, checked through a pidfd where there are pidfds;
 * with need_pidfd, only then).  Returns how many were signalled.
 */
size_t	family_signal(struct family *f, int sig, bool need_pidfd);

/* True if a member is still the process first seen, and not a zombie. */
bool	family_alive(const struct family *f);

void	family_free(struct family *f);

#endif
