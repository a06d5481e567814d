/*
 * libFuzzer harness: a whole request, as a web server hands it over.  The
 * input is split on newlines into REQUEST_METHOD, QUERY_STRING,
 * CONTENT_LENGTH, CONTENT_TYPE, HTTP_HOST, HTTP_ORIGIN,
 * HTTP_SEC_FETCH_SITE, HTTPS, REMOTE_USER and REMOTE_ADDR (a missing line
 * leaves the variable unset), the rest is the body on stdin; the first
 * byte picks the options.  It runs fcgi_proc's own steps, request, policy
 * and action, into an answer, against a directory of lockfiles that
 * nothing holds; the answer must be whole and name a status.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "actions.h"
#include "policy.h"
#include "request.h"
#include "respond.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char dir[] = "/tmp/fcgi_proc-fuzz.XXXXXX";
static struct request req;
static struct answer ans;

static void
make_lockfile(const char *name, uint32_t terminate)
{
	struct lockdata ld = { 0, terminate, 1, 0 };
	char path[sizeof dir + 32];
	int fd;

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

	actions_release();
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
	if (mkdtemp(dir) == NULL || request_init(&req, 256, true) == -1)
		abort();
	make_lockfile("sleep1", 0);
	make_lockfile("sleep2", PM_TERMINATE_STOP);
	make_lockfile("procmon1", 0);
	atexit(cleanup);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *vars[] = { "REQUEST_METHOD", "QUERY_STRING",
	    "CONTENT_LENGTH", "CONTENT_TYPE", "HTTP_HOST", "HTTP_ORIGIN",
	    "HTTP_SEC_FETCH_SITE", "HTTPS", "REMOTE_USER", "REMOTE_ADDR" };
	struct policy pol = { 0 };
	struct refusal refusal = { NULL, "" };
	char *copy, *line, *next;
	FILE *in;
	size_t i;
	int status;

	if (size == 0 || (copy = malloc(size)) == NULL)
		return 0;
	pol.read_only = data[0] & 1;
	pol.post_only = data[0] & 2;
	pol.admins = data[0] & 4 ? "alice,bob" : NULL;
	pol.get_anywhere = data[0] & 8;
	pol.hosts = data[0] & 16 ? "router.lan,*" : data[0] & 32 ? "*" : NULL;
	pol.protected = "procmon1,procmon2";
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
		answer_reset(&ans);
		if ((status = request_read(&req, &refusal)) == 0 &&
		    (status = policy_check(&pol, &req, &refusal)) == 0) {
			/* Waiting and grace are parsed, not slept through. */
			req.wait = req.wait > 0 ? 0 : req.wait;
			req.grace = req.grace > 0 ? 0 : req.grace;
			actions_run(&(struct site){ dir, &pol }, &req, &ans);
		} else
			answer_error(&ans, status, refusal.why);
		if (ans.status < 200 || ans.status > 599 || ans.body.failed ||
		    (status == 405) != (refusal.allow != NULL && status != 0))
			abort();
		stdin = saved;
		fclose(in);
	}
	free(copy);
	return 0;
}
