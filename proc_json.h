/* SPDX-License-Identifier: MIT */
/*
 * A process as the list, ?status and the answers to actions show it: the
 * original fcgi_proc's six keys in its order, then ours.
 */
#ifndef PROC_JSON_H
#define PROC_JSON_H

#include <time.h>

#include "json_out.h"
#include "policy.h"
#include "procmon_client.h"

void	proc_json(struct json *, const struct policy *,
	    const struct pm_proc *, time_t now, enum pm_procmon_state);

#endif
