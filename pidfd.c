/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "pidfd.h"

int
pidfd_of(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, (long)pid, 0L);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

int
pidfd_kill(int pidfd, int sig)
{
#ifdef SYS_pidfd_send_signal
	return (int)syscall(SYS_pidfd_send_signal, (long)pidfd, (long)sig,
	    (long)NULL, 0L);
#else
	(void)pidfd;
	(void)sig;
	errno = ENOSYS;
	return -1;
#endif
}
