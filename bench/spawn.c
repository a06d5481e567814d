/* SPDX-License-Identifier: MIT */
/*
 * What one CGI run costs, as a web server pays it: fork, exec, the
 * program's answer to the end, and wait.  The programs are run in turn,
 * round after round, so that each round compares neighbours under the
 * same load; for each it prints the median microseconds per run, then
 * the median of the rounds' ratios of each program to the first.
 *
 *   spawn ROUNDS PROGRAM...     (the CGI environment is the caller's)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Microseconds for one run of prog, its output to /dev/null. */
static double
run(const char *prog)
{
	char *argv[] = { (char *)prog, NULL };
	double start = now_us();
	int status, fd;
	pid_t pid;

	if ((pid = fork()) == -1)
		exit(1);
	if (pid == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) == -1 ||
		    dup2(fd, STDOUT_FILENO) == -1)
			_exit(127);
		execve(prog, argv, environ);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "spawn: %s failed\n", prog);
		exit(1);
	}
	return now_us() - start;
}

static int
compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of v[0..n), which it sorts: give it a copy. */
static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, compare);
	return v[n / 2];
}

int
main(int argc, char *argv[])
{
	int rounds = argc > 2 ? atoi(argv[1]) : 0, n = argc - 2, r, i;
	double *t, *copy, *ratio;

	if (rounds < 1 || n < 1 ||
	    (t = calloc((size_t)(rounds * n), sizeof *t)) == NULL ||
	    (copy = calloc((size_t)rounds, sizeof *copy)) == NULL ||
	    (ratio = calloc((size_t)rounds, sizeof *ratio)) == NULL) {
		fprintf(stderr, "usage: spawn ROUNDS PROGRAM...\n");
		return 2;
	}
	for (i = 0; i < n; i++)		/* once each, to warm the caches */
		run(argv[i + 2]);
	for (r = 0; r < rounds; r++)
		for (i = 0; i < n; i++)
			t[i * rounds + r] = run(argv[i + 2]);
	for (i = 0; i < n; i++) {
		for (r = 0; r < rounds; r++) {
			copy[r] = t[i * rounds + r];
			ratio[r] = t[i * rounds + r] / t[r];
		}
		printf("%s %.1f %.2f\n", argv[i + 2], median(copy, rounds),
		    median(ratio, rounds));
	}
	return 0;
}
