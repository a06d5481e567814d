/* SPDX-License-Identifier: MIT */
/*
 * pidfds (Linux 5.3) name a process, not a pid: a signal sent through one
 * can never reach a process that took the pid over since.
 */
#ifndef PIDFD_H
#define PIDFD_H

#include <sys/types.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

/*
 * The system call numbers are the same on every architecture but alpha,
 * ia64 and MIPS (whose C libraries do define them); a C library or kernel
 * headers older than them need not keep us from using them.
 */
#if defined(__linux__) && !defined(__alpha__) && !defined(__ia64__) && \
    !defined(__mips__)
#ifndef SYS_pidfd_open
#define SYS_pidfd_open		434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal	424
#endif
#endif

/* A pidfd for pid, or -1 with errno (ENOSYS where there are none). */
int	pidfd_of(pid_t pid);

/* 0, or -1 with errno (ESRCH: the process has ended). */
int	pidfd_kill(int pidfd, int sig);

#endif
