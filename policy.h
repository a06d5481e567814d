/*
 * Who may ask what: the Host a request names, then for an action the
 * options' rules (read-only, POST only, admins, protected names) and the
 * marks a browser leaves on requests one page makes of another site.
 */
#ifndef POLICY_H
#define POLICY_H

#include <stdbool.h>

#include "request.h"

struct policy {
	bool		 read_only;	/* -r */
	bool		 post_only;	/* -P */
	bool		 get_anywhere;	/* -g: the original's GET actions */
	const char	*admins;	/* -a, or NULL: anyone may act */
	const char	*protected;	/* -p: never stopped or restarted */
	const char	*protected_always; /* setuid: what -p cannot undo */
	const char	*hosts;		/* -H: names served besides IP
					   literals and localhost; "*": any */
};

/* True if name is never stopped or restarted (-p). */
bool	policy_protects(const struct policy *, const char *name);

/* 0 if req may be carried out, or the status it is refused with. */
int	policy_check(const struct policy *, const struct request *,
	    struct refusal *);

#endif
