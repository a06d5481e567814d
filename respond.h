/* SPDX-License-Identifier: MIT */
/*
 * The answer to a request, made whole before it is sent, and the one
 * function that sends it.
 */
#ifndef RESPOND_H
#define RESPOND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "procmon_client.h"

#define KILLS_MAX	64	/* signals an answer remembers for the logs */

/* A signal sent, for the logs. */
struct kill {
	pid_t		 pid;
	int		 signal;
	bool		 descendant;	/* of a lock holder */
};

struct answer {
	int		 status;
	const char	*allow;		/* a 405's Allow header, or NULL */
	const char	*type;		/* Content-Type: JSON if NULL */
	const char	*policy;	/* Content-Security-Policy: the
					   API's if NULL */
	struct buf	 body;		/* its room is kept for the next */
	char		 why[384];	/* an error's description, or "" */
	/* What was done and seen, for the logs. */
	struct kill	 kills[KILLS_MAX];
	size_t		 nkills;	/* may exceed KILLS_MAX */
	size_t		 left_out[PM_DISTRUSTS];
	size_t		 unreadable;	/* headers of another layout */
};

void	answer_reset(struct answer *);
void	answer_error(struct answer *, int status, const char *description);
void	answer_kill(struct answer *, pid_t, int signal, bool descendant);

/*
 * The HTTP status of a procmon_client call that failed on name.  why
 * (PM_WHY_MAX bytes) holds the call's sentence; where it leaves none (no
 * such name, or one procmon is removing), one is written there.
 */
int	answer_status_of(enum pm_status, const char *name, char *why);

/* The CGI response; body_only (-b, from a shell): the body alone. */
void	respond(const struct answer *, bool head, bool body_only);

#endif
