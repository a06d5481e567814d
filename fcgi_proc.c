/*
 * fcgi_proc: list, start, stop and restart the processes procmon
 * supervises, from a web server.  One binary serves CGI (RFC 3875) and,
 * built with libfcgi, persistent FastCGI; from a shell it answers one
 * request described by the usual CGI environment variables.
 *
 * Every request is read and validated whole before anything is touched,
 * and answered with exactly one status and one JSON body.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/auxv.h>
#endif

#include "procmon_client.h"
#include "proc_stat.h"
#include "query.h"
#include "json_out.h"
#include "metrics.h"
#include "fcgi_compat.h"

#define NAME_MAX_LEN	64
#define NAMES_MAX	16	/* processes one action may name */
#define SECONDS_MAX	30	/* the longest wait= or grace= */
#define LIMIT_DEFAULT	1024
#define LIMIT_MAX	(1024 * 1024)
#define FORM_TYPE	"application/x-www-form-urlencoded"
#define PROTECTED_DEFAULT "procmon1,procmon2"	/* procmon's own monitors */

struct config {
	const char	*dir;		/* where procmon's lockfiles are */
	size_t		 limit;		/* longest query string or body */
	bool		 verbose;
	bool		 privileged;	/* setuid, setgid: trust no caller */
	bool		 read_only;	/* -r: no action at all */
	bool		 post_only;	/* -P: actions by POST only */
	const char	*admins;	/* -a: users who may act, or NULL */
	const char	*protected;	/* -p: names never stopped */
	char		*query;		/* request buffers, limit + 1 bytes */
	char		*body;
	char		*logged_body;	/* -v: the body as read, unparsed */
};

struct request;

struct route {
	const char	*key;
	bool		 takes_name;
	bool		 acts;		/* changes something: authorize() */
	enum pm_action	 action;
	void		(*run)(const struct config *, struct request *);
};

struct request {
	const char		*method;
	bool			 head;
	const struct route	*route;
	char			 names[NAMES_MAX][NAME_MAX_LEN + 1];
	size_t			 count;		/* names given */
	bool			 several;	/* a list: answer per name */
	int			 wait;		/* seconds, or -1 if not given */
	int			 grace;		/* seconds, or -1 if not given */
	int			 status;	/* as answered, for the log */
	const char		*body;		/* as read, for the log, or NULL */
};

#if defined(__GNUC__) || defined(__clang__)
#define PRINTF_LIKE(f, a) __attribute__((format(__printf__, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

static int	fail(struct request *, int, const char *, ...)
		    PRINTF_LIKE(3, 4);
static int	fail_method(struct request *, const char *, const char *, ...)
		    PRINTF_LIKE(3, 4);
static int	fail_with(struct request *, int, const char *, const char *,
		    va_list) PRINTF_LIKE(4, 0);
static void	run_list(const struct config *, struct request *);
static void	run_metrics(const struct config *, struct request *);
static void	run_status(const struct config *, struct request *);
static void	run_action(const struct config *, struct request *);

/* The API: one row per query key. */
static const struct route routes[] = {
	{ "list",	false,	false,	PM_START,	run_list },
	{ "metrics",	false,	false,	PM_START,	run_metrics },
	{ "status",	true,	false,	PM_START,	run_status },
	{ "start",	true,	true,	PM_START,	run_action },
	{ "stop",	true,	true,	PM_STOP,	run_action },
	{ "restart",	true,	true,	PM_RESTART,	run_action },
};

static const struct route *
find_route(const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (strlen(routes[i].key) == len &&
		    memcmp(routes[i].key, key, len) == 0)
			return &routes[i];
	return NULL;
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default:  return "Internal Server Error";
	}
}

#define JSON_TYPE	"application/json; charset=utf-8"
#define METRICS_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/* The CGI response header (RFC 3875 section 6.3); HEAD stops after it. */
static void
send_typed(struct request *req, int status, const char *extra,
    const char *type)
{
	printf("Status: %d %s\r\n", status, reason(status));
	if (extra != NULL)
		fputs(extra, stdout);
	printf("Content-Type: %s\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n\r\n", type);
	req->status = status;
}

static void
send_headers(struct request *req, int status, const char *extra)
{
	send_typed(req, status, extra, JSON_TYPE);
}

/* Answers with the error object of the original fcgi_proc; returns status. */
static int
fail_with(struct request *req, int status, const char *extra,
    const char *fmt, va_list ap)
{
	char description[256];
	struct json j;

	vsnprintf(description, sizeof description, fmt, ap);
	send_headers(req, status, extra);
	if (req->head)
		return status;
	json_init(&j, stdout);
	json_object_open(&j);
	json_key(&j, "status");
	json_int(&j, status);
	json_key(&j, "description");
	json_cstring(&j, description);
	json_object_close(&j);
	putchar('\n');
	return status;
}

static int
fail(struct request *req, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail_with(req, status, NULL, fmt, ap);
	va_end(ap);
	return status;
}

static int
fail_method(struct request *req, const char *allow, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail_with(req, 405, allow, fmt, ap);
	va_end(ap);
	return 405;
}

/* Names reach a path, so only [A-Za-z0-9._-]{1,64}, not starting with '.'. */
static bool
valid_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > NAME_MAX_LEN || s[0] == '.')
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/*
 * Takes an action's names: one, or several separated by commas (a comma
 * is never part of a name).  Returns 0 or the status sent.
 */
static int
parse_names(struct request *req, const char *v, size_t len)
{
	const char *end = v + len, *comma;
	size_t i, n;

	req->several = memchr(v, ',', len) != NULL;
	for (;;) {
		comma = memchr(v, ',', (size_t)(end - v));
		n = (size_t)((comma != NULL ? comma : end) - v);
		if (!valid_name(v, n))
			return fail(req, 400, "%s needs a process name: 1 to "
			    "64 of A-Z a-z 0-9 . _ -, not starting with '.'",
			    req->route->key);
		if (!req->route->acts && req->count == 1)
			return fail(req, 400, "%s takes one name",
			    req->route->key);
		if (req->count == NAMES_MAX)
			return fail(req, 400, "%s takes at most %d names",
			    req->route->key, NAMES_MAX);
		memcpy(req->names[req->count], v, n);
		req->names[req->count][n] = '\0';
		for (i = 0; i < req->count; i++)
			if (strcmp(req->names[i], req->names[req->count]) == 0)
				return fail(req, 400, "\"%s\" named twice",
				    req->names[i]);
		req->count++;
		if (comma == NULL)
			return 0;
		v = comma + 1;
	}
}

/* wait= and grace=: whole seconds from 0 to SECONDS_MAX. */
static int
parse_seconds(struct request *req, const struct query_param *p, int *out)
{
	size_t i;
	int n = 0;

	if (*out != -1)
		return fail(req, 400, "repeated parameter \"%.*s\"",
		    (int)p->key_len, p->key);
	if (p->value == NULL || p->value_len == 0 || p->value_len > 2)
		goto bad;
	for (i = 0; i < p->value_len; i++) {
		if (p->value[i] < '0' || p->value[i] > '9')
			goto bad;
		n = n * 10 + (p->value[i] - '0');
	}
	if (n > SECONDS_MAX)
		goto bad;
	*out = n;
	return 0;
bad:
	return fail(req, 400, "%.*s takes whole seconds from 0 to %d",
	    (int)p->key_len, p->key, SECONDS_MAX);
}

/*
 * Takes the parameters of s into req: exactly one route's key, matched
 * whole, with its names; wait= and grace= beside an action.  Returns 0 or
 * the status sent.
 */
static int
parse_params(struct request *req, char *s)
{
	const struct route *route;
	struct query_param p;
	int r, status;

	while ((r = query_next(&s, &p)) == 1) {
		int klen = p.key_len > 32 ? 32 : (int)p.key_len;

		if (p.key_len == 0)
			return fail(req, 400, "empty parameter");
		if (p.key_len == 4 && memcmp(p.key, "wait", 4) == 0)
			status = parse_seconds(req, &p, &req->wait);
		else if (p.key_len == 5 && memcmp(p.key, "grace", 5) == 0)
			status = parse_seconds(req, &p, &req->grace);
		else if ((route = find_route(p.key, p.key_len)) == NULL)
			return fail(req, 400, "unknown parameter \"%.*s\"",
			    klen, p.key);
		else if (req->route != NULL)
			return fail(req, 400, "one action per request: "
			    "\"%s\" and \"%s\"", req->route->key, route->key);
		else if ((req->route = route)->takes_name)
			status = p.value == NULL ? fail(req, 400, "%s needs a "
			    "process name", route->key) :
			    parse_names(req, p.value, p.value_len);
		else
			status = p.value_len > 0 ? fail(req, 400,
			    "%s takes no value", route->key) : 0;
		if (status != 0)
			return status;
	}
	if (r == -1)
		return fail(req, 400, "malformed percent-encoding");
	return 0;
}

/*
 * CONTENT_TYPE must name the form encoding, alone or before parameters
 * (RFC 9110 section 8.3.1: type/subtype *( OWS ";" OWS parameter )).
 */
static bool
form_encoded(const char *type)
{
	size_t n = sizeof FORM_TYPE - 1;

	if (type == NULL || strncasecmp(type, FORM_TYPE, n) != 0)
		return false;
	for (type += n; *type == ' ' || *type == '\t'; type++)
		continue;
	return *type == '\0' || *type == ';';
}

/*
 * Reads a POST body of exactly CONTENT_LENGTH bytes (RFC 3875 section
 * 4.2) into cfg->body.  Returns 0 or the status sent.
 */
static int
read_body(const struct config *cfg, struct request *req)
{
	const char *length = getenv("CONTENT_LENGTH");
	size_t n = 0, i;

	for (i = 0; length != NULL && length[i] != '\0'; i++) {
		if (length[i] < '0' || length[i] > '9')
			return fail(req, 413, "invalid Content-Length");
		n = n * 10 + (size_t)(length[i] - '0');
		if (n > cfg->limit)
			return fail(req, 413, "request body over %zu bytes",
			    cfg->limit);
	}
	if (n > 0 && !form_encoded(getenv("CONTENT_TYPE")))
		return fail(req, 415, "POST body must be " FORM_TYPE);
	if (fread(cfg->body, 1, n, stdin) != n)
		return fail(req, 400, "request body shorter than "
		    "Content-Length");
	if (memchr(cfg->body, '\0', n) != NULL)
		return fail(req, 400, "NUL byte in request body");
	cfg->body[n] = '\0';
	if (cfg->logged_body != NULL)	/* parsing takes the body apart */
		req->body = memcpy(cfg->logged_body, cfg->body, n + 1);
	return 0;
}

/*
 * True if item is one of the comma-separated words of list.  An item with
 * a comma (a REMOTE_USER may have one) is none of them, whatever words
 * it spans.
 */
static bool
in_list(const char *list, const char *item)
{
	size_t n = strlen(item);
	const char *p;

	if (strchr(item, ',') != NULL)
		return false;
	for (p = list; p != NULL; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (strncmp(p, item, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	}
	return false;
}

/*
 * An Origin header (RFC 6454) names scheme://host[:port]; the request is
 * same-origin when that authority is the Host the request was sent to,
 * allowing for a default port that one side spells out.
 */
static bool
same_authority(const char *origin, const char *host)
{
	const char *authority = strstr(origin, "://");
	const char *port;
	size_t n;

	if (authority == NULL || host == NULL)
		return false;
	authority += 3;
	n = strlen(authority);
	if (strcasecmp(authority, host) == 0)
		return true;
	port = strncasecmp(origin, "https:", 6) == 0 ? ":443" : ":80";
	return strncasecmp(authority, host, n) == 0 &&
	    strcmp(host + n, port) == 0;
}

/*
 * A browser sends requests on behalf of any page its user visits.  It
 * marks them (Fetch Metadata, then Origin); curl and scripts send
 * neither, and stay welcome.
 */
static bool
cross_site(void)
{
	const char *site = getenv("HTTP_SEC_FETCH_SITE");
	const char *origin = getenv("HTTP_ORIGIN");

	if (site != NULL && strcmp(site, "same-origin") != 0 &&
	    strcmp(site, "none") != 0)
		return true;
	return origin != NULL && !same_authority(origin, getenv("HTTP_HOST"));
}

/*
 * The rules an action must pass before anything is touched: POST only,
 * the browser's marks, the admin list, the protected names.  Returns 0
 * or the status sent.
 */
static int
authorize(const struct config *cfg, struct request *req)
{
	const char *user = getenv("REMOTE_USER");
	size_t i;

	if (cfg->post_only && strcmp(req->method, "POST") != 0)
		return fail_method(req, "Allow: POST\r\n",
		    "actions are accepted by POST only");
	if (cross_site())
		return fail(req, 403, "cross-site request refused");
	if (cfg->admins != NULL && (user == NULL || user[0] == '\0' ||
	    !in_list(cfg->admins, user)))
		return fail(req, 403, "actions need an admin user");
	for (i = 0; i < req->count && req->route->action != PM_START; i++)
		if (in_list(cfg->protected, req->names[i]))
			return fail(req, 403, "\"%s\" is protected",
			    req->names[i]);
	return 0;
}

/*
 * Reads and validates the whole request: method, query string and, for
 * POST, the body, whose parameters join the query's.  Returns 0 with
 * req->route set, or the status already answered.
 */
static int
read_request(const struct config *cfg, struct request *req)
{
	const char *query = getenv("QUERY_STRING");
	size_t len;
	int status;

	req->wait = req->grace = -1;
	req->method = getenv("REQUEST_METHOD");
	if (req->method == NULL || req->method[0] == '\0')
		req->method = "GET";		/* run from a shell */
	req->head = strcmp(req->method, "HEAD") == 0;
	if (!req->head && strcmp(req->method, "GET") != 0 &&
	    strcmp(req->method, "POST") != 0)
		return fail_method(req, "Allow: GET, HEAD, POST\r\n",
		    "method not allowed");
	if (query == NULL)
		query = "";
	if ((len = strlen(query)) > cfg->limit)
		return fail(req, 414, "query string over %zu bytes",
		    cfg->limit);
	memcpy(cfg->query, query, len + 1);
	if (len > 0 && (status = parse_params(req, cfg->query)) != 0)
		return status;
	if (strcmp(req->method, "POST") == 0) {
		if ((status = read_body(cfg, req)) != 0)
			return status;
		if (cfg->body[0] != '\0' &&
		    (status = parse_params(req, cfg->body)) != 0)
			return status;
	}
	if (req->route == NULL)
		req->route = &routes[0];	/* no parameter: list */
	if ((req->wait != -1 || req->grace != -1) && !req->route->acts)
		return fail(req, 400, "wait and grace go with an action");
	if (req->grace != -1 && req->route->action == PM_START)
		return fail(req, 400, "grace goes with stop or restart");
	if (!req->route->acts)
		return 0;
	if (cfg->read_only)	/* before HEAD: GET would be refused too */
		return fail(req, 403, "read-only: actions are disabled");
	if (req->head)		/* no body: Allow says what does act */
		return fail_method(req, cfg->post_only ? "Allow: POST\r\n" :
		    "Allow: GET, POST\r\n", "HEAD never acts");
	return authorize(cfg, req);
}

/*
 * One process: the original list's six keys in its order, then for
 * programs the state's age in seconds and its start as a Unix time, for
 * a running process what the kernel says of it (absent if unknown), and
 * whether procmon itself runs (absent where it has no entries).
 */
static void
write_proc(struct json *j, const struct pm_proc *p, time_t now,
    enum pm_procmon procmon)
{
	char since[PM_SINCE_MAX];
	struct proc_stat st;

	pm_format_since(since, sizeof since, p->lock.starttime, now);
	json_object_open(j);
	json_key(j, "name");
	json_cstring(j, p->name);
	json_key(j, "pid");
	json_int(j, p->lock.pid);
	json_key(j, "runcount");
	json_uint(j, p->lock.runcount);
	json_key(j, "since");
	json_cstring(j, since);
	json_key(j, "state");
	json_cstring(j, pm_running(p) ? "running" : "stopped");
	json_key(j, "exec");
	json_string(j, p->exec, p->exec_len);
	json_key(j, "age");
	json_uint(j, pm_age(p->lock.starttime, now));
	json_key(j, "since_epoch");
	json_int(j, (long long)p->lock.starttime);
	if (pm_running(p) && proc_stat_read(p->lock.pid, &st) == 0) {
		json_key(j, "rss_bytes");
		json_uint(j, st.rss_bytes);
		json_key(j, "cpu_seconds");
		json_centis(j, st.cpu_centis);
		json_key(j, "threads");
		json_int(j, st.threads);
	}
	if (procmon != PM_PROCMON_ABSENT) {
		json_key(j, "procmon");
		json_cstring(j, procmon == PM_PROCMON_RUNNING ? "running" :
		    "stopped");
	}
	json_object_close(j);
}

/*
 * What lists keep between requests.  A persistent responder refreshes one
 * list (see pm_refresh()) and keeps its last answer: while no lockfile has
 * changed, no lock has changed hands and the clock is in the same second,
 * that answer is written again, for up to STATS_REUSE_NS after /proc was
 * read for it.  So everything but the kernel's own figures is as current
 * as a fresh list, and those are at most 10 ms old: one clock tick at
 * USER_HZ 100, the resolution of cpu_seconds itself.
 */
#define STATS_REUSE_NS	10000000LL

static struct {
	struct pm_list	 list;
	struct json_buf	 body;		/* the last ?list answer, or empty */
	unsigned long	 generation;	/* of the list it shows */
	time_t		 now;		/* the second it was written for */
	struct timespec	 sampled;	/* when its /proc figures were read */
} last;

static long long
elapsed_ns(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000000000LL +
	    (now.tv_nsec - since->tv_nsec);
}

static bool
last_body_current(time_t now)
{
	return last.body.len > 0 && last.generation == last.list.generation &&
	    last.now == now && elapsed_ns(&last.sampled) < STATS_REUSE_NS;
}

/* Writes the list's JSON into last.body; false if memory ran out. */
static bool
write_body(time_t now)
{
	enum pm_procmon procmon = pm_procmon_listed(&last.list);
	struct json j;
	size_t i;

	clock_gettime(CLOCK_MONOTONIC, &last.sampled);
	json_init_buf(&j, &last.body);
	json_array_open(&j);
	for (i = 0; i < last.list.count; i++)
		write_proc(&j, &last.list.procs[i], now, procmon);
	json_array_close(&j);
	last.generation = last.list.generation;
	last.now = now;
	if (last.body.failed)
		last.body.len = 0;
	return !last.body.failed;
}

static void
run_list(const struct config *cfg, struct request *req)
{
	time_t now;

	if (pm_refresh(cfg->dir, &last.list) != PM_OK) {
		fail(req, 500, "%s", pm_error());
		return;
	}
	now = time(NULL);
	if (!req->head && !last_body_current(now) && !write_body(now)) {
		fail(req, 500, "out of memory writing the list");
		return;
	}
	send_headers(req, 200, NULL);
	if (!req->head) {
		fwrite(last.body.data, 1, last.body.len, stdout);
		putchar('\n');
	}
}

/* Prometheus's text exposition format, version 0.0.4. */
static void
run_metrics(const struct config *cfg, struct request *req)
{
	if (pm_refresh(cfg->dir, &last.list) != PM_OK) {
		fail(req, 500, "%s", pm_error());
		return;
	}
	send_typed(req, 200, NULL, METRICS_TYPE);
	if (!req->head)
		metrics_write(stdout, &last.list);
}

/* What a failed pm_get() or pm_act() means: a status and a sentence. */
static int
explain(enum pm_status status, const char *name, char *desc, size_t size)
{
	switch (status) {
	case PM_UNKNOWN:
		snprintf(desc, size, "no process named \"%s\"", name);
		return 404;
	case PM_UNTRUSTED:
		snprintf(desc, size, "lockfile of \"%s\" is not trusted: not "
		    "a procmon lockfile of root or of this program's user",
		    name);
		return 403;
	case PM_DELETING:
		snprintf(desc, size, "\"%s\" is being removed by procmon",
		    name);
		return 409;
	default:
		snprintf(desc, size, "%s", pm_error());
		return 500;
	}
}

static void
run_status(const struct config *cfg, struct request *req)
{
	enum pm_status status;
	char desc[256];
	struct pm_proc p;
	struct json j;

	if ((status = pm_get(cfg->dir, req->names[0], &p)) != PM_OK) {
		fail(req, explain(status, req->names[0], desc, sizeof desc),
		    "%s", desc);
		return;
	}
	send_headers(req, 200, NULL);
	if (!req->head) {
		json_init(&j, stdout);
		write_proc(&j, &p, time(NULL), pm_procmon(cfg->dir));
		putchar('\n');
	}
	free(p.name);
}

/* What one action did to one process. */
struct result {
	int			 status;
	char			 description[256];
	bool			 acted;	/* out says what was done */
	struct pm_outcome	 out;
	struct pm_proc		 proc;	/* as seen after waiting, if waited */
};

/* A sentence for people; the other keys of the answer are for programs. */
static const char *
describe(enum pm_action action, const struct pm_outcome *out)
{
	bool term = out->signal == SIGTERM;

	if (action == PM_STOP) {
		if (out->killed)
			return term ? "stopped; the process ended on SIGTERM" :
			    "stopped; the process was killed";
		return out->changed ? "stopped; it was not running" :
		    "already stopped";
	}
	if (out->killed)
		return term ? "restarting; the process ended on SIGTERM and "
		    "procmon starts it again" : "restarting; the process was "
		    "killed and procmon starts it again";
	if (out->changed && out->was_running)
		return "running; its stop flag was cleared, procmon "
		    "supervises it again";
	if (out->changed)
		return "starting; procmon starts it within a second";
	if (action == PM_START)
		return "already started";
	return "already restarting; procmon starts it within a second";
}

/*
 * Watches the process until the action's outcome is seen (stopped: no
 * lock holder; started or restarted: a pid other than the one killed
 * holds the lock), until wait seconds after start.  res->proc is the
 * last state seen; the status stays 200, or is 504 if time ran out, 409
 * if procmon is removing what was to run again, or the lookup's error if
 * the lockfile went away or became untrusted.
 */
static void
await_outcome(const struct config *cfg, const char *name,
    enum pm_action action, int wait, const struct timespec *start,
    struct result *res)
{
	const struct timespec tick = { 0, 20 * 1000 * 1000 };
	struct pm_proc *p = &res->proc;
	enum pm_status status;

	for (;;) {
		if ((status = pm_get(cfg->dir, name, p)) != PM_OK) {
			p->name = NULL;
			res->status = explain(status, name, res->description,
			    sizeof res->description);
			return;
		}
		if (action == PM_STOP ? !pm_running(p) :
		    pm_running(p) && p->lock.pid != res->out.killed)
			return;
		if (action != PM_STOP &&
		    p->lock.terminate == PM_TERMINATE_DELETE) {
			/* procmon will not start it again: say so now */
			res->status = explain(PM_DELETING, name,
			    res->description, sizeof res->description);
			return;
		}
		if (elapsed_ns(start) >= wait * 1000000000LL) {
			res->status = 504;
			snprintf(res->description, sizeof res->description,
			    "not %s after %d s", action == PM_STOP ?
			    "stopped" : "running again", wait);
			return;
		}
		free(p->name);
		nanosleep(&tick, NULL);
	}
}

static void
act_one(const struct config *cfg, const struct request *req,
    const char *name, struct result *res)
{
	enum pm_action action = req->route->action;
	enum pm_status status;

	memset(res, 0, sizeof *res);
	status = pm_act(cfg->dir, name, action, req->grace > 0 ?
	    (unsigned)req->grace : 0, &res->out);
	if (status != PM_OK) {
		res->status = explain(status, name, res->description,
		    sizeof res->description);
		return;
	}
	res->status = 200;
	res->acted = true;
	snprintf(res->description, sizeof res->description, "%s",
	    describe(action, &res->out));
}

/*
 * The answer for one name: the original's error object, or what was done
 * (kept when the wait then failed: the action happened all the same).
 */
static void
write_result(struct json *j, const struct request *req, const char *name,
    const struct result *res, enum pm_procmon procmon)
{
	json_object_open(j);
	json_key(j, "status");
	json_int(j, res->status);
	json_key(j, "name");
	json_cstring(j, name);
	if (res->acted) {
		json_key(j, "action");
		json_cstring(j, req->route->key);
		json_key(j, "changed");
		json_bool(j, res->out.changed || res->out.killed != 0);
		if (res->out.killed != 0) {
			json_key(j, "killed");
			json_int(j, res->out.killed);
			json_key(j, "signal");
			json_cstring(j, res->out.signal == SIGTERM ?
			    "SIGTERM" : "SIGKILL");
		}
	}
	json_key(j, "description");
	json_cstring(j, res->description);
	if (res->proc.name != NULL) {
		json_key(j, "process");
		write_proc(j, &res->proc, time(NULL), procmon);
	}
	json_object_close(j);
}

/*
 * Acts on each name in turn (all were validated and authorized first).
 * One name is answered as the original did; several, with the result of
 * each, and 200 only if every one succeeded (else the first failure's).
 */
static void
run_action(const struct config *cfg, struct request *req)
{
	static struct result results[NAMES_MAX];
	enum pm_procmon procmon = pm_procmon(cfg->dir);
	struct timespec start;
	int status = 200;
	struct json j;
	size_t i;

	/* Nothing would start what start and restart leave to procmon. */
	if (procmon == PM_PROCMON_STOPPED && req->route->action != PM_STOP) {
		fail(req, 503, "procmon is not running: nothing would start "
		    "what %s leaves to it; start procmon first",
		    req->route->key);
		return;
	}
	/* Act on every name, then watch them all within one wait. */
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < req->count; i++)
		act_one(cfg, req, req->names[i], &results[i]);
	for (i = 0; i < req->count; i++) {
		if (req->wait > 0 && results[i].status == 200)
			await_outcome(cfg, req->names[i], req->route->action,
			    req->wait, &start, &results[i]);
		if (status == 200)
			status = results[i].status;
	}
	if (!req->several && !results[0].acted)
		fail(req, status, "%s", results[0].description);
	else {
		send_headers(req, status, NULL);
		json_init(&j, stdout);
		if (!req->several)
			write_result(&j, req, req->names[0], &results[0],
			    procmon);
		else {
			json_object_open(&j);
			json_key(&j, "status");
			json_int(&j, status);
			json_key(&j, "action");
			json_cstring(&j, req->route->key);
			json_key(&j, "results");
			json_array_open(&j);
			for (i = 0; i < req->count; i++)
				write_result(&j, req, req->names[i],
				    &results[i], procmon);
			json_array_close(&j);
			json_object_close(&j);
		}
		putchar('\n');
	}
	for (i = 0; i < req->count; i++)
		free(results[i].proc.name);
}

/* s with every byte that could mislead a reader as \xHH, cut after max. */
static void
log_escaped(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c > 0x20 && c < 0x7f && c != '"' && c != '\\')
			putc(c, stderr);
		else
			fprintf(stderr, "\\x%02x", c);
	}
	if (s[i] != '\0')
		fputs("...", stderr);
}

/*
 * One line per request on stderr, the web server's error log: status,
 * method, the query string and, for a POST, the body as read.
 */
static void
log_request(const struct request *req)
{
	const char *query = getenv("QUERY_STRING");

	fprintf(stderr, "fcgi_proc: %d ", req->status);
	log_escaped(req->method, 8);
	fputs(" \"", stderr);
	log_escaped(query != NULL ? query : "", 200);
	putc('"', stderr);
	if (req->body != NULL) {
		fputs(" \"", stderr);
		log_escaped(req->body, 200);
		putc('"', stderr);
	}
	/* A list that left files out says so: procmon may run as another
	 * user (-u), or someone planted files. */
	if (req->status == 200 && !req->route->takes_name &&
	    last.list.untrusted > 0)
		fprintf(stderr, " (%zu procmon.* files not trusted: see -u)",
		    last.list.untrusted);
	putc('\n', stderr);
}

/*
 * Messages from before the first request go to the descriptors directly:
 * libfcgi's stdio streams exist only once FCGI_Accept() has set them up.
 */
static void
usage(int fd)
{
	dprintf(fd, "usage: fcgi_proc [-hPrv] [-a users] [-d dir] [-l bytes] "
	    "[-p names] [-u user]\n"
	    "  -a users  only these REMOTE_USERs (comma-separated) may act\n"
	    "  -d dir    procmon's lockfile directory (default /tmp,"
	    " or $PROCMON_DIR)\n"
	    "  -l bytes  longest query string or POST body (default 1024)\n"
	    "  -p names  never stopped or restarted (default "
	    PROTECTED_DEFAULT ")\n"
	    "  -P        actions by POST only\n"
	    "  -r        read-only: refuse every action\n"
	    "  -u user   procmon's user: its lockfiles are trusted too\n"
	    "  -v        log each request to stderr\n"
	    "  -h        print this help\n");
}

static void
die(const char *msg)
{
	dprintf(STDERR_FILENO, "fcgi_proc: %s\n", msg);
	exit(2);
}

/*
 * Installed setuid or setgid (or with file capabilities), we run with
 * more power than the caller, who controls our environment and arguments.
 * AT_SECURE is the kernel's own word for that.
 */
static bool
privileged(void)
{
#ifdef __linux__
	if (getauxval(AT_SECURE) != 0)
		return true;
#endif
	return getuid() != geteuid() || getgid() != getegid();
}

/*
 * Run setuid, we could be stopped by the caller (its uid is our real uid;
 * Ctrl-Z works from its terminal) between checking a lock and sending a
 * signal, and resumed once the pid has been recycled.  Taking the
 * effective ids as real ones, and ignoring the terminal's stop signals,
 * leaves the caller no way to stop us.
 */
static void
shut_out_caller(void)
{
	if (setregid(getegid(), getegid()) == -1 ||
	    setreuid(geteuid(), geteuid()) == -1)
		die("cannot take the effective user and group as real");
	signal(SIGTSTP, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
}

/* A user name as -a lists it: spaces around it would never match. */
static bool
valid_user(const char *s, size_t len)
{
	return len > 0 && s[0] != ' ' && s[0] != '\t' && s[len - 1] != ' ' &&
	    s[len - 1] != '\t';
}

/*
 * -p and -a: items separated by commas alone, each valid, or no item.
 * An item no request could match ("a, b" has " b") would leave a
 * process unprotected, or an admin refused, without a word.
 */
static bool
valid_list(const char *list, bool (*valid)(const char *, size_t))
{
	const char *comma;

	while (*list != '\0') {
		comma = strchr(list, ',');
		if (!valid(list, comma != NULL ? (size_t)(comma - list) :
		    strlen(list)) || (comma != NULL && comma[1] == '\0'))
			return false;
		list = comma != NULL ? comma + 1 : "";
	}
	return true;
}

/* -u: a user name, or a uid. */
static uid_t
parse_user(const char *s)
{
	struct passwd *pw;
	unsigned long n;
	char *end;

	if ((pw = getpwnam(s)) != NULL)
		return pw->pw_uid;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' ||
	    n > (uid_t)-1 - 1)
		die("-u takes a user name or a uid");
	return (uid_t)n;
}

static void
parse_options(int argc, char **argv, struct config *cfg)
{
	const char *env;
	char *end;
	long n;
	int c;

	cfg->dir = "/tmp";
	cfg->limit = LIMIT_DEFAULT;
	cfg->protected = PROTECTED_DEFAULT;
	if (!cfg->privileged && (env = getenv("PROCMON_DIR")) != NULL &&
	    env[0] != '\0')
		cfg->dir = env;
	while ((c = getopt(argc, argv, "a:d:hl:p:Pru:v")) != -1) {
		switch (c) {
		case 'a':
			if (!valid_list(optarg, valid_user))
				die("-a takes user names separated by commas");
			cfg->admins = optarg;
			break;
		case 'd':
			if (cfg->privileged)
				die("-d is refused when running setuid or "
				    "setgid");
			cfg->dir = optarg;
			break;
		case 'h':
			usage(STDOUT_FILENO);
			exit(0);
		case 'l':
			errno = 0;
			n = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    n < 1 || n > LIMIT_MAX)
				die("-l takes a number of bytes from 1 to "
				    "1048576");
			cfg->limit = (size_t)n;
			break;
		case 'p':
			if (!valid_list(optarg, valid_name))
				die("-p takes process names separated by "
				    "commas, or nothing");
			cfg->protected = optarg;
			break;
		case 'P':
			cfg->post_only = true;
			break;
		case 'r':
			cfg->read_only = true;
			break;
		case 'u':
			/* The caller could make its own files trusted. */
			if (cfg->privileged)
				die("-u is refused when running setuid or "
				    "setgid");
			pm_trust_uid(parse_user(optarg));
			break;
		case 'v':
			cfg->verbose = true;
			break;
		default:
			usage(STDERR_FILENO);
			exit(2);
		}
	}
	/*
	 * RFC 3875 section 4.4: a server may also pass a query string without
	 * '=' as arguments.  The query is read from QUERY_STRING, so under
	 * CGI such operands are ignored; from a shell they are a mistake.
	 */
	if (optind != argc && getenv("GATEWAY_INTERFACE") == NULL) {
		usage(STDERR_FILENO);
		exit(2);
	}
}

/*
 * A program started with fd 0, 1 or 2 closed would later open a lockfile
 * onto it and write a response into it; /dev/null fills the gap.
 */
static void
ensure_std_fds(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) == -1 &&
		    open("/dev/null", O_RDWR) != fd)
			abort();
}

static volatile sig_atomic_t busy, stop_requested;

/*
 * lighttpd stops its FastCGI children with SIGTERM.  Waiting for a request,
 * we leave at once; in the middle of one, we finish it first, so that no
 * lockfile is left half-written and no answer is lost.
 */
static void
on_sigterm(int sig)
{
	(void)sig;
	if (!busy)
		_exit(0);
	stop_requested = 1;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	struct config cfg = { 0 };

	ensure_std_fds();
	cfg.privileged = privileged();
	parse_options(argc, argv, &cfg);
	if (cfg.privileged)
		shut_out_caller();
	/* A client gone mid-answer must not kill a persistent responder. */
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigterm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	if ((cfg.query = malloc(cfg.limit + 1)) == NULL ||
	    (cfg.body = malloc(cfg.limit + 1)) == NULL ||
	    (cfg.verbose && (cfg.logged_body = malloc(cfg.limit + 1)) == NULL))
		die("out of memory");
	while (!stop_requested && FCGI_Accept() >= 0) {
		struct request req = { 0 };

		busy = 1;
		if (read_request(&cfg, &req) == 0)
			req.route->run(&cfg, &req);
		if (cfg.verbose)
			log_request(&req);
		FCGI_Finish();
		busy = 0;
	}
	free(cfg.query);
	free(cfg.body);
	free(cfg.logged_body);
	pm_list_free(&last.list);
	json_buf_free(&last.body);
	proc_stat_release();
	return 0;
}
