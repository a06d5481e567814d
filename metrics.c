/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "proc_stat.h"
#include "text.h"
#include "version.h"

/* What a family shows of one process: 0 when it has no sample. */
enum series { HEADER_OK, UP, STOPPED, START, RUNS, RSS, CPU, THREADS };

/*
 * Every family's name begins with PREFIX.  The strings sit in the table
 * itself, each array with room for its NUL: a table of pointers would
 * cost a relocation per pointer in a position-independent program.
 */
#define PREFIX	"procmon_process_"

static const struct {
	char	name[24], type[8], help[136];
} families[] = {
	{ "header_ok", "gauge",
	    "1 if its lockfile's header is laid out as this fcgi_proc reads "
	    "and writes it, else 0 (read as another build's, or not at "
	    "all)." },
	{ "up", "gauge",
	    "1 if the process holds its lockfile's lock, else 0." },
	{ "stop_requested", "gauge",
	    "1 if it was stopped on request (procmon -k, ?stop)." },
	{ "start_time_seconds", "gauge",
	    "Unix time of its last start, or of the stop when stopped on "
	    "request; a process that died keeps its last start." },
	{ "runs_total", "counter",
	    "How many times procmon started it." },
	{ "resident_memory_bytes", "gauge",
	    "Resident memory of a running process." },
	{ "cpu_seconds_total", "counter",
	    "User and system CPU time of a running process." },
	{ "threads", "gauge",
	    "Threads of a running process." },
};

/*
 * A label value: backslash, double quote and newline escaped, as the
 * format requires, and bytes that are not UTF-8 replaced with U+FFFD.
 */
static void
write_label(struct buf *out, const char *name)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t n = strlen(name), i, len;

	for (i = 0; i < n; i += len) {
		len = 1;
		if (s[i] == '\\' || s[i] == '"') {
			buf_addc(out, '\\');
			buf_addc(out, (char)s[i]);
		} else if (s[i] == '\n')
			buf_adds(out, "\\n");
		else if (s[i] < 0x80)
			buf_addc(out, (char)s[i]);
		else if ((len = utf8_length(s + i, n - i)) > 0)
			buf_add(out, name + i, len);
		else {
			buf_adds(out, "\xef\xbf\xbd");
			len = 1;
		}
	}
}

static void
write_sample(struct buf *out, enum series f, const struct pm_proc *p,
    const struct proc_stat *st)
{
	bool up = pm_running(p), known = up && st->threads > 0;

	if ((f >= RSS && !known) ||
	    (f != HEADER_OK && p->head.fit == HEADER_UNREADABLE))
		return;		/* absent, not zero */
	buf_printf(out, PREFIX "%s{name=\"", families[f].name);
	write_label(out, p->name);
	buf_adds(out, "\"} ");
	switch (f) {
	case HEADER_OK:
		buf_adds(out, p->head.fit == HEADER_OURS ? "1" : "0");
		break;
	case UP:
		buf_adds(out, up ? "1" : "0");
		break;
	case STOPPED:
		buf_adds(out, p->head.terminate == TERMINATE_STOP ? "1" : "0");
		break;
	case START:
		buf_printf(out, "%lld", p->head.starttime);
		break;
	case RUNS:
		buf_printf(out, "%llu", p->head.runcount);
		break;
	case RSS:
		buf_printf(out, "%llu", st->rss_bytes);
		break;
	case CPU:
		buf_printf(out, "%llu.%02llu", st->cpu_centis / 100,
		    st->cpu_centis % 100);
		break;
	case THREADS:
		buf_printf(out, "%ld", st->threads);
		break;
	}
	buf_addc(out, '\n');
}

/*
 * Series that are always there, so that an alert can fire when procmon
 * is not found at all (another directory, another user): fcgi_proc's
 * build, whether procmon's own entries are there, whether it runs, and
 * the procmon.* files left out, by why.
 */
static void
write_site(struct buf *out, const struct pm_list *list)
{
	struct pm_procmon pm;
	size_t i;

	pm_procmon_listed(list, &pm);
	buf_printf(out, "# HELP fcgi_proc_build_info fcgi_proc's version, "
	    "and the lockfile header it reads.\n"
	    "# TYPE fcgi_proc_build_info gauge\n"
	    "fcgi_proc_build_info{version=\"%s\",header=\"%s\"} 1\n"
	    "# HELP procmon_found 1 if procmon's own entries (procmon1, "
	    "procmon2) are in the lockfile directory, else 0.\n"
	    "# TYPE procmon_found gauge\nprocmon_found %d\n",
	    FCGI_PROC_VERSION, header_ours(), pm.state != PM_PROCMON_ABSENT);
	if (pm.state != PM_PROCMON_ABSENT)
		buf_printf(out, "# HELP procmon_up 1 if procmon itself runs "
		    "(procmon1 or procmon2 holds its lock), else 0.\n"
		    "# TYPE procmon_up gauge\nprocmon_up %d\n",
		    pm.state == PM_PROCMON_RUNNING);
	buf_adds(out, "# HELP procmon_lockfiles_untrusted procmon.* files "
	    "left out of the list, by why they are not trusted.\n"
	    "# TYPE procmon_lockfiles_untrusted gauge\n");
	for (i = 0; i < PM_DISTRUSTS; i++)
		buf_printf(out, "procmon_lockfiles_untrusted{reason=\"%s\"} "
		    "%zu\n", pm_distrust_key((enum pm_distrust)i),
		    list->left_out[i]);
}

void
metrics_write(struct buf *out, const struct pm_list *list)
{
	struct proc_stat *stats;
	size_t i, f;

	write_site(out, list);
	/* /proc is read once per process, for every family. */
	if ((stats = calloc(list->count + 1, sizeof *stats)) == NULL) {
		out->failed = true;
		return;
	}
	for (i = 0; i < list->count; i++)
		if (!pm_running(&list->procs[i]) ||
		    proc_stat_read(list->procs[i].head.pid, &stats[i]) == -1)
			stats[i].threads = 0;
	for (f = 0; f < sizeof families / sizeof families[0]; f++) {
		buf_printf(out, "# HELP " PREFIX "%s %s\n# TYPE " PREFIX "%s %s\n",
		    families[f].name, families[f].help, families[f].name,
		    families[f].type);
		for (i = 0; i < list->count; i++)
			write_sample(out, (enum series)f, &list->procs[i],
			    &stats[i]);
	}
	free(stats);
}
