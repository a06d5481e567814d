/* SPDX-License-Identifier: MIT */
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
#include "text.h"
#include "fcgi_compat.h"

#define FORM_TYPE	"application/x-www-form-urlencoded"

extern char **environ;

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
find_route(const struct route *routes, const char *key, size_t len)
{
	for (; routes->key[0] != '\0'; routes++)
		if (strlen(routes->key) == len &&
		    memcmp(routes->key, key, len) == 0)
			return routes;
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
request_init(struct request *req, size_t limit, bool responder,
    bool keep_body)
{
	memset(req, 0, sizeof *req);
	req->limit = limit;
	req->responder = responder;
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
	return req->route != NULL && (req->route->flags & ROUTE_ACTS) != 0;
}

/* One name of a list, decoded in place: taken, or the request refused. */
static int
take_name(struct request *req, char *word, size_t len, struct refusal *r)
{
	const char *key = req->route->key;
	long n = query_decode(word, word, len);
	size_t i;

	if (n == -1)
		return refuse(r, 400, "malformed percent-encoding");
	if (!name_valid(word, (size_t)n))
		return refuse(r, 400, "%s needs a process name: 1 to %d bytes, "
		    "neither '/' nor NUL", key, NAME_MAX_LEN);
	if (req->route->names == ONE_NAME && req->count == 1)
		return refuse(r, 400, "%s takes one name", key);
	if (req->count == NAMES_MAX)
		return refuse(r, 400, "%s takes at most %d names", key,
		    NAMES_MAX);
	memcpy(req->names[req->count], word, (size_t)n);
	req->names[req->count][n] = '\0';
	for (i = 0; i < req->count; i++)
		if (strcmp(req->names[i], req->names[req->count]) == 0)
			return refuse(r, 400, "\"%.64s\" named twice",
			    req->names[i]);
	req->count++;
	return 0;
}

/*
 * A route's names: one, or several separated by commas, or the key
 * repeated (an HTML form's checkboxes, curl -d twice).  The value is split
 * on its commas as sent, then each word decoded: an encoded comma (%2C)
 * belongs to a name, as procmon allows any byte in one but '/'.
 */
static int
parse_names(struct request *req, char *v, size_t len, struct refusal *r)
{
	char *end = v + len, *comma;
	int status;

	if (len == 0)
		return refuse(r, 400, "%s needs a process name",
		    req->route->key);
	for (;;) {
		comma = memchr(v, ',', (size_t)(end - v));
		status = take_name(req, v, (size_t)((comma ? comma : end) - v),
		    r);
		if (status != 0 || comma == NULL)
			break;
		v = comma + 1;
	}
	req->several = req->count > 1;
	return status;
}

/* wait= and grace=: whole seconds from 0 to SECONDS_MAX, given once. */
static int
parse_seconds(const char *key, struct query_param *p, int *out,
    struct refusal *r)
{
	unsigned long long n;
	long len;

	if (*out != -1)
		return refuse(r, 400, "repeated parameter \"%s\"", key);
	if (p->value == NULL ||
	    (len = query_decode(p->value, p->value, p->value_len)) == -1 ||
	    !parse_decimal(p->value, (size_t)len, &n) || n > SECONDS_MAX)
		return refuse(r, 400, "%s takes whole seconds from 0 to %d",
		    key, SECONDS_MAX);
	*out = (int)n;
	return 0;
}

/* The route's key: a second one only repeats an action's. */
static int
parse_route(struct request *req, const struct route *routes,
    struct query_param *p, struct refusal *r)
{
	const struct route *route = find_route(routes, p->key, p->key_len);
	int klen = p->key_len > 32 ? 32 : (int)p->key_len;

	if (route == NULL)
		return refuse(r, 400, "unknown parameter \"%.*s\"", klen,
		    p->key);
	if (req->route == route && route->names != NAMES)
		return refuse(r, 400, "repeated parameter \"%s\"", route->key);
	if (req->route != NULL && req->route != route)
		return refuse(r, 400, "one action per request: \"%s\" and "
		    "\"%s\"", req->route->key, route->key);
	req->route = route;
	if (route->names == NO_NAME)
		return p->value_len > 0 ? refuse(r, 400, "%s takes no value",
		    route->key) : 0;
	return parse_names(req, p->value != NULL ? p->value : "",
	    p->value_len, r);
}

/* The parameters of s, a query string or a form body, into req. */
static int
parse_params(struct request *req, const struct route *routes, char *s,
    struct refusal *r)
{
	struct query_param p;
	int status = 0;
	long n;

	if (*s == '\0')
		return 0;
	while (status == 0 && query_next(&s, &p) == 1) {
		if ((n = query_decode(p.key, p.key, p.key_len)) == -1)
			return refuse(r, 400, "malformed percent-encoding");
		p.key_len = (size_t)n;
		if (p.key_len == 0)
			status = refuse(r, 400, "empty parameter");
		else if (p.key_len == 4 && memcmp(p.key, "wait", 4) == 0)
			status = parse_seconds("wait", &p, &req->wait, r);
		else if (p.key_len == 5 && memcmp(p.key, "grace", 5) == 0)
			status = parse_seconds("grace", &p, &req->grace, r);
		else
			status = parse_route(req, routes, &p, r);
	}
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
 * Whether body holds key as a form field: "key=" at its start or after a
 * newline or '&' (text/plain, urlencoded), or name="key" (multipart).
 */
static bool
names_field(const char *body, const char *key)
{
	size_t n = strlen(key);
	const char *p;
	char field[32];

	snprintf(field, sizeof field, "name=\"%s\"", key);
	if (strstr(body, field) != NULL)
		return true;
	for (p = body; (p = strstr(p, key)) != NULL; p += n)
		if ((p == body || p[-1] == '\n' || p[-1] == '&') && p[n] == '=')
			return true;
	return false;
}

/*
 * The acting route that a body of another type names: a form posted
 * text/plain or multipart from another site, which tried to act.  Such a
 * request is refused all the same, but belongs in the audit trail.
 */
static const struct route *
named_action(const struct route *routes, const char *body)
{
	for (; routes->key[0] != '\0'; routes++)
		if ((routes->flags & ROUTE_ACTS) && names_field(body, routes->key))
			return routes;
	return NULL;
}

/*
 * A POST body of exactly CONTENT_LENGTH bytes (RFC 3875 section 4.2),
 * into req->scratch.
 */
static int
read_body(struct request *req, const struct route *routes, struct refusal *r)
{
	const char *length = env("CONTENT_LENGTH");
	unsigned long long n = 0;

	if (length != NULL && !parse_decimal(length, strlen(length), &n))
		return refuse(r, 400, "invalid Content-Length");
	if (n > req->limit)
		return refuse(r, 413, "request body over %zu bytes",
		    req->limit);
	if (fread(req->scratch, 1, (size_t)n, stdin) != (size_t)n)
		return refuse(r, 400, "request body shorter than "
		    "Content-Length");
	if (memchr(req->scratch, '\0', (size_t)n) != NULL)
		return refuse(r, 400, "NUL byte in request body");
	req->scratch[n] = '\0';
	if (req->body_copy != NULL)	/* parsing takes the body apart */
		req->body = memcpy(req->body_copy, req->scratch, (size_t)n + 1);
	if (n > 0 && !form_encoded(getenv("CONTENT_TYPE"))) {
		const struct route *named = named_action(routes, req->scratch);

		/* An action the query named stays; else the body's. */
		if (named != NULL && (req->route == NULL ||
		    !(req->route->flags & ROUTE_ACTS)))
			req->route = named;
		return refuse(r, 415, "POST body must be " FORM_TYPE);
	}
	return 0;
}

/*
 * Whether a web server passed anything: RFC 3875 has it pass
 * REQUEST_METHOD and GATEWAY_INTERFACE, and every server passes the
 * request's headers (HTTP_*), SERVER_* and REMOTE_* besides; a server
 * configured to pass few of them still passes some.  A shell passes
 * none of them, but for HTTP_PROXY, which a user may keep for other
 * programs (a server passes it only beside the headers every browser
 * sends).
 */
static bool
from_web_server(void)
{
	static const char prefixes[][8] = { "HTTP_", "SERVER_", "REMOTE_" };
	char **e;
	size_t i;

	if (env("REQUEST_METHOD") != NULL || env("GATEWAY_INTERFACE") != NULL)
		return true;
	for (e = environ; e != NULL && *e != NULL; e++)
		for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
			if (strncmp(*e, prefixes[i], strlen(prefixes[i])) == 0 &&
			    strncmp(*e, "HTTP_PROXY=", 11) != 0)
				return true;
	return false;
}

/* Who asks: what the web server passed on (RFC 3875 sections 4.1, 4.1.18). */
static void
read_environment(struct request *req)
{
	const char *https = env("HTTPS"), *accept = env("HTTP_ACCEPT");

	req->shell = !req->responder && !from_web_server();
	if ((req->method = env("REQUEST_METHOD")) == NULL)
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
	/* Browsers load a page with Accept: text/html first; fetch() and
	 * curl accept anything. */
	req->page_load = accept != NULL && strncmp(accept, "text/html", 9) == 0;
	if ((req->query = getenv("QUERY_STRING")) == NULL)
		req->query = "";
}

/* The route a request of no parameter asks. */
static const struct route *
plain_route(const struct route *routes, bool page_load)
{
	const struct route *plain = NULL;

	for (; routes->key[0] != '\0'; routes++)
		if (page_load && (routes->flags & ROUTE_PAGE))
			return routes;
		else if ((routes->flags & ROUTE_PLAIN) && plain == NULL)
			plain = routes;
	return plain;
}

int
request_read(struct request *req, const struct route *routes,
    struct refusal *r)
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
	if ((status = parse_params(req, routes, req->scratch, r)) != 0 ||
	    (req->post && ((status = read_body(req, routes, r)) != 0 ||
	    (status = parse_params(req, routes, req->scratch, r)) != 0)))
		return status;
	if (req->route == NULL)
		req->route = plain_route(routes, req->page_load);
	if (req->wait != -1 && !(req->route->flags & ROUTE_ACTS))
		return refuse(r, 400, "wait goes with an action");
	if (req->grace != -1 && !(req->route->flags & ROUTE_KILLS))
		return refuse(r, 400, "grace goes with stop or restart");
	return 0;
}
