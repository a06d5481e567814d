/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy.h"

#define HOST_MAX	256

/* The Host a request names, without its port: a name or an address. */
struct host {
	char	name[HOST_MAX];	/* lowercase, no trailing dot */
	bool	literal;	/* an IP address, not a name */
	bool	loopback;	/* this machine: 127.0.0.0/8, ::1, localhost */
};

static bool
is_localhost(const char *name)
{
	size_t n = strlen(name);

	return strcmp(name, "localhost") == 0 ||
	    (n > 10 && strcmp(name + n - 10, ".localhost") == 0);
}

/*
 * Host is uri-host [ ":" port ] (RFC 9110 section 7.2, RFC 3986 section
 * 3.2.2): an IPv6 address in brackets, or a name or IPv4 address, which
 * hold no colon.  False if it is none of these.
 */
static bool
parse_host(const char *s, struct host *h)
{
	bool bracketed = s[0] == '[';
	const char *end, *port;
	struct in6_addr a6;
	struct in_addr a4;
	size_t n, i;

	if (bracketed) {
		if ((end = strchr(++s, ']')) == NULL)
			return false;
		port = end + 1;
	} else
		port = end = s + strcspn(s, ":");
	n = (size_t)(end - s);
	if (n == 0 || n >= sizeof h->name ||
	    (port[0] != '\0' && (port[0] != ':' ||
	    strspn(port + 1, "0123456789") != strlen(port + 1))))
		return false;
	for (i = 0; i < n; i++)
		h->name[i] = (char)tolower((unsigned char)s[i]);
	h->name[n] = '\0';
	if (bracketed) {
		h->literal = inet_pton(AF_INET6, h->name, &a6) == 1;
		/*
		 * Not [::ffff:127.0.0.1]: browsers do not count it as
		 * trustworthy, so they mark nothing that is sent there.
		 */
		h->loopback = h->literal && IN6_IS_ADDR_LOOPBACK(&a6);
		return h->literal;
	}
	if (n > 1 && h->name[n - 1] == '.')	/* an absolute name */
		h->name[n - 1] = '\0';
	h->literal = inet_pton(AF_INET, h->name, &a4) == 1;
	h->loopback = h->literal ? ((const unsigned char *)&a4)[0] == 127 :
	    is_localhost(h->name);
	return strspn(h->name, "abcdefghijklmnopqrstuvwxyz0123456789.-_") ==
	    strlen(h->name);
}

/*
 * A page of the attacker's can make a browser send requests to any name
 * it controls, once that name resolves to this machine (DNS rebinding):
 * Host then names the attacker's domain, and Origin agrees with it.  So
 * only names this machine answers to are served.
 */
static bool
host_served(const struct policy *pol, const struct host *h)
{
	return h->literal || h->loopback || (pol->hosts != NULL &&
	    (strcmp(pol->hosts, "*") == 0 ||
	    list_has(pol->hosts, h->name, strlen(h->name))));
}

/*
 * An Origin header (RFC 6454) names scheme://host[:port]; the request is
 * same-origin when that authority is the Host the request was sent to,
 * allowing for a default port that one side spells out.  A Host without
 * its port (nginx's fastcgi_params pass $host) is on SERVER_PORT.
 */
static bool
same_authority(const char *origin, const struct request *req)
{
	const char *authority = strstr(origin, "://"), *port, *after;
	char host[HOST_MAX + 8];
	bool portless;
	size_t n;

	if (authority == NULL || req->host == NULL)
		return false;
	after = strrchr(req->host, ']');	/* past an IPv6 address */
	portless = req->port != NULL &&
	    strchr(after != NULL ? after : req->host, ':') == NULL;
	snprintf(host, sizeof host, "%s%s%s", req->host, portless ? ":" : "",
	    portless ? req->port : "");
	authority += 3;
	n = strlen(authority);
	if (strcasecmp(authority, host) == 0)
		return true;
	port = strncasecmp(origin, "https:", 6) == 0 ? ":443" : ":80";
	return strncasecmp(authority, host, n) == 0 &&
	    strcmp(host + n, port) == 0;
}

/*
 * Browsers mark what one page asks of another site (Fetch Metadata, then
 * Origin); curl and scripts send neither, and stay welcome.
 */
static bool
cross_site(const struct request *req)
{
	const char *site = req->fetch_site;

	if (site != NULL && strcmp(site, "same-origin") != 0 &&
	    strcmp(site, "none") != 0)
		return true;
	return req->origin != NULL && !same_authority(req->origin, req);
}

/*
 * Browsers mark cross-site requests only to origins they trust: HTTPS,
 * localhost, loopback addresses.  To http://192.168.1.1/ an <img> sends a
 * GET with no mark at all, exactly as curl would; so a GET acts only when
 * it cannot be such a request: from a shell (no web server), to this
 * machine by a loopback name, or over HTTPS.  A request without Host
 * came through a web server all the same: it is not a shell's.
 */
static bool
get_may_act(const struct policy *pol, const struct request *req,
    const struct host *h)
{
	return pol->get_anywhere || req->shell || h->loopback || req->https;
}

bool
policy_protects(const struct policy *pol, const char *name)
{
	size_t n = strlen(name);

	return list_has(POLICY_PROTECTED, name, n) ||
	    (pol->protected != NULL && list_has(pol->protected, name, n));
}

/* The rules of an action, in the order their answers are most useful. */
static int
check_action(const struct policy *pol, const struct request *req,
    const struct host *h, struct refusal *r)
{
	bool by_get = get_may_act(pol, req, h) && !pol->post_only;
	size_t i;

	if (pol->read_only)	/* before HEAD: GET would be refused too */
		return refuse(r, 403, "read-only: actions are disabled");
	if (req->head || (!req->post && !by_get))
		r->allow = by_get ? "GET, POST" : "POST";
	if (req->head)		/* no body: Allow says what does act */
		return refuse(r, 405, "HEAD never acts");
	if (!req->post && pol->post_only)
		return refuse(r, 405, "actions are accepted by POST only");
	if (!req->post && !by_get)
		return refuse(r, 405, "an action by GET is carried out only "
		    "from this machine or over HTTPS; send a POST: curl -d "
		    "%s=%.64s URL", req->route->key, req->names[0]);
	if (cross_site(req))
		return refuse(r, 403, "cross-site request refused");
	if (pol->admins != NULL && (req->user == NULL ||
	    !list_has(pol->admins, req->user, strlen(req->user))))
		return refuse(r, 403, "actions need an admin user");
	for (i = 0; i < req->count && (req->route->flags & ROUTE_KILLS); i++)
		if (policy_protects(pol, req->names[i]))
			return refuse(r, 403, "\"%.64s\" is protected",
			    req->names[i]);
	return 0;
}

int
policy_check(const struct policy *pol, const struct request *req,
    struct refusal *r)
{
	struct host h = { "", false, false };

	if (req->host != NULL && !parse_host(req->host, &h))
		return refuse(r, 400, "malformed Host");
	if (req->host != NULL && !host_served(pol, &h))
		return refuse(r, 403, "Host \"%.64s\" is not served: name it "
		    "with -H (a guard against DNS rebinding)", h.name);
	return request_acts(req) ? check_action(pol, req, &h, r) : 0;
}
