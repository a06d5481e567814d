/* SPDX-License-Identifier: MIT */
/*
 * The harnesses' clock: a wait or a grace passes at once, in a time of
 * their own, so that the code that waits is fuzzed without sleeping.
 * Linked with --wrap=nanosleep --wrap=clock_gettime.
 */
#include <time.h>

int	__real_clock_gettime(clockid_t, struct timespec *);
int	__wrap_clock_gettime(clockid_t, struct timespec *);
int	__wrap_nanosleep(const struct timespec *, struct timespec *);

static struct timespec now;

int
__wrap_clock_gettime(clockid_t clock, struct timespec *ts)
{
	if (clock != CLOCK_MONOTONIC)
		return __real_clock_gettime(clock, ts);
	*ts = now;
	return 0;
}

int
__wrap_nanosleep(const struct timespec *d, struct timespec *rem)
{
	(void)rem;
	now.tv_sec += d->tv_sec;
	if ((now.tv_nsec += d->tv_nsec) >= 1000000000L) {
		now.tv_sec++;
		now.tv_nsec -= 1000000000L;
	}
	return 0;
}
