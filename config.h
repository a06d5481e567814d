/* SPDX-License-Identifier: MIT */
/*
 * What the options and the way the program was started decide, passed to
 * every route: where procmon's files are and whose to believe (pm), who
 * may ask what (policy), and how requests are read and answered.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "policy.h"
#include "procmon_client.h"

struct config {
	struct pm_config pm;
	struct policy	 policy;
	size_t		 limit;		/* longest query string or body */
	bool		 verbose;	/* -v: a line per request on stderr */
	bool		 body_only;	/* -b: no CGI header lines */
	bool		 privileged;	/* setuid, setgid, file capabilities */
	uid_t		 caller;	/* the real uid, who ran us */
};

#endif
