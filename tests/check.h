/*
 * The C tests' one check: prints "ok - ..." or "FAIL - ..." as the
 * shell suites do, and counts; main() ends with check_summary().
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdarg.h>
#include <stdio.h>

static int passed, failed;

static void	check(int, const char *, ...)
		    __attribute__((format(__printf__, 2, 3)));

static void
check(int ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("%s - ", ok ? "ok" : "FAIL");
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	if (ok)
		passed++;
	else
		failed++;
}

/* The closing line tests/run counts; the exit status. */
static int
check_summary(void)
{
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}

#endif
