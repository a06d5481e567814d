/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness: a whole request, as a web server hands it over, to
 * the program's own serve().  The input is split on newlines into
 * REQUEST_METHOD, QUERY_STRING, CONTENT_LENGTH, CONTENT_TYPE, HTTP_HOST,
 * HTTP_ORIGIN, HTTP_SEC_FETCH_SITE, HTTP_ACCEPT, HTTPS, REMOTE_USER and
 * REMOTE_ADDR (a missing line leaves the variable unset), the rest is the
 * body on stdin; the first byte picks the options.  The lockfiles are
 * ones that nothing holds, and waits pass in a time of their own
 * (clock.c).  The answer must be whole, name a status, and carry Allow
 * exactly when it is a 405.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "serve.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char dir[] = "/tmp/fcgi_proc-fuzz.XXXXXX";
static struct request req;
static struct answer ans;

static void
make_lockfile(const char *name, uint32_t terminate)
{
	struct lockdata ld;
	char path[sizeof dir + 32];
	int fd;

	memset(&ld, 0, sizeof ld);	/* padding too, as procmon does */
	ld.terminate = terminate;
	ld.runcount = 1;
	ld.starttime = 1796400000;
	snprintf(path, sizeof path, "%s/" PM_PREFIX "%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    write(fd, &ld, sizeof ld) != (ssize_t)sizeof ld ||
	    write(fd, "sleep 1", 7) != 7)
		abort();
	close(fd);
}

static void
cleanup(void)
{
	char cmd[sizeof dir + 16];

	request_free(&req);
	buf_free(&ans.body);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* The answers go nowhere; the harness judges the answer struct. */
	if (mkdtemp(dir) == NULL || request_init(&req, 256, false, true) == -1 ||
	    freopen("/dev/null", "w", stdout) == NULL)
		abort();
	make_lockfile("sleep1", 0);
	make_lockfile("sleep2", TERMINATE_STOP);
	make_lockfile("procmon1", 0);
	atexit(cleanup);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *vars[] = { "REQUEST_METHOD", "QUERY_STRING",
	    "CONTENT_LENGTH", "CONTENT_TYPE", "HTTP_HOST", "HTTP_ORIGIN",
	    "HTTP_SEC_FETCH_SITE", "HTTP_ACCEPT", "HTTPS", "REMOTE_USER",
	    "REMOTE_ADDR" };
	struct config cfg = { .pm = { dir, { 0 }, 0, false, false },
	    .limit = 256 };
	char *copy, *line, *next;
	FILE *in;
	size_t i;

	if (size == 0 || (copy = malloc(size)) == NULL)
		return 0;
	cfg.pm.trusted[cfg.pm.ntrusted++] = geteuid();
	cfg.policy.read_only = data[0] & 1;
	cfg.policy.post_only = data[0] & 2;
	cfg.policy.admins = data[0] & 4 ? "alice,bob" : NULL;
	cfg.policy.get_anywhere = data[0] & 8;
	cfg.policy.hosts = data[0] & 16 ? "router.lan,*" : data[0] & 32 ?
	    "*" : NULL;
	cfg.pm.holder_only = data[0] & 64;
	cfg.body_only = data[0] & 128;
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0';		/* the environment holds strings */
	line = copy;
	for (i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		if (line == NULL || (next = strchr(line, '\n')) == NULL) {
			unsetenv(vars[i]);
			line = NULL;
			continue;
		}
		*next = '\0';
		setenv(vars[i], line, 1);
		line = next + 1;
	}
	in = fmemopen(line != NULL ? line : (char *)"", line != NULL ?
	    strlen(line) : 0, "r");
	if (in != NULL) {
		FILE *saved = stdin;

		stdin = in;
		serve(&cfg, &req, &ans);
		if (ans.status < 200 || ans.status > 599 || ans.body.failed ||
		    (ans.status == 405) != (ans.allow != NULL))
			abort();
		stdin = saved;
		fclose(in);
	}
	free(copy);
	return 0;
}
