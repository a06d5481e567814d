#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "proc_stat.h"
#include "json_out.h"

/* What a family shows of one process: 0 when it has no sample. */
enum family { UP, STOPPED, START, RUNS, RSS, CPU, THREADS };

/*
 * Every family's name begins with PREFIX.  The strings sit in the table
 * itself, each array with room for its NUL: a table of pointers would
 * cost a relocation per pointer in a position-independent program.
 */
#define PREFIX	"procmon_process_"

static const struct {
	char	name[24], type[8], help[64];
} families[] = {
	{ "up", "gauge",
	    "1 if the process holds its lockfile's lock, else 0." },
	{ "stop_requested", "gauge",
	    "1 if it was stopped on request (procmon -k, ?stop)." },
	{ "start_time_seconds", "gauge",
	    "Unix time of its last start, or of its stop when stopped." },
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
write_sample(struct buf *out, enum family f, const struct pm_proc *p,
    const struct proc_stat *st)
{
	bool up = pm_running(p), known = up && st->threads > 0;

	if (f >= RSS && !known)
		return;		/* absent, not zero */
	buf_printf(out, PREFIX "%s{name=\"", families[f].name);
	write_label(out, p->name);
	buf_adds(out, "\"} ");
	switch (f) {
	case UP:
		buf_adds(out, up ? "1" : "0");
		break;
	case STOPPED:
		buf_adds(out, p->lock.terminate == PM_TERMINATE_STOP ? "1" :
		    "0");
		break;
	case START:
		buf_printf(out, "%lld", (long long)p->lock.starttime);
		break;
	case RUNS:
		buf_printf(out, "%llu", (unsigned long long)p->lock.runcount);
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

void
metrics_write(struct buf *out, const struct pm_list *list)
{
	struct proc_stat *stats;
	size_t i, f;
	enum pm_procmon procmon = pm_procmon_listed(list);

	/* Where procmon has entries: whether it runs to start anything. */
	if (procmon != PM_PROCMON_ABSENT)
		buf_printf(out, "# HELP procmon_up 1 if procmon itself runs "
		    "(procmon1 or procmon2 holds its lock), else 0.\n"
		    "# TYPE procmon_up gauge\nprocmon_up %d\n",
		    procmon == PM_PROCMON_RUNNING);
	/* /proc is read once per process, for every family. */
	if ((stats = calloc(list->count + 1, sizeof *stats)) == NULL) {
		out->failed = true;
		return;
	}
	for (i = 0; i < list->count; i++)
		if (!pm_running(&list->procs[i]) ||
		    proc_stat_read(list->procs[i].lock.pid, &stats[i]) == -1)
			stats[i].threads = 0;
	for (f = 0; f < sizeof families / sizeof families[0]; f++) {
		buf_printf(out, "# HELP " PREFIX "%s %s\n# TYPE " PREFIX "%s %s\n",
		    families[f].name, families[f].help, families[f].name,
		    families[f].type);
		for (i = 0; i < list->count; i++)
			write_sample(out, (enum family)f, &list->procs[i],
			    &stats[i]);
	}
	free(stats);
}
