/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>

#include "check.h"

static int passed, failed;

void
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

/* A check that cannot be made here, said as such: neither passed nor failed. */
void
skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# skip - ");
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
}

int
check_summary(void)
{
	printf("%d passed, %d failed\n", passed, failed);
	fflush(stdout);
	return failed != 0;
}
