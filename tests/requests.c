/* SPDX-License-Identifier: MIT */
/*
 * The request grammar and the policy, from tables: each row is a request
 * as a web server hands it over (environment and body) and the answer it
 * must get: 0 (carried out), or a status with a part of its sentence and,
 * for a 405, its Allow header.  Nothing runs but request_read() and
 * policy_check(): no lockfile, no process, no output.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "policy.h"
#include "request.h"
#include "serve.h"


/* The options a row runs under. */
enum { O_NONE = 0, O_READ_ONLY = 1, O_POST_ONLY = 2, O_ADMINS = 4,
    O_GET_ANYWHERE = 8, O_HOSTS = 16, O_ANY_HOST = 32, O_RESPONDER = 64,
    O_PROTECT_SLEEP2 = 128 };

struct row {
	int		 options;
	const char	*method;	/* NULL: unset, as from a shell */
	const char	*query;
	const char	*body;		/* with CONTENT_LENGTH its length */
	const char	*type;		/* CONTENT_TYPE; NULL: the form type */
	const char	*length;	/* CONTENT_LENGTH, if not the body's */
	const char	*host;		/* HTTP_HOST; NULL: 127.0.0.1:8080 */
	const char	*header;	/* "ORIGIN=..." (HTTP_ORIGIN), "HTTPS=on",
					   "SERVER_*=...", "REMOTE_*=..." or
					   "GATEWAY_INTERFACE=..."; several
					   separated by spaces */
	const char	*user;		/* REMOTE_USER */
	int		 status;
	const char	*why;		/* part of the sentence, or the names */
	const char	*allow;
	size_t		 body_len;	/* if the body holds a NUL */
};

#define FORM	"application/x-www-form-urlencoded"
#define NAME13	"aaaaaaaaaaaaa"
#define NAME247	NAME13 NAME13 NAME13 NAME13 NAME13 NAME13 NAME13 NAME13 \
		NAME13 NAME13 NAME13 NAME13 NAME13 NAME13 NAME13 NAME13 \
		NAME13 NAME13 NAME13
#define NO_HOST	""			/* HTTP_HOST unset */

static const struct row grammar[] = {
	/* Routes. */
	{ 0, "GET", "list", NULL, 0, 0, 0, 0, 0, 0, "list", 0, 0 },
	{ 0, "GET", "", NULL, 0, 0, 0, 0, 0, 0, "list", 0, 0 },
	{ 0, NULL, "list", NULL, 0, 0, 0, 0, 0, 0, "list", 0, 0 },
	{ 0, "HEAD", "", NULL, 0, 0, 0, 0, 0, 0, "list", 0, 0 },
	{ 0, "POST", "", "list", 0, 0, 0, 0, 0, 0, "list", 0, 0 },
	{ 0, "POST", "", "list=", 0, 0, 0, 0, 0, 0, "list", 0, 0 },
	{ 0, "POST", "list", "", NULL, "0", 0, 0, 0, 0, "list", 0, 0 },
	{ 0, "GET", "metrics", NULL, 0, 0, 0, 0, 0, 0, "metrics", 0, 0 },
	{ 0, "GET", "procmon", NULL, 0, 0, 0, 0, 0, 0, "procmon", 0, 0 },
	{ 0, "GET", "dashboard", NULL, 0, 0, 0, 0, 0, 0, "dashboard", 0, 0 },
	/* A browser loading the API's own URL gets the dashboard. */
	{ 0, "GET", "", NULL, 0, 0, 0, "ACCEPT=text/html,application/xhtml+xml", 0, 0, "dashboard", 0, 0 },
	{ 0, "GET", "list", NULL, 0, 0, 0, "ACCEPT=text/html,application/xhtml+xml", 0, 0, "list", 0, 0 },
	{ 0, "GET", "", NULL, 0, 0, 0, "ACCEPT=*/*", 0, 0, "list", 0, 0 },
	{ 0, "GET", "", NULL, 0, 0, 0, "ACCEPT=application/json,text/html", 0, 0, "list", 0, 0 },
	{ 0, "GET", "status=sleep1", NULL, 0, 0, 0, 0, 0, 0, "status sleep1", 0, 0 },
	{ 0, "GET", "stop=sleep1", NULL, 0, 0, 0, 0, 0, 0, "stop sleep1", 0, 0 },
	{ 0, "GET", "start=sleep%32", NULL, 0, 0, 0, 0, 0, 0, "start sleep2", 0, 0 },
	{ 0, "POST", "", "restart=sleep1", 0, 0, 0, 0, 0, 0, "restart sleep1", 0, 0 },
	{ 0, "POST", "stop=sleep1", "", 0, 0, 0, 0, 0, 0, "stop sleep1", 0, 0 },
	{ 0, "POST", "", "stop=a", FORM "; charset=UTF-8", 0, 0, 0, 0, 0, "stop a", 0, 0 },
	{ 0, "POST", "", "stop=a", FORM " ; charset=UTF-8", 0, 0, 0, 0, 0, "stop a", 0, 0 },
	{ 0, "POST", "", "stop=a", "Application/X-WWW-Form-Urlencoded", 0, 0, 0, 0, 0, "stop a", 0, 0 },
	/* Several names: a comma list, or the key repeated (curl -d twice). */
	{ 0, "GET", "stop=a,b,c", NULL, 0, 0, 0, 0, 0, 0, "stop a b c", 0, 0 },
	{ 0, "GET", "stop=a&stop=b", NULL, 0, 0, 0, 0, 0, 0, "stop a b", 0, 0 },
	{ 0, "POST", "stop=a", "stop=b,c", 0, 0, 0, 0, 0, 0, "stop a b c", 0, 0 },
	{ 0, "GET", "stop=a,b&wait=5&grace=3", NULL, 0, 0, 0, 0, 0, 0, "stop a b", 0, 0 },
	{ 0, "GET", "stop=a,a", NULL, 0, 0, 0, 0, 0, 400, "\"a\" named twice", 0, 0 },
	{ 0, "GET", "stop=a&stop=a", NULL, 0, 0, 0, 0, 0, 400, "\"a\" named twice", 0, 0 },
	{ 0, "GET", "stop=p1,p2,p3,p4,p5,p6,p7,p8,p9,p10,p11,p12,p13,p14,p15,p16", NULL, 0, 0, 0, 0, 0, 0, "stop p1 p2 p3 p4 p5 p6 p7 p8 p9 p10 p11 p12 p13 p14 p15 p16", 0, 0 },
	{ 0, "GET", "stop=p1,p2,p3,p4,p5,p6,p7,p8,p9,p10,p11,p12,p13,p14,p15,p16,p17", NULL, 0, 0, 0, 0, 0, 400, "stop takes at most 16 names", 0, 0 },
	{ 0, "GET", "stop=a,", NULL, 0, 0, 0, 0, 0, 400, "stop needs a process name", 0, 0 },
	{ 0, "GET", "stop=,a", NULL, 0, 0, 0, 0, 0, 400, "stop needs a process name", 0, 0 },
	{ 0, "GET", "status=a,b", NULL, 0, 0, 0, 0, 0, 400, "status takes one name", 0, 0 },
	/* SECURITY.md's catalogue, 1 to 27. */
	{ 0, "GET", "stat=sleep1", NULL, 0, 0, 0, 0, 0, 400, "unknown parameter \"stat\"", 0, 0 },
	{ 0, "GET", "lists", NULL, 0, 0, 0, 0, 0, 400, "unknown parameter \"lists\"", 0, 0 },
	{ 0, "GET", "sto=sleep1", NULL, 0, 0, 0, 0, 0, 400, "unknown parameter \"sto\"", 0, 0 },
	{ 0, "GET", "STOP=sleep1", NULL, 0, 0, 0, 0, 0, 400, "unknown parameter \"STOP\"", 0, 0 },
	{ 0, "GET", "stop", NULL, 0, 0, 0, 0, 0, 400, "stop needs a process name", 0, 0 },
	{ 0, "GET", "stop=", NULL, 0, 0, 0, 0, 0, 400, "stop needs a process name", 0, 0 },
	{ 0, "GET", "start=.sleep1", NULL, 0, 0, 0, 0, 0, 0, "start .sleep1", 0, 0 },
	{ 0, "GET", "stop=../../etc/passwd", NULL, 0, 0, 0, 0, 0, 400, "needs a process name", 0, 0 },
	{ 0, "GET", "stop=%2e%2e%2fsleep1", NULL, 0, 0, 0, 0, 0, 400, "needs a process name", 0, 0 },
	{ 0, "GET", "stop=a%2Fb", NULL, 0, 0, 0, 0, 0, 400, "needs a process name", 0, 0 },
	{ 0, "GET", "stop=%252e%252e", NULL, 0, 0, 0, 0, 0, 0, "stop %2e%2e", 0, 0 },
	{ 0, "GET", "stop=sleep1%00", NULL, 0, 0, 0, 0, 0, 400, "needs a process name", 0, 0 },
	/* procmon takes any id: any bytes but '/' and NUL reach a name. */
	{ 0, "GET", "stop=sleep%0a1", NULL, 0, 0, 0, 0, 0, 0, "stop sleep\\n1", 0, 0 },
	{ 0, "GET", "stop=sleep+1", NULL, 0, 0, 0, 0, 0, 0, "stop sleep 1", 0, 0 },
	{ 0, "GET", "stop=sl%C3%A9ep", NULL, 0, 0, 0, 0, 0, 0, "stop sl\\xc3\\xa9ep", 0, 0 },
	{ 0, "GET", "status=svc%40lan", NULL, 0, 0, 0, 0, 0, 0, "status svc@lan", 0, 0 },
	{ 0, "GET", "status=svc@lan", NULL, 0, 0, 0, 0, 0, 0, "status svc@lan", 0, 0 },
	{ 0, "GET", "stop=a%2Cb,c", NULL, 0, 0, 0, 0, 0, 0, "stop a,b c", 0, 0 },
	{ 0, "GET", "stop=..", NULL, 0, 0, 0, 0, 0, 0, "stop ..", 0, 0 },
	{ 0, "GET", "stop=caf%E9", NULL, 0, 0, 0, 0, 0, 0, "stop caf\\xe9", 0, 0 },
	{ 0, "GET", "stop=" NAME247 "x", NULL, 0, 0, 0, 0, 0, 400, "stop needs a process name: 1 to 247 bytes, neither '/' nor NUL", 0, 0 },
	{ 0, "GET", "stop=" NAME247, NULL, 0, 0, 0, 0, 0, 0, "stop " NAME247, 0, 0 },
	{ 0, "GET", "stop=sleep1%", NULL, 0, 0, 0, 0, 0, 400, "malformed percent-encoding", 0, 0 },
	{ 0, "GET", "stop=%zz", NULL, 0, 0, 0, 0, 0, 400, "malformed percent-encoding", 0, 0 },
	{ 0, "GET", "stop=%4", NULL, 0, 0, 0, 0, 0, 400, "malformed percent-encoding", 0, 0 },
	{ 0, "GET", "stop=a&restart=b", NULL, 0, 0, 0, 0, 0, 400, "one action per request: \"stop\" and \"restart\"", 0, 0 },
	{ 0, "GET", "stop=a&start=a", NULL, 0, 0, 0, 0, 0, 400, "one action per request", 0, 0 },
	{ 0, "GET", "list&stop=a", NULL, 0, 0, 0, 0, 0, 400, "one action per request", 0, 0 },
	{ 0, "GET", "list&list", NULL, 0, 0, 0, 0, 0, 400, "repeated parameter \"list\"", 0, 0 },
	{ 0, "GET", "status=a&status=b", NULL, 0, 0, 0, 0, 0, 400, "repeated parameter \"status\"", 0, 0 },
	{ 0, "GET", "list=x", NULL, 0, 0, 0, 0, 0, 400, "list takes no value", 0, 0 },
	{ 0, "GET", "metrics=1", NULL, 0, 0, 0, 0, 0, 400, "metrics takes no value", 0, 0 },
	{ 0, "GET", "list&", NULL, 0, 0, 0, 0, 0, 400, "empty parameter", 0, 0 },
	{ 0, "GET", "&list", NULL, 0, 0, 0, 0, 0, 400, "empty parameter", 0, 0 },
	{ 0, "GET", "=sleep1", NULL, 0, 0, 0, 0, 0, 400, "empty parameter", 0, 0 },
	/* 28 to 45: methods, bodies and their framing. */
	{ 0, "PUT", "stop=a", NULL, 0, 0, 0, 0, 0, 405, "method not allowed", "GET, HEAD, POST", 0 },
	{ 0, "DELETE", "list", NULL, 0, 0, 0, 0, 0, 405, "method not allowed", "GET, HEAD, POST", 0 },
	{ 0, "get", "list", NULL, 0, 0, 0, 0, 0, 405, "method not allowed", "GET, HEAD, POST", 0 },
	{ 0, "POST", "", "stop=a", "text/plain", 0, 0, 0, 0, 415, "must be " FORM, 0, 0 },
	{ 0, "POST", "", "stop=a", "application/json", 0, 0, 0, 0, 415, "must be", 0, 0 },
	{ 0, "POST", "", "stop=a", "multipart/form-data; boundary=x", 0, 0, 0, 0, 415, "must be", 0, 0 },
	{ 0, "POST", "", "stop=a", FORM "X", 0, 0, 0, 0, 415, "must be", 0, 0 },
	{ 0, "POST", "", "stop=a", FORM " x", 0, 0, 0, 0, 415, "must be", 0, 0 },
	{ 0, "POST", "", "stop=a", 0, "-1", 0, 0, 0, 400, "invalid Content-Length", 0, 0 },
	{ 0, "POST", "", "stop=a", 0, "1e3", 0, 0, 0, 400, "invalid Content-Length", 0, 0 },
	{ 0, "POST", "", "stop=a", 0, "0x10", 0, 0, 0, 400, "invalid Content-Length", 0, 0 },
	{ 0, "POST", "", "stop=a", 0, "6abc", 0, 0, 0, 400, "invalid Content-Length", 0, 0 },
	{ 0, "POST", "", "stop=a", 0, " 6", 0, 0, 0, 400, "invalid Content-Length", 0, 0 },
	{ 0, "POST", "", "stop=a", 0, "99999999999999999999999", 0, 0, 0, 413, "over 1024 bytes", 0, 0 },
	{ 0, "POST", "", "stop=a", 0, "7", 0, 0, 0, 400, "shorter than Content-Length", 0, 0 },
	{ 0, "POST", "", "stop=sleep1", 0, "4", 0, 0, 0, 400, "stop needs a process name", 0, 0 },
	{ 0, "POST", "", "stop=sleep1", 0, "10", 0, 0, 0, 0, "stop sleep", 0, 0 },
	{ 0, "POST", "", "stop=a&x", 0, 0, 0, 0, 0, 400, "unknown parameter \"x\"", 0, 0 },
	{ 0, "POST", "stop=a", "start=b", 0, 0, 0, 0, 0, 400, "one action per request", 0, 0 },
	{ 0, "POST", "", "stop=a\0x", 0, 0, 0, 0, 0, 400, "NUL byte in request body", 0, 8 },
	/* wait= and grace=. */
	{ 0, "GET", "stop=a&wait=30", NULL, 0, 0, 0, 0, 0, 0, "stop a", 0, 0 },
	{ 0, "GET", "stop=a&wait=31", NULL, 0, 0, 0, 0, 0, 400, "wait takes whole seconds from 0 to 30", 0, 0 },
	{ 0, "GET", "stop=a&wait=-1", NULL, 0, 0, 0, 0, 0, 400, "wait takes whole seconds", 0, 0 },
	{ 0, "GET", "stop=a&wait=1.5", NULL, 0, 0, 0, 0, 0, 400, "wait takes whole seconds", 0, 0 },
	{ 0, "GET", "stop=a&wait=", NULL, 0, 0, 0, 0, 0, 400, "wait takes whole seconds", 0, 0 },
	{ 0, "GET", "stop=a&wait", NULL, 0, 0, 0, 0, 0, 400, "wait takes whole seconds", 0, 0 },
	{ 0, "GET", "stop=a&wait=007", NULL, 0, 0, 0, 0, 0, 0, "stop a", 0, 0 },
	{ 0, "GET", "stop=a&wait=1&wait=2", NULL, 0, 0, 0, 0, 0, 400, "repeated parameter \"wait\"", 0, 0 },
	{ 0, "GET", "stop=a&grace=99", NULL, 0, 0, 0, 0, 0, 400, "grace takes whole seconds", 0, 0 },
	{ 0, "GET", "list&wait=3", NULL, 0, 0, 0, 0, 0, 400, "wait goes with an action", 0, 0 },
	{ 0, "GET", "status=a&wait=3", NULL, 0, 0, 0, 0, 0, 400, "wait goes with an action", 0, 0 },
	{ 0, "GET", "status=a&grace=3", NULL, 0, 0, 0, 0, 0, 400, "grace goes with stop or restart", 0, 0 },
	{ 0, "GET", "start=a&grace=1", NULL, 0, 0, 0, 0, 0, 400, "grace goes with stop or restart", 0, 0 },
};

static const struct row rules[] = {
	/* Host: IP literals and localhost, names given by -H, a shell. */
	{ 0, "GET", "list", NULL, 0, 0, "192.168.1.1", 0, 0, 0, "list", 0, 0 },
	{ 0, "GET", "list", NULL, 0, 0, "192.168.1.1:8080", 0, 0, 0, "list", 0, 0 },
	{ 0, "GET", "list", NULL, 0, 0, "[::1]:80", 0, 0, 0, "list", 0, 0 },
	{ 0, "GET", "list", NULL, 0, 0, "[fe80::1]", 0, 0, 0, "list", 0, 0 },
	{ 0, "GET", "list", NULL, 0, 0, "[::ffff:127.0.0.1]:8080", 0, 0, 0, "list", 0, 0 },
	{ 0, "GET", "list", NULL, 0, 0, "localhost", 0, 0, 0, "list", 0, 0 },
	{ 0, "GET", "list", NULL, 0, 0, "LocalHost.:8080", 0, 0, 0, "list", 0, 0 },
	{ 0, "GET", "list", NULL, 0, 0, "app.localhost", 0, 0, 0, "list", 0, 0 },
	{ 0, "GET", "list", NULL, 0, 0, NO_HOST, 0, 0, 0, "list", 0, 0 },
	{ 0, "GET", "list", NULL, 0, 0, "router.lan", 0, 0, 403, "Host \"router.lan\" is not served: name it with -H", 0, 0 },
	{ 0, "GET", "list", NULL, 0, 0, "evil.example:8080", 0, 0, 403, "is not served", 0, 0 },
	{ 0, "GET", "list", NULL, 0, 0, "localhost.evil.example", 0, 0, 403, "is not served", 0, 0 },
	{ 0, "GET", "list", NULL, 0, 0, "127.0.0.1.evil.example", 0, 0, 403, "is not served", 0, 0 },
	{ 0, "GET", "list", NULL, 0, 0, "0x7f.1", 0, 0, 403, "is not served", 0, 0 },
	{ O_HOSTS, "GET", "list", NULL, 0, 0, "Router.LAN.", 0, 0, 0, "list", 0, 0 },
	{ O_HOSTS, "GET", "list", NULL, 0, 0, "other.lan", 0, 0, 403, "is not served", 0, 0 },
	{ O_ANY_HOST, "GET", "list", NULL, 0, 0, "anything.example", 0, 0, 0, "list", 0, 0 },
	{ 0, "GET", "list", NULL, 0, 0, "a b", 0, 0, 400, "malformed Host", 0, 0 },
	{ 0, "GET", "list", NULL, 0, 0, "[::1", 0, 0, 400, "malformed Host", 0, 0 },
	{ 0, "GET", "list", NULL, 0, 0, "[1.2.3.4]", 0, 0, 400, "malformed Host", 0, 0 },
	{ 0, "GET", "list", NULL, 0, 0, "host:8080:1", 0, 0, 400, "malformed Host", 0, 0 },
	{ 0, "GET", "list", NULL, 0, 0, "host:80a", 0, 0, 400, "malformed Host", 0, 0 },
	{ 0, "GET", "stop=a", NULL, 0, 0, "evil.example", 0, 0, 403, "is not served", 0, 0 },
	/* An action by GET: from this machine, a shell, or over HTTPS. */
	{ 0, "GET", "stop=a", NULL, 0, 0, "127.0.0.1", 0, 0, 0, "stop a", 0, 0 },
	{ 0, "GET", "stop=a", NULL, 0, 0, "127.1.2.3:8080", 0, 0, 0, "stop a", 0, 0 },
	{ 0, "GET", "stop=a", NULL, 0, 0, "localhost", 0, 0, 0, "stop a", 0, 0 },
	{ 0, "GET", "stop=a", NULL, 0, 0, "[::1]", 0, 0, 0, "stop a", 0, 0 },
	{ 0, NULL, "stop=a", NULL, 0, 0, NO_HOST, 0, 0, 0, "stop a", 0, 0 },
	/* Whatever a web server passes makes it a server's, not a shell's. */
	{ 0, NULL, "stop=a", NULL, 0, 0, NO_HOST, "ACCEPT=*/*", 0, 405, "send a POST", "POST", 0 },
	{ 0, NULL, "stop=a", NULL, 0, 0, NO_HOST, "REMOTE_ADDR=192.168.1.5", 0, 405, "send a POST", "POST", 0 },
	{ 0, NULL, "stop=a", NULL, 0, 0, NO_HOST, "SERVER_NAME=router", 0, 405, "send a POST", "POST", 0 },
	{ 0, NULL, "stop=a", NULL, 0, 0, NO_HOST, "PROXY=http://proxy:3128", 0, 0, "stop a", 0, 0 },
	{ O_RESPONDER, NULL, "stop=a", NULL, 0, 0, NO_HOST, 0, 0, 405, "send a POST", "POST", 0 },
	/* Browsers mark nothing sent to ::ffff:127.0.0.1; HTTP/1.0 has no Host. */
	{ 0, "GET", "stop=a", NULL, 0, 0, "[::ffff:127.0.0.1]:8080", 0, 0, 405, "send a POST", "POST", 0 },
	{ 0, "GET", "stop=a", NULL, 0, 0, NO_HOST, 0, 0, 405, "send a POST", "POST", 0 },
	/* A server that passes no method is still a server. */
	{ 0, NULL, "stop=a", NULL, 0, 0, "192.168.1.1", "GATEWAY_INTERFACE=CGI/1.1", 0, 405, "send a POST", "POST", 0 },
	{ 0, "POST", "", "stop=a", 0, 0, NO_HOST, 0, 0, 0, "stop a", 0, 0 },
	{ 0, "GET", "stop=a", NULL, 0, 0, "192.168.1.1", 0, 0, 405, "an action by GET is carried out only from this machine or over HTTPS; send a POST: curl -d stop=a URL", "POST", 0 },
	{ O_HOSTS, "GET", "restart=b", NULL, 0, 0, "router.lan", 0, 0, 405, "curl -d restart=b URL", "POST", 0 },
	{ 0, "GET", "stop=a", NULL, 0, 0, "192.168.1.1", "HTTPS=on", 0, 0, "stop a", 0, 0 },
	{ 0, "GET", "stop=a", NULL, 0, 0, "192.168.1.1", "HTTPS=off", 0, 405, "send a POST", "POST", 0 },
	{ O_GET_ANYWHERE, "GET", "stop=a", NULL, 0, 0, "192.168.1.1", 0, 0, 0, "stop a", 0, 0 },
	{ 0, "POST", "", "stop=a", 0, 0, "192.168.1.1", 0, 0, 0, "stop a", 0, 0 },
	{ 0, "HEAD", "stop=a", NULL, 0, 0, "192.168.1.1", 0, 0, 405, "HEAD never acts", "POST", 0 },
	{ 0, "HEAD", "stop=a", NULL, 0, 0, "127.0.0.1", 0, 0, 405, "HEAD never acts", "GET, POST", 0 },
	{ 0, "GET", "list", NULL, 0, 0, "192.168.1.1", 0, 0, 0, "list", 0, 0 },
	/* What a browser marks as cross-site. */
	{ 0, "GET", "stop=a", NULL, 0, 0, 0, "SEC_FETCH_SITE=cross-site", 0, 403, "cross-site request refused", 0, 0 },
	{ 0, "POST", "", "stop=a", 0, 0, 0, "SEC_FETCH_SITE=same-site", 0, 403, "cross-site request refused", 0, 0 },
	{ 0, "POST", "", "stop=a", 0, 0, 0, "ORIGIN=http://evil.example", 0, 403, "cross-site request refused", 0, 0 },
	{ 0, "POST", "", "stop=a", 0, 0, 0, "ORIGIN=null", 0, 403, "cross-site request refused", 0, 0 },
	{ 0, "POST", "", "stop=a", 0, 0, 0, "ORIGIN=http://127.0.0.1:8080.evil.example", 0, 403, "cross-site", 0, 0 },
	{ 0, "POST", "", "stop=a", 0, 0, 0, "ORIGIN=http://127.0.0.1:9999", 0, 403, "cross-site", 0, 0 },
	{ 0, "POST", "", "stop=a", 0, 0, 0, "ORIGIN=http://127.0.0.1:8080", 0, 0, "stop a", 0, 0 },
	{ 0, "POST", "", "stop=a", 0, 0, "192.168.1.1", "ORIGIN=http://192.168.1.1", 0, 0, "stop a", 0, 0 },
	{ 0, "POST", "", "stop=a", 0, 0, "192.168.1.1:80", "ORIGIN=http://192.168.1.1", 0, 0, "stop a", 0, 0 },
	/* nginx passes Host without its port: SERVER_PORT is 8080 here. */
	{ 0, "POST", "", "stop=a", 0, 0, "192.168.1.1", "SERVER_PORT=8080 ORIGIN=http://192.168.1.1", 0, 403, "cross-site", 0, 0 },
	{ 0, "POST", "", "stop=a", 0, 0, "192.168.1.1", "SERVER_PORT=8080 ORIGIN=http://192.168.1.1:8080", 0, 0, "stop a", 0, 0 },
	{ 0, "POST", "", "stop=a", 0, 0, "192.168.1.1", "SERVER_PORT=8080 ORIGIN=http://192.168.1.1:9999", 0, 403, "cross-site", 0, 0 },
	{ 0, "POST", "", "stop=a", 0, 0, "[::1]", "SERVER_PORT=8080 ORIGIN=http://[::1]:8080", 0, 0, "stop a", 0, 0 },
	{ 0, "POST", "", "stop=a", 0, 0, 0, "SEC_FETCH_SITE=same-origin", 0, 0, "stop a", 0, 0 },
	{ 0, "GET", "stop=a", NULL, 0, 0, 0, "SEC_FETCH_SITE=none", 0, 0, "stop a", 0, 0 },
	{ 0, "GET", "list", NULL, 0, 0, 0, "SEC_FETCH_SITE=cross-site", 0, 0, "list", 0, 0 },
	/* The options' rules. */
	{ O_READ_ONLY, "GET", "stop=a", NULL, 0, 0, 0, 0, 0, 403, "read-only: actions are disabled", 0, 0 },
	{ O_READ_ONLY, "POST", "", "start=a", 0, 0, 0, 0, 0, 403, "read-only", 0, 0 },
	{ O_READ_ONLY, "HEAD", "stop=a", NULL, 0, 0, 0, 0, 0, 403, "read-only", 0, 0 },
	{ O_READ_ONLY, "GET", "list", NULL, 0, 0, 0, 0, 0, 0, "list", 0, 0 },
	{ O_POST_ONLY, "GET", "stop=a", NULL, 0, 0, 0, 0, 0, 405, "actions are accepted by POST only", "POST", 0 },
	{ O_POST_ONLY, "HEAD", "stop=a", NULL, 0, 0, 0, 0, 0, 405, "HEAD never acts", "POST", 0 },
	{ O_POST_ONLY, "POST", "", "stop=a", 0, 0, 0, 0, 0, 0, "stop a", 0, 0 },
	{ O_POST_ONLY, "GET", "list", NULL, 0, 0, 0, 0, 0, 0, "list", 0, 0 },
	{ O_ADMINS, "GET", "stop=a", NULL, 0, 0, 0, 0, 0, 403, "actions need an admin user", 0, 0 },
	{ O_ADMINS, "GET", "stop=a", NULL, 0, 0, 0, 0, "bob", 403, "actions need an admin user", 0, 0 },
	{ O_ADMINS, "GET", "stop=a", NULL, 0, 0, 0, 0, "alice,carol", 403, "actions need an admin user", 0, 0 },
	{ O_ADMINS, "GET", "stop=a", NULL, 0, 0, 0, 0, "carol", 0, "stop a", 0, 0 },
	{ O_ADMINS, "GET", "list", NULL, 0, 0, 0, 0, 0, 0, "list", 0, 0 },
	{ 0, "GET", "stop=procmon1", NULL, 0, 0, 0, 0, 0, 403, "\"procmon1\" is protected", 0, 0 },
	{ 0, "GET", "restart=a,procmon2", NULL, 0, 0, 0, 0, 0, 403, "\"procmon2\" is protected", 0, 0 },
	{ 0, "GET", "start=procmon1", NULL, 0, 0, 0, 0, 0, 0, "start procmon1", 0, 0 },
	/* -p adds to procmon's monitors: they stay protected. */
	{ O_PROTECT_SLEEP2, "GET", "stop=procmon1", NULL, 0, 0, 0, 0, 0, 403, "\"procmon1\" is protected", 0, 0 },
	{ O_PROTECT_SLEEP2, "GET", "stop=sleep2", NULL, 0, 0, 0, 0, 0, 403, "\"sleep2\" is protected", 0, 0 },
	{ O_PROTECT_SLEEP2, "GET", "start=sleep2", NULL, 0, 0, 0, 0, 0, 0, "start sleep2", 0, 0 },
};


static void
set(const char *name, const char *value)
{
	if (value != NULL)
		setenv(name, value, 1);
	else
		unsetenv(name);
}

/* The environment and stdin a web server would give the row. */
static void
give(const struct row *r, const char *bodyfile, size_t body_len)
{
	const char *h, *end;
	char length[24];
	FILE *f;

	/* Nothing of the caller's environment: a server passes this only. */
	clearenv();
	set("REQUEST_METHOD", r->method);
	set("GATEWAY_INTERFACE", r->method != NULL ? "CGI/1.1" : NULL);
	set("QUERY_STRING", r->query);
	set("REMOTE_USER", r->user);
	set("HTTP_HOST", r->host == NULL ? "127.0.0.1:8080" :
	    r->host[0] == '\0' ? NULL : r->host);
	set("CONTENT_TYPE", r->body != NULL && r->type == NULL ? FORM : r->type);
	snprintf(length, sizeof length, "%zu", body_len);
	set("CONTENT_LENGTH", r->length != NULL ? r->length :
	    r->body != NULL ? length : NULL);
	for (h = r->header; h != NULL && *h != '\0'; h = end + (*end == ' ')) {
		char name[64], value[128];
		const char *eq = strchr(h, '=');

		end = h + strcspn(h, " ");
		snprintf(name, sizeof name, "%s%.*s", strncmp(h, "HTTPS", 5) == 0 ||
		    strncmp(h, "SERVER_", 7) == 0 || strncmp(h, "GATEWAY_", 8) == 0 ||
		    strncmp(h, "REMOTE_", 7) == 0 ? "" : "HTTP_", (int)(eq - h), h);
		snprintf(value, sizeof value, "%.*s", (int)(end - eq - 1), eq + 1);
		setenv(name, value, 1);
	}
	if ((f = fopen(bodyfile, "w")) == NULL ||
	    fwrite(r->body != NULL ? r->body : "", 1, body_len, f) != body_len ||
	    fclose(f) != 0 || freopen(bodyfile, "r", stdin) == NULL) {
		perror(bodyfile);
		exit(1);
	}
}

/* "stop a b": the route's key and the names read. */
static void
describe(const struct request *req, char *out, size_t size)
{
	size_t i, n;

	const unsigned char *s;

	n = (size_t)snprintf(out, size, "%s", req->route->key);
	for (i = 0; i < req->count && n < size; i++) {
		n += (size_t)snprintf(out + n, size - n, " ");
		for (s = (const unsigned char *)req->names[i]; *s != '\0' &&
		    n < size; s++)
			n += (size_t)snprintf(out + n, size - n,
			    *s == '\n' ? "\\n" : *s >= 0x80 ? "\\x%02x" : "%c",
			    *s);
	}
}

static void
run(const struct row *r, bool with_policy, const char *bodyfile)
{
	struct policy pol = { .protected = NULL };
	struct refusal refusal = { NULL, "" };
	struct request req;
	size_t body_len = r->body_len > 0 ? r->body_len :
	    r->body != NULL ? strlen(r->body) : 0;
	char what[512], got[512];
	int status;

	pol.read_only = r->options & O_READ_ONLY;
	pol.post_only = r->options & O_POST_ONLY;
	pol.admins = r->options & O_ADMINS ? "alice,carol" : NULL;
	pol.get_anywhere = r->options & O_GET_ANYWHERE;
	pol.hosts = r->options & O_HOSTS ? "nas.lan,router.lan" :
	    r->options & O_ANY_HOST ? "*" : NULL;
	if (r->options & O_PROTECT_SLEEP2)
		pol.protected = "sleep2";
	give(r, bodyfile, body_len);
	if (request_init(&req, 1024, r->options & O_RESPONDER, false) == -1)
		exit(1);
	status = request_read(&req, serve_routes, &refusal);
	if (status == 0 && with_policy)
		status = policy_check(&pol, &req, &refusal);
	snprintf(what, sizeof what, "%s%s %s ?%.60s%s%.40s%s%s%s%s [%d] -> %d",
	    r->method != NULL ? "" : "(no method) ",
	    r->method != NULL ? r->method : "GET", r->host != NULL ?
	    r->host : "", r->query, r->body != NULL ? " body " : "",
	    r->body != NULL ? r->body : "", r->length != NULL ? " length " : "",
	    r->length != NULL ? r->length : "", r->header != NULL ? " " : "",
	    r->header != NULL ? r->header : "", r->options, r->status);
	if (status == 0)
		describe(&req, got, sizeof got);
	else
		snprintf(got, sizeof got, "%s", refusal.why);
	check(status == r->status && (status == 0 ? strcmp(got, r->why) == 0 :
	    strstr(got, r->why) != NULL) && (r->allow == NULL ?
	    refusal.allow == NULL : refusal.allow != NULL &&
	    strcmp(refusal.allow, r->allow) == 0),
	    "%s %s (got %d: %s%s%s)", what, r->why, status, got,
	    refusal.allow != NULL ? ", Allow: " : "",
	    refusal.allow != NULL ? refusal.allow : "");
	request_free(&req);
}

/* The limit (1024 bytes), for the query and the body: at it, and past it. */
static void
test_bounds(const char *bodyfile)
{
	static char at[1025], past[1026];
	struct row r = { 0, "GET", at, NULL, 0, 0, 0, 0, 0, 400,
	    "stop needs a process name", 0, 0 };

	memcpy(at, "stop=", 5);
	memset(at + 5, 'a', sizeof at - 6);
	memcpy(past, at, sizeof at - 1);
	past[sizeof past - 2] = 'a';
	run(&r, false, bodyfile);
	r.query = past;
	r.status = 414;
	r.why = "query string over 1024 bytes";
	run(&r, false, bodyfile);
	r = (struct row){ 0, "POST", "", at, 0, 0, 0, 0, 0, 400,
	    "stop needs a process name", 0, 0 };
	run(&r, false, bodyfile);
	r.body = past;
	r.status = 413;
	r.why = "request body over 1024 bytes";
	run(&r, false, bodyfile);
}

/*
 * A body of another type that names an action (a form posted text/plain
 * or multipart from another site) is refused, and the action it named
 * kept for the audit trail.
 */
static void
test_refused_bodies(const char *bodyfile)
{
	static const struct {
		const char	*body, *type, *key;
	} bodies[] = {
		{ "stop=victim\r\n", "text/plain", "stop" },
		{ "x=1\r\nrestart=victim\r\n", "text/plain", "restart" },
		{ "--b\r\nContent-Disposition: form-data; name=\"start\"\r\n"
		    "\r\nvictim\r\n--b--\r\n", "multipart/form-data; boundary=b",
		    "start" },
		{ "{\"stop\": \"victim\"}", "application/json", NULL },
		{ "nonstop=x", "text/plain", NULL },
		{ "list=", "text/plain", NULL },
	};
	struct refusal refusal = { NULL, "" };
	struct request req;
	struct row r = { 0 };
	size_t i;

	for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		r.method = "POST";
		r.query = "";
		r.body = bodies[i].body;
		r.type = bodies[i].type;
		give(&r, bodyfile, strlen(r.body));
		if (request_init(&req, 1024, false, false) == -1)
			exit(1);
		check(request_read(&req, serve_routes, &refusal) == 415 &&
		    (bodies[i].key == NULL ? !request_acts(&req) :
		    request_acts(&req) &&
		    strcmp(req.route->key, bodies[i].key) == 0),
		    "%s body naming %s: 415, %s", bodies[i].type,
		    bodies[i].key != NULL ? bodies[i].key : "no action",
		    bodies[i].key != NULL ? "and audited" : "not audited");
		request_free(&req);
	}
}

int
main(void)
{
	char bodyfile[] = "/tmp/fcgi_proc-requests.XXXXXX";
	size_t i;
	int fd;

	if ((fd = mkstemp(bodyfile)) == -1)
		return 1;
	close(fd);
	for (i = 0; i < sizeof grammar / sizeof grammar[0]; i++)
		run(&grammar[i], false, bodyfile);
	for (i = 0; i < sizeof rules / sizeof rules[0]; i++)
		run(&rules[i], true, bodyfile);
	test_bounds(bodyfile);
	test_refused_bodies(bodyfile);
	unlink(bodyfile);
	return check_summary();
}
