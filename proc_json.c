/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "proc_json.h"
#include "proc_stat.h"
#include "text.h"

/*
 * A name as a request names it, every byte but RFC 3986's unreserved
 * ones percent-encoded: for a name that JSON cannot carry exactly (bytes
 * that are not UTF-8 come out as U+FFFD), so that it can still be asked.
 */
static void
name_encoded(struct json *j, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	char out[3 * NAME_MAX_LEN + 1], *o = out;
	const unsigned char *s;

	for (s = (const unsigned char *)name; *s != '\0' &&
	    o < out + sizeof out - 3; s++)
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("-._~", *s) != NULL)
			*o++ = (char)*s;
		else {
			*o++ = '%';
			*o++ = hex[*s >> 4];
			*o++ = hex[*s & 0xf];
		}
	json_key(j, "name_encoded");
	json_string(j, out, (size_t)(o - out));
}

/* What the header says: absent where it cannot be read at all. */
static void
header_json(struct json *j, const struct pm_proc *p, time_t now)
{
	char since[PM_SINCE_MAX];
	struct proc_stat st;

	pm_format_since(since, sizeof since, p->head.starttime, now);
	json_key(j, "pid");
	json_int(j, p->head.pid);
	json_key(j, "runcount");
	json_uint(j, p->head.runcount);
	json_key(j, "since");
	json_cstring(j, since);
	json_key(j, "state");
	json_cstring(j, pm_running(p) ? "running" : "stopped");
	json_key(j, "exec");
	json_string(j, p->exec, p->exec_len);
	json_key(j, "age");
	json_uint(j, pm_age(p->head.starttime, now));
	json_key(j, "since_epoch");
	json_int(j, p->head.starttime);
	json_key(j, "stop_requested");
	json_bool(j, p->head.terminate == TERMINATE_STOP);
	if (pm_running(p) && proc_stat_read(p->head.pid, &st) == 0) {
		json_key(j, "rss_bytes");
		json_uint(j, st.rss_bytes);
		json_key(j, "cpu_seconds");
		json_centis(j, st.cpu_centis);
		json_key(j, "threads");
		json_int(j, st.threads);
	}
}

/*
 * For programs, the state's age in seconds and its time as a Unix time;
 * for a running process what the kernel says of it (absent if unknown);
 * whether it is protected, whether procmon itself runs (absent where it
 * has no entries); and what keeps it from being read or named plainly.
 */
void
proc_json(struct json *j, const struct policy *pol, const struct pm_proc *p,
    time_t now, enum pm_procmon_state procmon)
{
	char problem[PM_WHY_MAX];

	json_object_open(j);
	json_key(j, "name");
	json_cstring(j, p->name);
	if (p->head.fit != HEADER_UNREADABLE)
		header_json(j, p, now);
	else {
		json_key(j, "state");
		json_cstring(j, "unknown");
	}
	if (p->exec_cut) {
		json_key(j, "exec_cut");
		json_bool(j, true);
	}
	if (policy_protects(pol, p->name)) {
		json_key(j, "protected");
		json_bool(j, true);
	}
	if (procmon != PM_PROCMON_ABSENT) {
		json_key(j, "procmon");
		json_cstring(j, procmon == PM_PROCMON_RUNNING ? "running" :
		    "stopped");
	}
	if (!utf8_valid(p->name, strlen(p->name)))
		name_encoded(j, p->name);
	if (pm_header_problem(p, problem, sizeof problem)) {
		json_key(j, "problem");
		json_cstring(j, problem);
	}
	json_object_close(j);
}
