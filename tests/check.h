/*
 * The C tests' one check: prints "ok - ..." or "FAIL - ..." as the
 * shell suites do, and counts; main() ends with check_summary().
 */
#ifndef CHECK_H
#define CHECK_H

void	check(int ok, const char *, ...)
	    __attribute__((format(__printf__, 2, 3)));
void	skip(const char *, ...) __attribute__((format(__printf__, 1, 2)));

/* The closing line tests/run counts; the exit status. */
int	check_summary(void);

#endif
