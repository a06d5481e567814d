/*
 * libFuzzer harness: a whole request, as a web server hands it over.  The
 * input is split on newlines into REQUEST_METHOD, QUERY_STRING,
 * CONTENT_LENGTH, CONTENT_TYPE, HTTP_ORIGIN, HTTP_SEC_FETCH_SITE and
 * REMOTE_USER (a missing line leaves the variable unset), the rest is the
 * body on stdin; the first byte picks the modes.  It runs fcgi_proc's own
 * request path against a directory of lockfiles that nothing holds.
 */
#define main fcgi_proc_main
int	main(int, char **);
#include "../../fcgi_proc.c"
#undef main

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char dir[] = "/tmp/fcgi_proc-fuzz.XXXXXX";
static struct config cfg;

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

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (mkdtemp(dir) == NULL || freopen("/dev/null", "w", stdout) == NULL)
		abort();
	make_lockfile("sleep1", 0);
	make_lockfile("sleep2", PM_TERMINATE_STOP);
	make_lockfile("procmon1", 0);
	atexit(cleanup);
	cfg.dir = dir;
	cfg.limit = 256;
	cfg.protected = PROTECTED_DEFAULT;
	if ((cfg.query = malloc(cfg.limit + 1)) == NULL ||
	    (cfg.body = malloc(cfg.limit + 1)) == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *vars[] = { "REQUEST_METHOD", "QUERY_STRING",
	    "CONTENT_LENGTH", "CONTENT_TYPE", "HTTP_ORIGIN",
	    "HTTP_SEC_FETCH_SITE", "REMOTE_USER" };
	struct request req = { 0 };
	char *copy, *line, *next;
	FILE *in;
	size_t i;

	if (size == 0 || (copy = malloc(size)) == NULL)
		return 0;
	cfg.read_only = data[0] & 1;
	cfg.post_only = data[0] & 2;
	cfg.admins = data[0] & 4 ? "alice,bob" : NULL;
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
		/* Waiting and grace are parsed, but not slept through. */
		if (read_request(&cfg, &req) == 0) {
			req.wait = req.wait > 0 ? 0 : req.wait;
			req.grace = req.grace > 0 ? 0 : req.grace;
			req.route->run(&cfg, &req);
		}
		stdin = saved;
		fclose(in);
	}
	free(copy);
	return 0;
}
