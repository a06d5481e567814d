/*
 * The answer to a request, made whole before it is sent, and the one
 * function that sends it; the logs of what was asked and done.
 */
#ifndef RESPOND_H
#define RESPOND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "request.h"

struct answer {
	int		 status;
	const char	*allow;		/* a 405's Allow header, or NULL */
	const char	*type;		/* Content-Type: JSON if NULL */
	struct buf	 body;		/* its room is kept for the next */
	char		 why[256];	/* an error's description, or "" */
	/* What was done, for the logs. */
	pid_t		 killed[NAMES_MAX];
	int		 signals[NAMES_MAX];
	size_t		 nkilled;
	size_t		 untrusted;	/* procmon.* files a list left out */
};

void	answer_reset(struct answer *);
void	answer_error(struct answer *, int status, const char *description);
void	respond(const struct answer *, bool head);

/* -v: one line per request on stderr, the web server's error log. */
void	log_request(const struct request *, const struct answer *);
/* Every action, done or refused, to syslog. */
void	audit(const struct request *, const struct answer *);

#endif
