/*
 * The process that holds a lockfile's lock, and signalling exactly that
 * process: never a stranger that inherited its pid, nor one that merely
 * shares a table of open files with a holder that has died.
 */
#ifndef HOLDER_H
#define HOLDER_H

#include <stdbool.h>
#include <sys/types.h>

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

/*
 * Sends sig to h->pid if, and only if, that process holds the lock itself
 * right now.  Returns 1 if sent; 0 if not, the lock being free or
 * another's (the process ended); 2 if not, the lock being held under
 * h->pid by another process (one that shared its table of open files);
 * -1 on error, errno saying why.  Keeps h->pidfd for a later signal to
 * the same process; holder_release() closes it.
 */
int	signal_holder(struct holder *h, int sig);
void	holder_release(struct holder *h);

#endif
