/* SPDX-License-Identifier: MIT */
/*
 * A request through serve(), as the program's loop runs it: an answer
 * that runs out of memory says so, whole.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "serve.h"
#include "unit.h"

void	*__real_realloc(void *, size_t);
void	*__wrap_realloc(void *, size_t);

static bool fail_realloc;

void *
__wrap_realloc(void *p, size_t n)
{
	if (fail_realloc)
		return NULL;
	return __real_realloc(p, n);
}

/* serve(), its answer written where no test output goes. */
static void
serve_quietly(const struct config *cfg, struct request *req,
    struct answer *ans)
{
	int out = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY);

	fflush(stdout);
	if (out == -1 || null == -1 || dup2(null, STDOUT_FILENO) == -1)
		exit(1);
	serve(cfg, req, ans);
	fflush(stdout);
	if (dup2(out, STDOUT_FILENO) == -1)
		exit(1);
	close(out);
	close(null);
}

void
test_out_of_memory(void)
{
	static const char *routes[] = { "list", "metrics", "status=held",
	    "procmon" };
	struct config cfg = { .pm = unit_pm, .limit = 64 };
	struct answer ans = { 0 };
	struct request req;
	size_t i;

	write_lockfile("held", 0, 0, 1, time(NULL), "x", 1, 0600);
	if (request_init(&req, cfg.limit, false, false) == -1)
		exit(1);
	setenv("REQUEST_METHOD", "GET", 1);
	for (i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		setenv("QUERY_STRING", routes[i], 1);
		buf_free(&ans.body);
		fail_realloc = true;
		serve_quietly(&cfg, &req, &ans);
		fail_realloc = false;
		check(ans.status == 500 && strstr(ans.why, "out of memory") !=
		    NULL, "?%s with no memory for the answer: 500, \"%s\"",
		    routes[i], ans.why);
	}
	unsetenv("QUERY_STRING");
	unsetenv("REQUEST_METHOD");
	buf_free(&ans.body);
	request_free(&req);
}
