/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "dashboard.h"
#include "json_out.h"
#include "metrics.h"
#include "proc_json.h"
#include "respond.h"
#include "show.h"

#define METRICS_TYPE	"text/plain; version=0.0.4; charset=utf-8"
#define HTML_TYPE	"text/html; charset=utf-8"
/* The page's own script and style, and requests to the API only. */
#define PAGE_POLICY	"default-src 'none'; script-src 'unsafe-inline'; " \
			"style-src 'unsafe-inline'; connect-src 'self'; " \
			"base-uri 'none'; form-action 'none'; " \
			"frame-ancestors 'none'"

/* A failed lookup, as a status and a sentence (in why). */
static void
fail(struct answer *ans, enum pm_status status, const char *name, char *why)
{
	answer_error(ans, answer_status_of(status, name, why), why);
}

/* The body is whole, or the answer is a 500 that says why. */
static void
check_written(struct answer *ans, const char *what)
{
	char desc[64];

	if (ans->body.failed) {
		snprintf(desc, sizeof desc, "out of memory writing the %s",
		    what);
		answer_error(ans, 500, desc);
	}
}

/* What a list left out or could not read, for the logs. */
static void
note_list(struct answer *ans, const struct pm_list *list)
{
	size_t i;

	memcpy(ans->left_out, list->left_out, sizeof ans->left_out);
	for (i = 0; i < list->count; i++)
		ans->unreadable += list->procs[i].head.fit != HEADER_OURS;
}

void
show_list(const struct config *cfg, const struct request *req,
    struct answer *ans)
{
	char why[PM_WHY_MAX];
	struct pm_procmon pm;
	struct pm_list list;
	enum pm_status status;
	struct json j;
	time_t now;
	size_t i;

	(void)req;
	if ((status = pm_list(&cfg->pm, &list, why)) != PM_OK) {
		fail(ans, status, "", why);
		return;
	}
	now = time(NULL);
	pm_procmon_listed(&list, &pm);
	json_init(&j, &ans->body);
	json_array_open(&j);
	for (i = 0; i < list.count; i++)
		proc_json(&j, &cfg->policy, &list.procs[i], now, pm.state);
	json_array_close(&j);
	note_list(ans, &list);
	pm_list_free(&list);
	check_written(ans, "list");
}

void
show_status(const struct config *cfg, const struct request *req,
    struct answer *ans)
{
	char why[PM_WHY_MAX];
	struct pm_procmon pm;
	enum pm_status status;
	struct pm_proc p;
	struct json j;

	if ((status = pm_get(&cfg->pm, req->names[0], &p, why)) != PM_OK) {
		fail(ans, status, req->names[0], why);
		return;
	}
	pm_procmon(&cfg->pm, &pm);
	json_init(&j, &ans->body);
	proc_json(&j, &cfg->policy, &p, time(NULL), pm.state);
	pm_proc_free(&p);
	check_written(ans, "status");
}

/* Prometheus's text exposition format, version 0.0.4. */
void
show_metrics(const struct config *cfg, const struct request *req,
    struct answer *ans)
{
	char why[PM_WHY_MAX];
	enum pm_status status;
	struct pm_list list;

	(void)req;
	if ((status = pm_list(&cfg->pm, &list, why)) != PM_OK) {
		fail(ans, status, "", why);
		return;
	}
	ans->type = METRICS_TYPE;
	metrics_write(&ans->body, &list);
	note_list(ans, &list);
	pm_list_free(&list);
	check_written(ans, "metrics");
}

/*
 * procmon itself, and why a list may be short: whether its own entries
 * are there and run, and which procmon.* files were left out.
 */
static void
describe_procmon(struct buf *out, const struct pm_list *list,
    enum pm_procmon_state state)
{
	size_t i, untrusted = 0;

	for (i = 0; i < PM_DISTRUSTS; i++)
		untrusted += list->left_out[i];
	if (state == PM_PROCMON_RUNNING)
		buf_adds(out, "procmon runs");
	else if (state == PM_PROCMON_STOPPED)
		buf_adds(out, "procmon is not running: nothing will start or "
		    "restart a process until it runs again");
	else
		buf_adds(out, "no lockfile of procmon's own (procmon.procmon1, "
		    "procmon.procmon2) in the lockfile directory: is procmon "
		    "running, and is this its directory (-d)?");
	if (untrusted > 0)
		buf_printf(out, "; %zu procmon.* files left out as not "
		    "trusted%s", untrusted, list->left_out[PM_OWNER] > 0 ?
		    ": if procmon runs as another user, name it with -u" : "");
}

void
show_procmon(const struct config *cfg, const struct request *req,
    struct answer *ans)
{
	static const char *const state_names[] = { "not found", "running",
	    "stopped" };
	char why[PM_WHY_MAX];
	struct buf text = { 0 };
	struct pm_procmon pm;
	enum pm_status status;
	struct pm_list list;
	struct json j;
	size_t i;

	(void)req;
	if ((status = pm_list(&cfg->pm, &list, why)) != PM_OK) {
		fail(ans, status, "", why);
		return;
	}
	pm_procmon_listed(&list, &pm);
	note_list(ans, &list);
	describe_procmon(&text, &list, pm.state);
	json_init(&j, &ans->body);
	json_object_open(&j);
	json_key(&j, "procmon");
	json_cstring(&j, state_names[pm.state]);
	json_key(&j, "listed");
	json_uint(&j, list.count);
	json_key(&j, "unreadable");
	json_uint(&j, ans->unreadable);
	json_key(&j, "untrusted");
	json_object_open(&j);
	for (i = 0; i < PM_DISTRUSTS; i++)
		if (list.left_out[i] > 0) {
			json_key(&j, pm_distrust_key((enum pm_distrust)i));
			json_uint(&j, list.left_out[i]);
		}
	json_object_close(&j);
	json_key(&j, "description");
	json_string(&j, text.data != NULL ? text.data : "", text.len);
	json_object_close(&j);
	ans->body.failed |= text.failed;
	buf_free(&text);
	pm_list_free(&list);
	check_written(ans, "procmon's state");
}

/* The page of the dashboard, built into the program (www/index.html). */
void
show_dashboard(const struct config *cfg, const struct request *req,
    struct answer *ans)
{
	(void)cfg;
	(void)req;
	ans->type = HTML_TYPE;
	ans->policy = PAGE_POLICY;
	buf_add(&ans->body, dashboard_html, dashboard_html_len);
	check_written(ans, "page");
}
