/* SPDX-License-Identifier: MIT */
/*
 * A request, read from the CGI environment (RFC 3875) and, for POST, its
 * form body: what it asks, and what the web server says of who asks.
 * Reading never answers: it returns 0, or the HTTP status to answer with
 * and a sentence saying why.
 */
#ifndef REQUEST_H
#define REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "names.h"

#define NAMES_MAX	16	/* processes one action may name */
#define SECONDS_MAX	30	/* the longest wait= or grace= */

struct answer;
struct config;
struct request;

/* What a route does: fills in the answer, never writes it out. */
typedef void route_run(const struct config *, const struct request *,
    struct answer *);

enum route_names { NO_NAME, ONE_NAME, NAMES };

/* What a route is, besides its handler and names. */
#define ROUTE_ACTS	0x1	/* changes something: wait=, the audit,
				   the rules of actions (policy.c) */
#define ROUTE_KILLS	0x2	/* signals: grace=, protected names */
#define ROUTE_PLAIN	0x4	/* asked by a request of no parameter */
#define ROUTE_PAGE	0x8	/* ... when a browser loads a page */

/* One row of the API: everything about a query key (serve.c). */
struct route {
	char		 key[12];
	route_run	*run;
	enum route_names names;
	unsigned	 flags;
};

struct request {
	/* Who asks, as the web server says; NULL where it says nothing. */
	const char		*method;	/* "GET" from a shell */
	bool			 shell;		/* no web server at all */
	bool			 head;
	bool			 post;
	const char		*host;		/* NULL: no Host */
	const char		*origin;
	const char		*fetch_site;	/* Sec-Fetch-Site */
	const char		*user;		/* REMOTE_USER */
	const char		*addr;		/* REMOTE_ADDR */
	const char		*port;		/* SERVER_PORT */
	bool			 https;
	bool			 page_load;	/* Accept: text/html first */
	const char		*query;		/* QUERY_STRING, as passed */
	const char		*body;		/* the body as read, or NULL */

	/* What it asks. */
	const struct route	*route;		/* NULL until a key is read */
	char			 names[NAMES_MAX][NAME_MAX_LEN + 1];
	size_t			 count;
	bool			 several;	/* a list: an answer per name */
	int			 wait;		/* seconds, or -1 if not given */
	int			 grace;		/* seconds, or -1 if not given */

	/* Fixed at request_init(). */
	bool			 responder;	/* a persistent FastCGI one */
	size_t			 limit;
	char			*scratch;	/* decoded in place */
	char			*body_copy;	/* for the log, if kept */
};

/* Why a request is refused, beside the status returned. */
struct refusal {
	const char	*allow;		/* a 405's Allow header, or NULL */
	char		 why[384];	/* a sentence for people */
};

/*
 * responder: requests come to a persistent FastCGI responder, which is
 * never a shell's.  keep_body: the body as read is kept, for -v's log.
 * 0 or -1.
 */
int	request_init(struct request *, size_t limit, bool responder,
	    bool keep_body);
void	request_free(struct request *);

/* routes: the API, ended by a row of empty key.  0 or the status. */
int	request_read(struct request *, const struct route *routes,
	    struct refusal *);
bool	request_acts(const struct request *);
int	refuse(struct refusal *, int status, const char *, ...)
	    PRINTF_LIKE(3, 4);		/* returns status */

#endif
