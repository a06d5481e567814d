/*
 * What each route does: the list, one process's status, the metrics, and
 * start, stop and restart with their wait and grace.  Each fills in the
 * answer; nothing here writes it out.
 */
#ifndef ACTIONS_H
#define ACTIONS_H

#include "policy.h"
#include "request.h"
#include "respond.h"

/* Where procmon's lockfiles are, and the rules, for what lists show. */
struct site {
	const char		*dir;
	const struct policy	*policy;
};

void	actions_run(const struct site *, const struct request *,
	    struct answer *);
void	actions_release(void);	/* what lists keep between requests */

#endif
