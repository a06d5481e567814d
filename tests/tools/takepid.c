/* SPDX-License-Identifier: MIT */
/*
 * Test tool: gives a chosen pid to a process that is none of procmon's
 * business, as the kernel does when it recycles the pid of a process that
 * has ended.  clone3's set_tid picks the pid; it needs root.
 *
 *   takepid PID      a stranger: the child PID sleeps
 *   takepid -z PID   a zombie: the child PID exits at once, unreaped
 *
 * Prints "ready" once the child has the pid, then waits; SIGTERM or
 * SIGINT ends the child, reaps it and exits.  Exits 3 where the pid
 * cannot be had (set_tid not allowed, or the pid in use).
 */
#define _GNU_SOURCE	/* clone3: a Linux test tool */

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3	435
#endif

/* The first members of the kernel's struct clone_args (version 1). */
struct clone_args_v1 {
	uint64_t	flags, pidfd, child_tid, parent_tid, exit_signal,
			stack, stack_size, tls, set_tid, set_tid_size;
};

int
main(int argc, char *argv[])
{
	struct clone_args_v1 args = { .exit_signal = SIGCHLD };
	int zombie = argc == 3 && strcmp(argv[1], "-z") == 0, sig;
	sigset_t quit;
	pid_t pid, child;
	char *end;
	long n;

	if (argc != 2 + zombie)
		errx(2, "usage: takepid [-z] PID");
	n = strtol(argv[argc - 1], &end, 10);
	if (*end != '\0' || n < 2 || n > 4194304)
		errx(2, "not a pid: %s", argv[argc - 1]);
	pid = (pid_t)n;
	sigemptyset(&quit);
	sigaddset(&quit, SIGTERM);
	sigaddset(&quit, SIGINT);
	sigprocmask(SIG_BLOCK, &quit, NULL);
	args.set_tid = (uintptr_t)&pid;
	args.set_tid_size = 1;
	child = (pid_t)syscall(SYS_clone3, &args, sizeof args);
	if (child == 0) {
		if (zombie)
			_exit(0);
		for (;;)
			pause();
	}
	if (child == -1) {
		warn("clone3 with set_tid %ld", (long)pid);
		return 3;
	}
	printf("ready\n");
	fflush(stdout);
	sigwait(&quit, &sig);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return 0;
}
