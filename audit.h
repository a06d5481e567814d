/* SPDX-License-Identifier: MIT */
/*
 * What a request asked and what came of it, in one line: for -v on
 * standard error, and for every action, done or refused, in the audit
 * trail (syslog, facility daemon).
 */
#ifndef AUDIT_H
#define AUDIT_H

#include "config.h"
#include "request.h"
#include "respond.h"

void	audit_verbose(const struct request *, const struct answer *);
void	audit_action(const struct config *, const struct request *,
	    const struct answer *);

#endif
