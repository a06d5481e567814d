/* SPDX-License-Identifier: MIT */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "act.h"
#include "config.h"
#include "json_out.h"
#include "proc_json.h"
#include "respond.h"

/*
 * How long an outcome seen must last before wait= reports it: a full
 * period of procmon's monitor, which looks at a stopped entry once a
 * second, and whose child writes its whole header back as it starts, a
 * stop written meanwhile included.
 */
#define HOLD_NS		(1100 * 1000000LL)
#define TICK_NS		(20 * 1000000L)
#define AGAIN_MAX	16	/* re-stopped pids an answer lists */

/* What one action did to one process. */
struct result {
	int		 status;
	char		 description[PM_WHY_MAX];
	bool		 acted;		/* deed.out says what was done */
	struct pm_deed	 deed;
	struct pm_proc	 proc;		/* as seen after waiting, if waited */
	pid_t		 again[AGAIN_MAX]; /* stopped again while waiting: */
	unsigned	 nagain;	/* how often (the first AGAIN_MAX) */
	pid_t		 last_again;
	unsigned	 ended;		/* started, then ended, while waiting */
	long long	 held_since;	/* the outcome seen since, or -1 */
};

static void
fail(struct result *res, enum pm_status status, const char *name,
    const char *why)
{
	if (why != res->description)
		snprintf(res->description, sizeof res->description, "%s", why);
	res->status = answer_status_of(status, name, res->description);
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
 * Whether the action's outcome is seen in p: stopped, no lock holder and
 * the flag still set; started, a holder with the flag clear; restarted,
 * the same with a holder other than the process running when it was
 * acted on.  409 if procmon is removing what was to run again.
 */
static int
outcome(enum pm_action action, const struct pm_proc *p,
    const struct pm_deed *d)
{
	pid_t old = action == PM_RESTART && d->out.was_running ?
	    d->holder.pid : d->out.killed;

	if (action == PM_STOP ? !pm_running(p) &&
	    p->head.terminate == TERMINATE_STOP : pm_running(p) &&
	    p->head.pid != old && p->head.terminate == 0)
		return 200;
	if (action != PM_STOP && p->head.terminate == TERMINATE_DELETE)
		return 409;
	return 0;
}

/*
 * A stop lost to procmon: its child, forked before the stop was written,
 * wrote its header back with the flag clear, or runs with the flag set.
 * Not a process that still holds the lock it was killed holding.
 */
static bool
stop_lost(const struct pm_proc *p, const struct result *res)
{
	return p->head.terminate == 0 || (pm_running(p) &&
	    p->head.pid != res->deed.out.killed &&
	    p->head.pid != res->last_again);
}

/* What a deed signalled, for the logs. */
static void
note_kills(struct answer *ans, const struct pm_deed *d)
{
	const struct family *f = &d->family;
	size_t i;

	if (d->out.killed != 0)
		answer_kill(ans, d->out.killed, d->out.signal, false);
	for (i = 0; i < f->count; i++)
		if (f->members[i].signal != 0)
			answer_kill(ans, f->members[i].pid,
			    f->members[i].signal, true);
}

/* The stop written and the process killed again, what it started too. */
static void
stop_again(const struct config *cfg, const struct pm_procmon *pm,
    const char *name, struct result *res, struct answer *ans)
{
	struct pm_deed d;

	if (pm_begin(&cfg->pm, pm, name, PM_STOP, false, &d) == PM_OK &&
	    d.out.killed != 0) {
		if (res->nagain < AGAIN_MAX)
			res->again[res->nagain] = d.out.killed;
		res->nagain++;
		res->last_again = d.out.killed;
	}
	note_kills(ans, &d);
	pm_deed_free(&d);
}

static void
timed_out(enum pm_action action, int wait, struct result *res)
{
	res->status = 504;
	if (action == PM_STOP && res->nagain > 0)
		snprintf(res->description, sizeof res->description, "did not "
		    "stay stopped: procmon started it again, and it was "
		    "stopped again %u times in %d s", res->nagain, wait);
	else if (action != PM_STOP && res->ended > 0)
		snprintf(res->description, sizeof res->description, "started, "
		    "but did not keep running: it ended %u times in %d s",
		    res->ended, wait);
	else
		snprintf(res->description, sizeof res->description, "not %s "
		    "after %d s", action == PM_STOP ? "stopped" :
		    "running again", wait);
}

/*
 * One look at the process, while waiting for the action's outcome to be
 * seen, and then to last a period of procmon's monitor; it must be seen
 * within wait seconds of the start.  A stop lost meanwhile is applied
 * again.  True once res is final: res->proc is the last state seen, and
 * the status stays 200, or is 504 if time ran out, 409 if procmon is
 * removing what was to run again, or the lookup's if the lockfile went
 * away or became untrusted.
 */
static bool
watch(const struct config *cfg, const struct pm_procmon *pm,
    const char *name, enum pm_action action, int wait, long long now,
    struct result *res, struct answer *ans)
{
	struct pm_proc *p = &res->proc;
	enum pm_status status;
	int seen;

	pm_proc_free(p);
	if ((status = pm_get(&cfg->pm, name, p, res->description)) != PM_OK) {
		fail(res, status, name, res->description);
		return true;
	}
	if ((seen = outcome(action, p, &res->deed)) == 409) {
		fail(res, PM_DELETING, name, res->description);
		return true;
	}
	if (seen == 200) {
		if (res->held_since == -1)
			res->held_since = now;
		return now - res->held_since >= HOLD_NS;
	}
	res->ended += res->held_since != -1 && action != PM_STOP;
	res->held_since = -1;
	if (action == PM_STOP && stop_lost(p, res))
		stop_again(cfg, pm, name, res, ans);
	if (now < wait * 1000000000LL)
		return false;
	timed_out(action, wait, res);
	return true;
}

/* Every name that was acted on is watched, all together. */
static void
await_outcomes(const struct config *cfg, const struct request *req,
    const struct pm_procmon *pm, enum pm_action action,
    const struct timespec *start, struct result *results, struct answer *ans)
{
	const struct timespec tick = { 0, TICK_NS };
	bool waiting = true, done[NAMES_MAX];
	long long now;
	size_t i;

	for (i = 0; i < req->count; i++) {
		done[i] = results[i].status != 200;
		results[i].held_since = -1;
	}
	while (waiting) {
		now = elapsed_ns(start);
		for (waiting = false, i = 0; i < req->count; i++)
			if (!done[i])
				waiting |= !(done[i] = watch(cfg, pm,
				    req->names[i], action, req->wait, now,
				    &results[i], ans));
		if (waiting)
			nanosleep(&tick, NULL);
	}
}

/*
 * The answer for one name: the original's error object, or what was done
 * (kept when the wait then failed: the action happened all the same).
 */
static void
write_result(struct json *j, const struct config *cfg,
    const struct request *req, const char *name, const struct result *res,
    enum pm_procmon_state procmon)
{
	const struct pm_outcome *out = &res->deed.out;
	const struct family *f = &res->deed.family;
	size_t i;

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
		for (i = 0; i < f->count; i++)
			if (f->members[i].signal != 0)
				break;
		if (i < f->count) {
			json_key(j, "descendants");
			json_array_open(j);
			for (; i < f->count; i++)
				if (f->members[i].signal != 0)
					json_int(j, f->members[i].pid);
			json_array_close(j);
		}
		if (res->nagain > 0) {
			json_key(j, "killed_again");
			json_array_open(j);
			for (i = 0; i < res->nagain && i < AGAIN_MAX; i++)
				json_int(j, res->again[i]);
			json_array_close(j);
		}
	}
	json_key(j, "description");
	json_cstring(j, res->description);
	if (res->proc.name != NULL) {
		json_key(j, "process");
		proc_json(j, &cfg->policy, &res->proc, time(NULL), procmon);
	}
	json_object_close(j);
}

/*
 * The status of several results: theirs if they agree; else 207
 * (Multi-Status) if any process was acted on, never "not found" for a
 * request that stopped something; else the first failure's.
 */
static int
overall_status(const struct result *results, size_t n)
{
	size_t i, same = 0;
	bool acted = false;
	int failure = 0;

	for (i = 0; i < n; i++) {
		same += results[i].status == results[0].status;
		acted |= results[i].acted;
		if (failure == 0 && results[i].status != 200)
			failure = results[i].status;
	}
	return same == n ? results[0].status : acted ? 207 : failure;
}

/*
 * One name is answered as the original did; several, with the result of
 * each under "results".
 */
static void
write_results(const struct config *cfg, const struct request *req,
    const struct result *results, enum pm_procmon_state procmon,
    struct answer *ans)
{
	struct json j;
	size_t i;

	ans->status = overall_status(results, req->count);
	if (!req->several && !results[0].acted) {
		answer_error(ans, ans->status, results[0].description);
		return;
	}
	json_init(&j, &ans->body);
	if (!req->several) {
		write_result(&j, cfg, req, req->names[0], &results[0],
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
		write_result(&j, cfg, req, req->names[i], &results[i],
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
act(const struct config *cfg, const struct request *req, struct answer *ans,
    enum pm_action action)
{
	struct pm_deed *deeds[NAMES_MAX];
	struct result *results;
	struct timespec start;
	enum pm_status status;
	struct pm_procmon pm;
	size_t i, n = 0;
	bool graceful = req->grace > 0;

	pm_procmon(&cfg->pm, &pm);
	/* Nothing would start what start and restart leave to procmon. */
	if (pm.state == PM_PROCMON_STOPPED && action != PM_STOP) {
		answer_error(ans, 503, action == PM_START ? "procmon is not "
		    "running: nothing would start it; start procmon first" :
		    "procmon is not running: nothing would start it again, so "
		    "nothing was killed; start procmon first");
		return;
	}
	if ((results = calloc(req->count, sizeof *results)) == NULL) {
		answer_error(ans, 500, "out of memory acting");
		return;
	}
	for (i = 0; i < req->count; i++) {
		struct result *res = &results[i];

		status = pm_begin(&cfg->pm, &pm, req->names[i], action,
		    graceful, &res->deed);
		if (status != PM_OK) {
			fail(res, status, req->names[i], res->deed.why);
			/* Written before it failed: the answer says so. */
			res->acted = res->deed.out.changed;
		} else
			deeds[n++] = &res->deed;
	}
	pm_await_ending(deeds, n, graceful ? (unsigned)req->grace : 0);
	for (i = 0; i < req->count; i++) {
		struct result *res = &results[i];

		if (res->status != 0)
			continue;
		if ((status = pm_finish(&cfg->pm, &res->deed)) != PM_OK)
			fail(res, status, req->names[i], res->deed.why);
		else {
			res->status = 200;
			snprintf(res->description, sizeof res->description,
			    "%s", describe(action, &res->deed.out));
		}
		res->acted = true;
		note_kills(ans, &res->deed);
	}
	/* The wait counts from the action done, its grace over. */
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (req->wait > 0)
		await_outcomes(cfg, req, &pm, action, &start, results, ans);
	write_results(cfg, req, results, pm.state, ans);
	for (i = 0; i < req->count; i++) {
		pm_proc_free(&results[i].proc);
		pm_deed_free(&results[i].deed);
	}
	free(results);
	if (ans->body.failed)
		answer_error(ans, 500, "out of memory writing the answer");
}

void
act_start(const struct config *cfg, const struct request *req,
    struct answer *ans)
{
	act(cfg, req, ans, PM_START);
}

void
act_stop(const struct config *cfg, const struct request *req,
    struct answer *ans)
{
	act(cfg, req, ans, PM_STOP);
}

void
act_restart(const struct config *cfg, const struct request *req,
    struct answer *ans)
{
	act(cfg, req, ans, PM_RESTART);
}
