/*
 * The request grammar: exactly one route's key, matched whole, with its
 * names; wait= and grace= beside an action.  Everything is checked
 * before anything is done, and nothing here writes an answer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "query.h"
#include "request.h"
#include "fcgi_compat.h"

#define FORM_TYPE	"application/x-www-form-urlencoded"

static const struct route routes[] = {
	{ "list",	ROUTE_LIST,	false,	false,	PM_START },
	{ "metrics",	ROUTE_METRICS,	false,	false,	PM_START },
	{ "status",	ROUTE_STATUS,	true,	false,	PM_START },
	{ "start",	ROUTE_ACTION,	true,	true,	PM_START },
	{ "stop",	ROUTE_ACTION,	true,	true,	PM_STOP },
	{ "restart",	ROUTE_ACTION,	true,	true,	PM_RESTART },
};

int
refuse(struct refusal *r, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof r->why, fmt, ap);
	va_end(ap);
	return status;
}

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

/* An environment variable, or NULL if unset or empty. */
static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

int
request_init(struct request *req, size_t limit, bool keep_body)
{
	memset(req, 0, sizeof *req);
	req->limit = limit;
	if ((req->scratch = malloc(limit + 1)) == NULL ||
	    (keep_body && (req->body_copy = malloc(limit + 1)) == NULL)) {
		request_free(req);
		return -1;
	}
	return 0;
}

void
request_free(struct request *req)
{
	free(req->scratch);
	free(req->body_copy);
	req->scratch = req->body_copy = NULL;
}

bool
request_acts(const struct request *req)
{
	return req->route != NULL && req->route->acts;
}

struct names_read {
	struct request	*req;
	struct refusal	*refusal;
	int		 status;
};

/* list_each(): takes one name, or refuses the request. */
static bool
take_name(const char *name, size_t len, void *arg)
{
	struct names_read *r = arg;
	struct request *req = r->req;
	const char *key = req->route->key;
	size_t i;

	if (!name_valid(name, len))
		r->status = refuse(r->refusal, 400, "%s needs a process "
		    "name: 1 to %d of A-Z a-z 0-9 . _ -, not starting with "
		    "'.'", key, NAME_MAX_LEN);
	else if (!req->route->acts && req->count == 1)
		r->status = refuse(r->refusal, 400, "%s takes one name",
		    key);
	else if (req->count == NAMES_MAX)
		r->status = refuse(r->refusal, 400, "%s takes at most %d "
		    "names", key, NAMES_MAX);
	if (r->status != 0)
		return false;
	memcpy(req->names[req->count], name, len);
	req->names[req->count][len] = '\0';
	for (i = 0; i < req->count; i++)
		if (strcmp(req->names[i], req->names[req->count]) == 0) {
			r->status = refuse(r->refusal, 400,
			    "\"%s\" named twice", req->names[i]);
			return false;
		}
	req->count++;
	return true;
}

/*
 * An action's names: one, or several separated by commas (never part of
 * a name), or the key repeated (an HTML form's checkboxes, curl -d twice).
 */
static int
parse_names(struct request *req, const char *v, size_t len,
    struct refusal *refusal)
{
	struct names_read r = { req, refusal, 0 };

	if (len == 0)
		return refuse(refusal, 400, "%s needs a process name",
		    req->route->key);
	list_each(v, len, take_name, &r);
	req->several = req->count > 1;
	return r.status;
}

/* wait= and grace=: whole seconds from 0 to SECONDS_MAX, given once. */
static int
parse_seconds(const struct query_param *p, int *out, struct refusal *r)
{
	unsigned long long n;

	if (*out != -1)
		return refuse(r, 400, "repeated parameter \"%.*s\"",
		    (int)p->key_len, p->key);
	if (p->value == NULL || !parse_decimal(p->value, p->value_len, &n) ||
	    n > SECONDS_MAX)
		return refuse(r, 400, "%.*s takes whole seconds from 0 "
		    "to %d", (int)p->key_len, p->key, SECONDS_MAX);
	*out = (int)n;
	return 0;
}

/* The route's key: a second one only repeats an action's. */
static int
parse_route(struct request *req, const struct query_param *p,
    struct refusal *r)
{
	const struct route *route = find_route(p->key, p->key_len);
	int klen = p->key_len > 32 ? 32 : (int)p->key_len;

	if (route == NULL)
		return refuse(r, 400, "unknown parameter \"%.*s\"",
		    klen, p->key);
	if (req->route == route && !route->acts)
		return refuse(r, 400, "repeated parameter \"%s\"", route->key);
	if (req->route != NULL && req->route != route)
		return refuse(r, 400, "one action per request: \"%s\" and "
		    "\"%s\"", req->route->key, route->key);
	req->route = route;
	if (!route->takes_name)
		return p->value_len > 0 ? refuse(r, 400, "%s takes no "
		    "value", route->key) : 0;
	return parse_names(req, p->value != NULL ? p->value : "",
	    p->value_len, r);
}

/* The parameters of s, a query string or a form body, into req. */
static int
parse_params(struct request *req, char *s, struct refusal *refusal)
{
	struct query_param p;
	int r = 0, status = 0;

	if (*s == '\0')
		return 0;
	while (status == 0 && (r = query_next(&s, &p)) == 1) {
		if (p.key_len == 0)
			status = refuse(refusal, 400, "empty parameter");
		else if (p.key_len == 4 && memcmp(p.key, "wait", 4) == 0)
			status = parse_seconds(&p, &req->wait, refusal);
		else if (p.key_len == 5 && memcmp(p.key, "grace", 5) == 0)
			status = parse_seconds(&p, &req->grace, refusal);
		else
			status = parse_route(req, &p, refusal);
	}
	if (status == 0 && r == -1)
		status = refuse(refusal, 400, "malformed percent-encoding");
	return status;
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
 * A POST body of exactly CONTENT_LENGTH bytes (RFC 3875 section 4.2),
 * into req->scratch.
 */
static int
read_body(struct request *req, struct refusal *r)
{
	const char *length = env("CONTENT_LENGTH");
	unsigned long long n = 0;

	if (length != NULL && !parse_decimal(length, strlen(length), &n))
		return refuse(r, 400, "invalid Content-Length");
	if (n > req->limit)
		return refuse(r, 413, "request body over %zu bytes",
		    req->limit);
	if (n > 0 && !form_encoded(getenv("CONTENT_TYPE")))
		return refuse(r, 415, "POST body must be " FORM_TYPE);
	if (fread(req->scratch, 1, (size_t)n, stdin) != (size_t)n)
		return refuse(r, 400, "request body shorter than "
		    "Content-Length");
	if (memchr(req->scratch, '\0', (size_t)n) != NULL)
		return refuse(r, 400, "NUL byte in request body");
	req->scratch[n] = '\0';
	if (req->body_copy != NULL)	/* parsing takes the body apart */
		req->body = memcpy(req->body_copy, req->scratch, (size_t)n + 1);
	return 0;
}

/* Who asks: what the web server passed on (RFC 3875 sections 4.1, 4.1.18). */
static void
read_environment(struct request *req)
{
	const char *https = env("HTTPS");

	req->method = env("REQUEST_METHOD");
	/* RFC 3875 has a web server pass both; a shell passes neither. */
	req->shell = req->method == NULL && env("GATEWAY_INTERFACE") == NULL;
	if (req->method == NULL)
		req->method = "GET";
	req->head = strcmp(req->method, "HEAD") == 0;
	req->post = strcmp(req->method, "POST") == 0;
	req->host = env("HTTP_HOST");
	req->origin = env("HTTP_ORIGIN");
	req->fetch_site = env("HTTP_SEC_FETCH_SITE");
	req->user = env("REMOTE_USER");
	req->addr = env("REMOTE_ADDR");
	req->port = env("SERVER_PORT");
	req->https = https != NULL && (strcasecmp(https, "on") == 0 ||
	    strcmp(https, "1") == 0);
	req->query = getenv("QUERY_STRING");
	if (req->query == NULL)
		req->query = "";
}

int
request_read(struct request *req, struct refusal *r)
{
	size_t len;
	int status;

	req->route = NULL;
	req->count = 0;
	req->several = false;
	req->wait = req->grace = -1;
	req->body = NULL;
	read_environment(req);
	if (!req->head && !req->post && strcmp(req->method, "GET") != 0) {
		r->allow = "GET, HEAD, POST";
		return refuse(r, 405, "method not allowed");
	}
	if ((len = strlen(req->query)) > req->limit)
		return refuse(r, 414, "query string over %zu bytes",
		    req->limit);
	memcpy(req->scratch, req->query, len + 1);
	if ((status = parse_params(req, req->scratch, r)) != 0 ||
	    (req->post && ((status = read_body(req, r)) != 0 ||
	    (status = parse_params(req, req->scratch, r)) != 0)))
		return status;
	if (req->route == NULL)
		req->route = &routes[0];	/* no parameter: list */
	if ((req->wait != -1 || req->grace != -1) && !req->route->acts)
		return refuse(r, 400, "wait and grace go with an "
		    "action");
	if (req->grace != -1 && req->route->action == PM_START)
		return refuse(r, 400, "grace goes with stop or restart");
	return 0;
}
