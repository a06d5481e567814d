/* SPDX-License-Identifier: MIT */
/*
 * Who may ask what: the Host a request names, then for an action the
 * options' rules (read-only, POST only, admins, protected names) and the
 * marks a browser leaves on requests one page makes of another site.
 */
#ifndef POLICY_H
#define POLICY_H

#include <stdbool.h>

#include "request.h"

/* procmon's own monitors: never stopped or restarted from here. */
#define POLICY_PROTECTED	"procmon1,procmon2"

struct policy {
	bool		 read_only;	/* -r */
	bool		 post_only;	/* -P */
	bool		 get_anywhere;	/* -g: the original's GET actions */
	const char	*admins;	/* -a, or NULL: anyone may act */
	const char	*protected;	/* -p: besides POLICY_PROTECTED, or
					   NULL */
	const char	*hosts;		/* -H: names served besides IP
					   literals and localhost; "*": any */
};

/* True if name is never stopped or restarted. */
bool	policy_protects(const struct policy *, const char *name);

/* 0 if req may be carried out, or the status it is refused with. */
int	policy_check(const struct policy *, const struct request *,
	    struct refusal *);

#endif
