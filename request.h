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
#include "procmon_client.h"

#define NAMES_MAX	16	/* processes one action may name */
#define SECONDS_MAX	30	/* the longest wait= or grace= */

enum route_id { ROUTE_LIST, ROUTE_METRICS, ROUTE_STATUS, ROUTE_ACTION };

/* The API: one row per query key. */
struct route {
	char		 key[8];
	enum route_id	 id;
	bool		 takes_name;
	bool		 acts;		/* changes something */
	enum pm_action	 action;	/* if it acts */
};

struct request {
	/* Who asks, as the web server says; NULL where it says nothing. */
	const char		*method;	/* "GET" from a shell */
	bool			 shell;		/* no web server's variables */
	bool			 head;
	bool			 post;
	const char		*host;		/* NULL: no Host */
	const char		*origin;
	const char		*fetch_site;	/* Sec-Fetch-Site */
	const char		*user;		/* REMOTE_USER */
	const char		*addr;		/* REMOTE_ADDR */
	const char		*port;		/* SERVER_PORT */
	bool			 https;
	const char		*query;		/* QUERY_STRING, as passed */
	const char		*body;		/* the body as read, or NULL */

	/* What it asks. */
	const struct route	*route;		/* NULL until a key is read */
	char			 names[NAMES_MAX][NAME_MAX_LEN + 1];
	size_t			 count;
	bool			 several;	/* a list: an answer per name */
	int			 wait;		/* seconds, or -1 if not given */
	int			 grace;		/* seconds, or -1 if not given */

	/* Room for the query string and body, limit + 1 bytes each. */
	size_t			 limit;
	char			*scratch;	/* decoded in place */
	char			*body_copy;	/* for the log, if kept */
};

/* Why a request is refused, beside the status returned. */
struct refusal {
	const char	*allow;		/* a 405's Allow header, or NULL */
	char		 why[256];	/* a sentence for people */
};

/* keep_body: the body as read is kept, for -v's log.  0 or -1. */
int	request_init(struct request *, size_t limit, bool keep_body);
void	request_free(struct request *);
int	request_read(struct request *, struct refusal *);  /* 0 or status */
bool	request_acts(const struct request *);
int	refuse(struct refusal *, int status, const char *, ...)
	    PRINTF_LIKE(3, 4);		/* returns status */

#endif
