/* SPDX-License-Identifier: MIT */
/*
 * The process that holds a lockfile's lock, and signalling exactly that
 * process: never a stranger that inherited its pid, nor one that merely
 * shares a table of open files with a holder that has died.
 */
#ifndef HOLDER_H
#define HOLDER_H

#include <fcntl.h>
#include <stdbool.h>
#include <sys/types.h>

/*
 * The lock a supervised process holds on its lockfile, as procmon takes
 * it in the child before exec: a write lock on byte 0, for fcntl().
 */
#define HOLDER_LOCK	{ .l_type = F_WRLCK, .l_whence = SEEK_SET, \
			  .l_start = 0, .l_len = 1 }

/* A lock holder about to be, or already, signalled. */
struct holder {
	int	fd;		/* its lockfile */
	pid_t	pid;
	int	pidfd;		/* the process itself, once named; or -1 */
};

/*
 * Sets *pid to who holds the write lock on fd's byte 0: 0 if nobody, -1
 * if a lock no process can be named for (F_OFD_SETLK).  Returns 0 or -1.
 */
int	lock_holder(int fd, pid_t *pid);
bool	holds_lock(int fd, pid_t pid);

enum holder_verdict {
	HOLDER_SIGNALLED,	/* it holds the lock itself: sent */
	HOLDER_GONE,		/* the lock is free or another's: it ended */
	HOLDER_STRANGER,	/* the lock is held under its pid by another
				   process, which shared the table of open
				   files of one that ended: nothing sent */
	HOLDER_NO_PIDFD,	/* a pidfd was required and there is none */
	HOLDER_UNCHECKED	/* the check failed, errno says why */
};

/*
 * Sends sig to h->pid if, and only if, that process holds the lock itself
 * right now.  With need_pidfd (when a caller could stop us between the
 * check and the signal: a setuid run), only through a pidfd.  Keeps
 * h->pidfd for a later signal to the same process; holder_release()
 * closes it.
 */
enum holder_verdict holder_signal(struct holder *h, int sig,
		    bool need_pidfd);
void	holder_release(struct holder *h);

#endif
