/* SPDX-License-Identifier: MIT */
#include "act.h"
#include "audit.h"
#include "serve.h"
#include "show.h"

/*
 * The API: one row per query key, saying everything about it (see struct
 * route).  A request of no parameter lists, or to a browser loading a
 * page, shows the dashboard.
 */
const struct route serve_routes[] = {
	{ "list",	show_list,	NO_NAME,	ROUTE_PLAIN },
	{ "status",	show_status,	ONE_NAME,	0 },
	{ "metrics",	show_metrics,	NO_NAME,	0 },
	{ "procmon",	show_procmon,	NO_NAME,	0 },
	{ "dashboard",	show_dashboard,	NO_NAME,	ROUTE_PAGE },
	{ "start",	act_start,	NAMES,		ROUTE_ACTS },
	{ "stop",	act_stop,	NAMES,		ROUTE_ACTS | ROUTE_KILLS },
	{ "restart",	act_restart,	NAMES,		ROUTE_ACTS | ROUTE_KILLS },
	{ "",		NULL,		NO_NAME,	0 }
};

/* Read, checked, carried out, answered, logged: nothing acts unchecked. */
void
serve(const struct config *cfg, struct request *req, struct answer *ans)
{
	struct refusal refusal = { NULL, "" };
	int status;

	answer_reset(ans);
	if ((status = request_read(req, serve_routes, &refusal)) == 0 &&
	    (status = policy_check(&cfg->policy, req, &refusal)) == 0)
		req->route->run(cfg, req, ans);
	else {
		answer_error(ans, status, refusal.why);
		ans->allow = refusal.allow;
	}
	/* The body alone (-b) is for a shell: a web server needs the status. */
	respond(ans, req->head, cfg->body_only && req->shell);
	if (request_acts(req))
		audit_action(cfg, req, ans);
	if (cfg->verbose)
		audit_verbose(req, ans);
}
