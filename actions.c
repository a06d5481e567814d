#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "actions.h"
#include "json_out.h"
#include "metrics.h"
#include "proc_stat.h"
#include "refresh.h"

#define METRICS_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/* What one action did to one process. */
struct result {
	int		 status;
	char		 description[256];
	bool		 acted;		/* deed.out says what was done */
	struct pm_deed	 deed;
	struct pm_proc	 proc;		/* as seen after waiting, if waited */
};

/* A persistent responder lists again and again: see refresh.c. */
static struct pm_kept kept;

/*
 * One process: the original list's six keys in its order, then for
 * programs the state's age in seconds and its start as a Unix time, for
 * a running process what the kernel says of it (absent if unknown),
 * whether it is protected (absent if not), and whether procmon itself
 * runs (absent where it has no entries).
 */
static void
write_proc(struct json *j, const struct site *site, const struct pm_proc *p,
    time_t now, enum pm_procmon procmon)
{
	char since[PM_SINCE_MAX];
	struct proc_stat st;

	pm_format_since(since, sizeof since, p->lock.starttime, now);
	json_object_open(j);
	json_key(j, "name");
	json_cstring(j, p->name);
	json_key(j, "pid");
	json_int(j, p->lock.pid);
	json_key(j, "runcount");
	json_uint(j, p->lock.runcount);
	json_key(j, "since");
	json_cstring(j, since);
	json_key(j, "state");
	json_cstring(j, pm_running(p) ? "running" : "stopped");
	json_key(j, "exec");
	json_string(j, p->exec, p->exec_len);
	json_key(j, "age");
	json_uint(j, pm_age(p->lock.starttime, now));
	json_key(j, "since_epoch");
	json_int(j, (long long)p->lock.starttime);
	if (pm_running(p) && proc_stat_read(p->lock.pid, &st) == 0) {
		json_key(j, "rss_bytes");
		json_uint(j, st.rss_bytes);
		json_key(j, "cpu_seconds");
		json_centis(j, st.cpu_centis);
		json_key(j, "threads");
		json_int(j, st.threads);
	}
	if (policy_protects(site->policy, p->name)) {
		json_key(j, "protected");
		json_bool(j, true);
	}
	if (procmon != PM_PROCMON_ABSENT) {
		json_key(j, "procmon");
		json_cstring(j, procmon == PM_PROCMON_RUNNING ? "running" :
		    "stopped");
	}
	json_object_close(j);
}

/* What a failed lookup or action means: a status and a sentence. */
static int
explain(enum pm_status status, const char *name, char *desc, size_t size)
{
	switch (status) {
	case PM_UNKNOWN:
		snprintf(desc, size, "no process named \"%s\"", name);
		return 404;
	case PM_UNTRUSTED:
		snprintf(desc, size, "lockfile of \"%s\" is not trusted: not "
		    "a procmon lockfile of root, of procmon's user or of this "
		    "program's user", name);
		return 403;
	case PM_DELETING:
		snprintf(desc, size, "\"%s\" is being removed by procmon",
		    name);
		return 409;
	case PM_NOT_HOLDER:
		snprintf(desc, size, "%s", pm_error());
		return 409;
	default:
		snprintf(desc, size, "%s", pm_error());
		return 500;
	}
}

static void
fail(struct answer *ans, enum pm_status status, const char *name)
{
	char desc[256];

	answer_error(ans, explain(status, name, desc, sizeof desc), desc);
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

static void
run_list(const struct site *site, struct answer *ans)
{
	enum pm_status status;
	enum pm_procmon procmon;
	struct json j;
	time_t now;
	size_t i;

	if ((status = pm_refresh(site->dir, &kept)) != PM_OK) {
		fail(ans, status, "");
		return;
	}
	now = time(NULL);
	procmon = pm_procmon_listed(&kept.list);
	json_init(&j, &ans->body);
	json_array_open(&j);
	for (i = 0; i < kept.list.count; i++)
		write_proc(&j, site, &kept.list.procs[i], now, procmon);
	json_array_close(&j);
	ans->untrusted = kept.list.untrusted;
	check_written(ans, "list");
}

/* Prometheus's text exposition format, version 0.0.4. */
static void
run_metrics(const struct site *site, struct answer *ans)
{
	enum pm_status status;

	if ((status = pm_refresh(site->dir, &kept)) != PM_OK) {
		fail(ans, status, "");
		return;
	}
	ans->type = METRICS_TYPE;
	metrics_write(&ans->body, &kept.list);
	ans->untrusted = kept.list.untrusted;
	check_written(ans, "metrics");
}

static void
run_status(const struct site *site, const char *name, struct answer *ans)
{
	enum pm_status status;
	struct pm_proc p;
	struct json j;

	if ((status = pm_get(site->dir, name, &p)) != PM_OK) {
		fail(ans, status, name);
		return;
	}
	json_init(&j, &ans->body);
	write_proc(&j, site, &p, time(NULL), pm_procmon(site->dir));
	free(p.name);
	check_written(ans, "status");
}

/* A sentence for people; the other keys of the answer are for programs. */
static const char *
describe(enum pm_action action, const struct pm_outcome *out)
{
	bool term = out->signal == SIGTERM;

	if (action == PM_STOP) {
		if (out->killed)
			return term ? "stopped; the process ended on SIGTERM" :
			    "stopped; the process was killed";
		return out->changed ? "stopped; it was not running" :
		    "already stopped";
	}
	if (out->killed)
		return term ? "restarting; the process ended on SIGTERM and "
		    "procmon starts it again" : "restarting; the process was "
		    "killed and procmon starts it again";
	if (out->changed && out->was_running)
		return "running; its stop flag was cleared, procmon "
		    "supervises it again";
	if (out->changed)
		return "starting; procmon starts it within a second";
	if (action == PM_START)
		return "already started";
	return "already restarting; procmon starts it within a second";
}

static long long
elapsed_ns(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000000000LL +
	    (now.tv_nsec - since->tv_nsec);
}

/*
 * Whether the action's outcome is seen in p (stopped: no lock holder;
 * started: a holder; restarted: a holder other than the process running
 * when it was acted on), or 409 if procmon is removing what was to run
 * again.
 */
static int
outcome(enum pm_action action, const struct pm_proc *p,
    const struct pm_deed *d)
{
	pid_t old = action == PM_RESTART && d->out.was_running ?
	    d->holder.pid : d->out.killed;

	if (action == PM_STOP ? !pm_running(p) :
	    pm_running(p) && p->lock.pid != old)
		return 200;
	if (action != PM_STOP && p->lock.terminate == PM_TERMINATE_DELETE)
		return 409;
	return 0;
}

/*
 * Watches the process until the action's outcome is seen, until wait
 * seconds after start.  res->proc is the last state seen; the status
 * stays 200, or is 504 if time ran out, 409 if procmon is removing what
 * was to run again, or the lookup's if the lockfile went away or became
 * untrusted.
 */
static void
await_outcome(const char *dir, const char *name, enum pm_action action,
    int wait, const struct timespec *start, struct result *res)
{
	const struct timespec tick = { 0, 20 * 1000 * 1000 };
	struct pm_proc *p = &res->proc;
	enum pm_status status;
	int seen;

	for (;;) {
		if ((status = pm_get(dir, name, p)) != PM_OK) {
			p->name = NULL;
			res->status = explain(status, name, res->description,
			    sizeof res->description);
			return;
		}
		if ((seen = outcome(action, p, &res->deed)) == 409)
			res->status = explain(PM_DELETING, name,
			    res->description, sizeof res->description);
		if (seen != 0)
			return;
		if (elapsed_ns(start) >= wait * 1000000000LL) {
			res->status = 504;
			snprintf(res->description, sizeof res->description,
			    "not %s after %d s", action == PM_STOP ?
			    "stopped" : "running again", wait);
			return;
		}
		free(p->name);
		nanosleep(&tick, NULL);
	}
}

/*
 * The answer for one name: the original's error object, or what was done
 * (kept when the wait then failed: the action happened all the same).
 */
static void
write_result(struct json *j, const struct site *site,
    const struct request *req, const char *name, const struct result *res,
    enum pm_procmon procmon)
{
	const struct pm_outcome *out = &res->deed.out;

	json_object_open(j);
	json_key(j, "status");
	json_int(j, res->status);
	json_key(j, "name");
	json_cstring(j, name);
	if (res->acted) {
		json_key(j, "action");
		json_cstring(j, req->route->key);
		json_key(j, "changed");
		json_bool(j, out->changed || out->killed != 0);
		if (out->killed != 0) {
			json_key(j, "killed");
			json_int(j, out->killed);
			json_key(j, "signal");
			json_cstring(j, out->signal == SIGTERM ? "SIGTERM" :
			    "SIGKILL");
		}
	}
	json_key(j, "description");
	json_cstring(j, res->description);
	if (res->proc.name != NULL) {
		json_key(j, "process");
		write_proc(j, site, &res->proc, time(NULL), procmon);
	}
	json_object_close(j);
}

/*
 * One name is answered as the original did; several, with the result of
 * each, and 200 only if every one succeeded (else the first failure's).
 */
static void
write_results(const struct site *site, const struct request *req,
    struct result *results, enum pm_procmon procmon, struct answer *ans)
{
	struct json j;
	size_t i;

	for (i = 0; i < req->count && ans->status == 200; i++)
		ans->status = results[i].status;
	if (!req->several && !results[0].acted) {
		answer_error(ans, ans->status, results[0].description);
		return;
	}
	json_init(&j, &ans->body);
	if (!req->several) {
		write_result(&j, site, req, req->names[0], &results[0],
		    procmon);
		return;
	}
	json_object_open(&j);
	json_key(&j, "status");
	json_int(&j, ans->status);
	json_key(&j, "action");
	json_cstring(&j, req->route->key);
	json_key(&j, "results");
	json_array_open(&j);
	for (i = 0; i < req->count; i++)
		write_result(&j, site, req, req->names[i], &results[i],
		    procmon);
	json_array_close(&j);
	json_object_close(&j);
}

/*
 * Every name is acted on at once (all were validated and authorized
 * first): SIGTERM to every process, then one grace for all of them, then
 * SIGKILL to those still holding their locks; then one wait for all.
 */
static void
run_action(const struct site *site, const struct request *req,
    struct answer *ans)
{
	const char *dir = site->dir;
	static struct result results[NAMES_MAX];
	enum pm_action action = req->route->action;
	enum pm_procmon procmon = pm_procmon(dir);
	struct pm_deed *deeds[NAMES_MAX];
	struct timespec start;
	enum pm_status status;
	size_t i, n = 0;

	/* Nothing would start what start and restart leave to procmon. */
	if (procmon == PM_PROCMON_STOPPED && action != PM_STOP) {
		answer_error(ans, 503, action == PM_START ? "procmon is not "
		    "running: nothing would start it; start procmon first" :
		    "procmon is not running: nothing would start it again, so "
		    "nothing was killed; start procmon first");
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < req->count; i++) {
		memset(&results[i], 0, sizeof results[i]);
		status = pm_begin(dir, req->names[i], action, req->grace > 0,
		    &results[i].deed);
		if (status != PM_OK)
			results[i].status = explain(status, req->names[i],
			    results[i].description,
			    sizeof results[i].description);
		else
			deeds[n++] = &results[i].deed;
	}
	pm_await_ending(deeds, n, req->grace > 0 ? (unsigned)req->grace : 0);
	for (i = 0; i < req->count; i++) {
		struct result *res = &results[i];
		const struct pm_outcome *out = &res->deed.out;

		if (res->status != 0)
			continue;
		if ((status = pm_finish(&res->deed)) != PM_OK)
			res->status = explain(status, req->names[i],
			    res->description, sizeof res->description);
		else {
			res->status = 200;
			snprintf(res->description, sizeof res->description,
			    "%s", describe(action, out));
		}
		res->acted = true;
		if (out->killed != 0 && ans->nkilled < NAMES_MAX) {
			ans->killed[ans->nkilled] = out->killed;
			ans->signals[ans->nkilled++] = out->signal;
		}
	}
	for (i = 0; i < req->count && req->wait > 0; i++)
		if (results[i].status == 200)
			await_outcome(dir, req->names[i], action, req->wait,
			    &start, &results[i]);
	write_results(site, req, results, procmon, ans);
	for (i = 0; i < req->count; i++)
		free(results[i].proc.name);
	check_written(ans, "answer");
}

void
actions_run(const struct site *site, const struct request *req,
    struct answer *ans)
{
	switch (req->route->id) {
	case ROUTE_LIST:
		run_list(site, ans);
		break;
	case ROUTE_METRICS:
		run_metrics(site, ans);
		break;
	case ROUTE_STATUS:
		run_status(site, req->names[0], ans);
		break;
	case ROUTE_ACTION:
		run_action(site, req, ans);
		break;
	}
}

void
actions_release(void)
{
	pm_kept_free(&kept);
}
