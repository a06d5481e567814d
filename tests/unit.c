/*
 * Unit tests of the JSON writer, the query parser and the procmon client.
 * The client is tested on real lockfiles in a temporary directory, held
 * by real child processes, exactly as procmon's children hold them.
 */
#define _GNU_SOURCE	/* F_OFD_SETLK, F_SETLEASE: Linux tests */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "actions.h"
#include "check.h"
#include "json_out.h"
#include "procmon_client.h"
#include "query.h"
#include "refresh.h"

static char tmpdir[] = "/tmp/fcgi_proc-unit.XXXXXX";

/* JSON writer ------------------------------------------------------- */

static struct buf json_text;

static void
json_start(struct json *j)
{
	buf_reset(&json_text);
	json_init(j, &json_text);
}

/* Ends the capture and compares it with want. */
static void
json_expect(const char *want, const char *what)
{
	buf_addc(&json_text, '\0');
	check(!json_text.failed && strcmp(json_text.data, want) == 0,
	    "json %s: %s", what, json_text.data);
}

static void
json_string_is(const char *in, size_t len, const char *want, const char *what)
{
	struct json j;

	json_start(&j);
	json_string(&j, in, len);
	json_expect(want, what);
}

/* The buffer answers are written to: room that grows, and is let go. */
static void
test_buf(void)
{
	static char big[200000];
	struct buf b = { 0 };

	buf_adds(&b, "[-12,");
	buf_printf(&b, "\"%s\"]", "a\\\"b");
	check(!b.failed && b.len == 12 &&
	    memcmp(b.data, "[-12,\"a\\\"b\"]", 12) == 0,
	    "buffer: text added and formatted");
	memset(big, 'x', sizeof big - 1);
	buf_reset(&b);
	buf_printf(&b, "%s", big);
	check(!b.failed && b.len == sizeof big - 1 && b.cap >= b.len &&
	    memcmp(b.data, big, b.len) == 0,
	    "buffer: grows to a long text, formatted past its room");
	buf_reset(&b);
	buf_adds(&b, "[]");
	check(b.len == 2 && memcmp(b.data, "[]", 2) == 0 && b.cap > 65536,
	    "buffer: starts again from empty, keeping its room once");
	buf_reset(&b);
	buf_adds(&b, "[]");
	check(b.len == 2 && memcmp(b.data, "[]", 2) == 0 && b.cap <= 65536,
	    "buffer: room four times the last text is let go");
	buf_free(&b);
	check(b.data == NULL && b.len == 0 && b.cap == 0, "buffer: freed");
}

static void
test_json(void)
{
	struct json j;
	int depth;

	json_string_is("plain", 5, "\"plain\"", "plain");
	json_string_is("a\"b\\c", 5, "\"a\\\"b\\\\c\"", "quote, backslash");
	json_string_is("\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\"", "short escapes");
	json_string_is("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"",
	    "other controls");
	json_string_is("a\0b", 3, "\"a\\u0000b\"", "NUL inside");
	json_string_is("</script>", 9, "\"</script>\"", "markup is text");
	json_string_is("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9,
	    "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", "valid UTF-8 kept");
	json_string_is("\xff", 1, "\"\\ufffd\"", "invalid byte");
	json_string_is("\xc3", 1, "\"\\ufffd\"", "truncated sequence");
	json_string_is("\xc3(", 2, "\"\\ufffd(\"", "bad continuation");
	json_string_is("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"", "overlong /");
	json_string_is("\xe0\x80\xaf", 3, "\"\\ufffd\\ufffd\\ufffd\"",
	    "overlong 3 bytes");
	json_string_is("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"",
	    "surrogate");
	json_string_is("\xf4\x90\x80\x80", 4,
	    "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "past U+10FFFF");
	json_string_is("\xf4\x8f\xbf\xbf", 4, "\"\xf4\x8f\xbf\xbf\"",
	    "U+10FFFF kept");
	json_string_is("", 0, "\"\"", "empty");

	json_start(&j);
	json_array_open(&j);
	json_object_open(&j);
	json_key(&j, "name");
	json_cstring(&j, "x");
	json_key(&j, "pid");
	json_int(&j, -1);
	json_key(&j, "n");
	json_uint(&j, 18446744073709551615ull);
	json_key(&j, "ok");
	json_bool(&j, true);
	json_object_close(&j);
	json_object_open(&j);
	json_object_close(&j);
	json_array_open(&j);
	json_array_close(&j);
	json_array_close(&j);
	json_expect("[{\"name\": \"x\",\"pid\": -1,\"n\": 18446744073709551615,"
	    "\"ok\": true},{},[]]", "seed layout, commas");

	json_start(&j);
	json_object_open(&j);
	json_key(&j, "a\"\n");
	json_bool(&j, false);
	json_object_close(&j);
	json_expect("{\"a\\\"\\n\": false}", "escaped key");

	json_start(&j);
	json_array_open(&j);
	json_centis(&j, 0);
	json_centis(&j, 5);
	json_centis(&j, 1234);
	json_int(&j, -9223372036854775807LL - 1);
	json_array_close(&j);
	json_expect("[0.00,0.05,12.34,-9223372036854775808]",
	    "hundredths and the most negative number");

	/* The deepest nesting the writer allows, exactly. */
	json_start(&j);
	for (depth = 1; depth < JSON_MAX_DEPTH; depth++)
		json_array_open(&j);
	for (depth = 1; depth < JSON_MAX_DEPTH; depth++)
		json_array_close(&j);
	json_expect("[[[[[[[]]]]]]]", "deepest nesting");
}

/* Query parser ------------------------------------------------------ */

/* Parses q and renders what came out as key=value|key|... for comparison. */
static int
parse_render(const char *q, char *out, size_t size)
{
	char buf[256], *cursor = buf;
	struct query_param p;
	size_t used = 0;
	int r;

	snprintf(buf, sizeof buf, "%s", q);
	out[0] = '\0';
	while ((r = query_next(&cursor, &p)) == 1) {
		used += (size_t)snprintf(out + used, size - used, "%s%.*s",
		    used ? "|" : "", (int)p.key_len, p.key);
		if (p.value != NULL)
			used += (size_t)snprintf(out + used, size - used,
			    "=%.*s", (int)p.value_len, p.value);
	}
	return r;
}

static void
query_is(const char *q, const char *want)
{
	char got[256];
	int r = parse_render(q, got, sizeof got);

	check(r == 0 && strcmp(got, want) == 0, "query \"%s\" -> %s (got %s)",
	    q, want, r ? "error" : got);
}

static void
query_fails(const char *q)
{
	char got[256];

	check(parse_render(q, got, sizeof got) == -1,
	    "query \"%s\" is malformed", q);
}

static void
test_query(void)
{
	char buf[16] = "stop=%00x", *cursor = buf;
	struct query_param p;

	query_is("list", "list");
	query_is("list=", "list=");
	query_is("stop=sleep1", "stop=sleep1");
	query_is("a=1&b=2", "a=1|b=2");
	query_is("a&&b", "a||b");
	query_is("a&", "a|");
	query_is("=x", "=x");
	query_is("stop=a=b", "stop=a=b");
	query_is("%73top=%31", "stop=1");
	query_is("%7E%7e", "~~");
	query_is("stop=a+b", "stop=a b");
	query_is("stop=a%2Bb", "stop=a+b");
	query_is("stop=a%26b", "stop=a&b");
	query_is("k%3Dv", "k=v");
	query_fails("%");
	query_fails("stop=%");
	query_fails("stop=%4");
	query_fails("stop=%zz");
	query_fails("stop=%4g");
	query_fails("%g1=x");
	query_fails("list&stop=%x");

	/* A decoded NUL is kept, with its length, for the caller to refuse. */
	check(query_next(&cursor, &p) == 1 && p.value_len == 2 &&
	    p.value[0] == '\0' && p.value[1] == 'x', "%%00 decodes to a NUL");
}

/* procmon client ---------------------------------------------------- */

static void
path_of(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/procmon.%s", tmpdir, name);
}

/* Writes a lockfile as procmon does: header, then the command line. */
static void
write_lockfile(const char *name, pid_t pid, uint32_t terminate,
    size_t runcount, time_t start, const char *exec, size_t exec_len,
    mode_t mode)
{
	struct lockdata ld = { pid, terminate, runcount, start };
	char path[512];
	int fd;

	path_of(path, sizeof path, name);
	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1 ||
	    write(fd, &ld, sizeof ld) != (ssize_t)sizeof ld ||
	    write(fd, exec, exec_len) != (ssize_t)exec_len ||
	    fchmod(fd, mode) == -1) {
		perror(path);
		exit(1);
	}
	close(fd);
}

static struct lockdata
read_header(const char *name)
{
	struct lockdata ld = { 0, 0, 0, 0 };
	char path[512];
	int fd;

	path_of(path, sizeof path, name);
	if ((fd = open(path, O_RDONLY)) != -1) {
		if (read(fd, &ld, sizeof ld) != (ssize_t)sizeof ld)
			memset(&ld, 0, sizeof ld);
		close(fd);
	}
	return ld;
}

/* Replaces path with a new lockfile of the given mode and command line. */
static void
make_file_in(const char *path, mode_t mode, const char *exec)
{
	struct lockdata ld = { 0, PM_TERMINATE_STOP, 1, 0 };
	int fd;

	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1 ||
	    write(fd, &ld, sizeof ld) != (ssize_t)sizeof ld ||
	    write(fd, exec, strlen(exec)) != (ssize_t)strlen(exec) ||
	    fchmod(fd, mode) == -1)
		exit(1);
	close(fd);
}

/* Writes one field of name's header in place, as procmon's tools do. */
static void
set_field(const char *name, size_t offset, const void *value, size_t size)
{
	char path[512];
	int fd;

	path_of(path, sizeof path, name);
	if ((fd = open(path, O_WRONLY)) == -1 ||
	    pwrite(fd, value, size, (off_t)offset) != (ssize_t)size) {
		perror(path);
		exit(1);
	}
	close(fd);
}

/* Records pid in name's header, as procmon's child does. */
static void
set_pid(const char *name, pid_t pid)
{
	set_field(name, offsetof(struct lockdata, pid), &pid, sizeof pid);
}

static void
set_terminate(const char *name, uint32_t terminate)
{
	set_field(name, offsetof(struct lockdata, terminate), &terminate,
	    sizeof terminate);
}

/* How a test child holds name's lockfile. */
enum hold { HOLD_NONE, HOLD_LOCK, HOLD_OFD_LOCK, HOLD_LOCK_LEADER_GONE };

/*
 * The second thread of a holder whose main thread ends: it says so once
 * the process's own /proc/PID/fd shows nothing, then lives on.
 */
static void *
outlive_leader(void *ready)
{
	struct dirent *e;
	int n;
	DIR *d;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	do {
		usleep(1000);
		if ((d = opendir("/proc/self/fd")) == NULL)
			_exit(1);
		for (n = 0; (e = readdir(d)) != NULL; )
			n += e->d_name[0] != '.';
		closedir(d);
	} while (n > 0);
	if (write((int)(intptr_t)ready, "x", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

static int unlock_pipe[2] = { -1, -1 }, unlocked_pipe[2] = { -1, -1 };

/*
 * A child that, like procmon's, takes the lock on byte 0 of name's file
 * (or takes none) and then waits to be killed; it ignores SIGTERM, so
 * only the SIGKILL procmon's protocol prescribes ends it.  A byte on
 * unlock_pipe makes it drop the lock and stay alive.  Returns once the
 * lock is held.
 */
static pid_t
spawn(const char *name, enum hold hold)
{
	int ready[2];
	char c, path[512];
	pid_t pid;

	if (pipe(ready) == -1 || (pid = fork()) == -1)
		exit(1);
	if (pid == 0) {
		struct flock fl = PM_LOCK_BYTE0;
		int fd = -1, cmd = hold == HOLD_OFD_LOCK ? F_OFD_SETLK : F_SETLK;

		signal(SIGTERM, SIG_IGN);
		/* A test that crashes must not leave us holding its pipes. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		path_of(path, sizeof path, name);
		if (hold != HOLD_NONE && ((fd = open(path, O_RDWR)) == -1 ||
		    fcntl(fd, cmd, &fl) == -1))
			_exit(1);
		if (hold == HOLD_LOCK_LEADER_GONE) {
			pthread_t thread;

			/* by value: this thread's stack ends with it */
			if (pthread_create(&thread, NULL, outlive_leader,
			    (void *)(intptr_t)ready[1]) != 0)
				_exit(1);
			pthread_exit(NULL);
		}
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		for (;;) {
			if (unlock_pipe[0] != -1 &&
			    read(unlock_pipe[0], &c, 1) == 1) {
				fl.l_type = F_UNLCK;
				if (fcntl(fd, cmd, &fl) == -1 ||
				    write(unlocked_pipe[1], "u", 1) != 1)
					_exit(1);
			}
			pause();
		}
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		exit(1);
	close(ready[0]);
	return pid;
}

/* True if pid is gone (reaped) within a second. */
static bool
died(pid_t pid)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return true;
		usleep(10000);
	}
	return false;
}

/*
 * True if pid, a child, is alive a moment from now: a signal already sent
 * would have ended it by then (kill(pid, 0) alone also succeeds on a
 * child killed but not yet reaped).
 */
static bool
lives(pid_t pid)
{
	usleep(50000);
	return waitpid(pid, NULL, WNOHANG) == 0;
}

static void
reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static const struct pm_proc *
find(const struct pm_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		if (strcmp(l->procs[i].name, name) == 0)
			return &l->procs[i];
	return NULL;
}

static void
test_list(void)
{
	static char exec[PM_EXEC_MAX + 1];
	struct pm_list l;
	char path[512], target[512];
	const struct pm_proc *p;
	pid_t alive;
	time_t now = time(NULL);

	write_lockfile("b", 0, 0, 3, now, "sleep 18", 8, 0600);
	alive = spawn("b", HOLD_LOCK);
	write_lockfile("a", alive, 0, 1, now, "x", 1, 0600);	/* no lock */
	set_pid("b", alive);
	memset(exec, 'x', sizeof exec);
	write_lockfile("exact", 1, 0, 1, now, exec, PM_EXEC_MAX, 0600);
	write_lockfile("over", 1, 0, 1, now, exec, PM_EXEC_MAX + 1, 0600);
	write_lockfile("groupw", 1, 0, 1, now, "x", 1, 0620);
	write_lockfile("otherw", 1, 0, 1, now, "x", 1, 0602);
	write_lockfile("readable", 1, 0, 1, now, "x", 1, 0644);
	write_lockfile("foreign", 1, 0, 1, now, "x", 1, 0600);
	path_of(path, sizeof path, "foreign");
	if (geteuid() == 0)
		check(chown(path, 65534, 65534) == 0, "chown foreign file");
	path_of(path, sizeof path, "short");
	close(open(path, O_WRONLY | O_CREAT, 0600));
	path_of(path, sizeof path, "fifo");
	check(mkfifo(path, 0600) == 0, "mkfifo");
	path_of(path, sizeof path, "dir");
	check(mkdir(path, 0700) == 0, "mkdir");
	path_of(path, sizeof path, "link");
	path_of(target, sizeof target, "b");
	check(symlink(target, path) == 0, "symlink");
	path_of(path, sizeof path, "hardlink");
	check(link(target, path) == 0, "hard link");
	snprintf(path, sizeof path, "%s/unrelated", tmpdir);
	close(open(path, O_WRONLY | O_CREAT, 0600));
	snprintf(path, sizeof path, "%s/procmon.", tmpdir);
	close(open(path, O_WRONLY | O_CREAT, 0600));

	check(pm_list(tmpdir, &l) == PM_OK, "pm_list succeeds");
	/* The hard link gives b two links: it is refused too, until removed. */
	check(find(&l, "b") == NULL && find(&l, "hardlink") == NULL,
	    "a file with two links is left out");
	pm_list_free(&l);
	path_of(path, sizeof path, "hardlink");
	unlink(path);

	check(pm_list(tmpdir, &l) == PM_OK, "pm_list succeeds again");
	check(l.count == 5, "five trusted entries listed (got %zu)", l.count);
	check(l.count == 5 && strcmp(l.procs[0].name, "a") == 0 &&
	    strcmp(l.procs[1].name, "b") == 0 &&
	    strcmp(l.procs[2].name, "exact") == 0 &&
	    strcmp(l.procs[3].name, "over") == 0 &&
	    strcmp(l.procs[4].name, "readable") == 0, "sorted by name");
	p = find(&l, "b");
	check(p != NULL && pm_running(p) && p->holder == alive &&
	    p->lock.runcount == 3 && p->exec_len == 8 &&
	    memcmp(p->exec, "sleep 18", 8) == 0, "lock holder is running");
	p = find(&l, "a");
	check(p != NULL && !pm_running(p) && p->lock.pid == alive,
	    "recorded pid alive without the lock is stopped");
	p = find(&l, "exact");
	check(p != NULL && p->exec_len == PM_EXEC_MAX,
	    "command line of exactly %d bytes read whole", PM_EXEC_MAX);
	p = find(&l, "over");
	check(p != NULL && p->exec_len == PM_EXEC_MAX,
	    "command line one byte over is cut at %d", PM_EXEC_MAX);
	check(!find(&l, "groupw") && !find(&l, "otherw"),
	    "group- or world-writable files left out");
	check(geteuid() != 0 || !find(&l, "foreign"),
	    "foreign owner left out");
	check(!find(&l, "short") && !find(&l, "fifo") && !find(&l, "dir") &&
	    !find(&l, "link") && !find(&l, ""),
	    "short file, FIFO, directory, symlink, empty id left out");
	check(l.untrusted == 7, "the seven left out are counted (got %zu)",
	    l.untrusted);
	pm_list_free(&l);
	pm_trust_uid(65534);
	check(pm_list(tmpdir, &l) == PM_OK && find(&l, "foreign") != NULL &&
	    l.untrusted == 6 && !find(&l, "groupw"), "procmon's user trusted: "
	    "its file listed, group-writable files still left out");
	pm_list_free(&l);
	pm_trust_uid(0);
	check(l.procs == NULL && l.count == 0, "pm_list_free resets");
	reap(alive);

	check(pm_list("/nonexistent-dir", &l) == PM_SYSERR &&
	    strstr(pm_error(), "No such file") != NULL,
	    "missing directory is an error: %s", pm_error());
}

/* One action on one process, start to end, as actions.c does it. */
static enum pm_status
act(const char *name, enum pm_action action, unsigned grace,
    struct pm_outcome *out)
{
	struct pm_deed deed, *d = &deed;
	enum pm_status status;

	if ((status = pm_begin(tmpdir, name, action, grace > 0, d)) == PM_OK) {
		pm_await_ending(&d, 1, grace);
		status = pm_finish(d);
	}
	*out = deed.out;
	return status;
}

static void
test_actions(void)
{
	struct pm_outcome out;
	struct lockdata ld;
	pid_t holder, stranger;
	time_t then = time(NULL) - 100;

	/* stop: stop time, flag, then SIGKILL to the holder. */
	write_lockfile("run", 0, 0, 7, then, "sleep 60", 8, 0600);
	holder = spawn("run", HOLD_LOCK);
	set_pid("run", holder);
	check(act("run", PM_START, 0, &out) == PM_OK &&
	    !out.changed && !out.killed, "start of a running one: no-op");
	check(act("run", PM_STOP, 0, &out) == PM_OK && out.changed &&
	    out.killed == holder && out.was_running, "stop kills the holder");
	check(died(holder), "holder is dead");
	ld = read_header("run");
	check(ld.terminate == PM_TERMINATE_STOP && ld.starttime > then &&
	    ld.runcount == 7 && ld.pid == holder,
	    "stop wrote terminate and time, nothing else");
	check(act("run", PM_STOP, 0, &out) == PM_OK && !out.changed &&
	    !out.killed, "stop of a stopped one: no-op");
	ld = read_header("run");
	check(ld.terminate == PM_TERMINATE_STOP, "still stopped");

	/* The stale pid now names a stranger: it must survive. */
	stranger = spawn("run", HOLD_NONE);
	write_lockfile("stale", stranger, PM_TERMINATE_STOP, 2, then, "x", 1,
	    0600);
	check(act("stale", PM_STOP, 0, &out) == PM_OK && !out.killed,
	    "stop of a stale pid signals nothing");
	check(act("stale", PM_RESTART, 0, &out) == PM_OK &&
	    !out.killed && out.changed,
	    "restart of a stopped one starts it, signals nothing");
	check(read_header("stale").terminate == 0, "restart cleared the flag");
	write_lockfile("stale0", stranger, 0, 2, then, "x", 1, 0600);
	check(act("stale0", PM_RESTART, 0, &out) == PM_OK &&
	    !out.killed && !out.changed,
	    "restart of a dead, unflagged one is left to procmon");
	check(act("stale0", PM_STOP, 0, &out) == PM_OK &&
	    !out.killed && out.changed, "stop of it flags, signals nothing");
	check(lives(stranger), "the stranger is alive");
	reap(stranger);

	/* restart of a running one kills it; procmon brings it back. */
	write_lockfile("rr", 0, 0, 1, then, "x", 1, 0600);
	holder = spawn("rr", HOLD_LOCK);
	write_lockfile("rr2", 0, 0, 1, then, "x", 1, 0600);
	set_pid("rr", holder);
	check(act("rr", PM_RESTART, 0, &out) == PM_OK &&
	    out.killed == holder && !out.changed, "restart kills the holder");
	check(died(holder), "restarted holder is dead");
	check(read_header("rr").terminate == 0, "restart leaves the flag");

	/*
	 * start clears the flag, and the recorded pid: procmon forks only
	 * for a pid of 0 or a dead one, and this one may be a stranger's.
	 */
	write_lockfile("st", 4242, PM_TERMINATE_STOP, 5, then, "x", 1, 0600);
	check(act("st", PM_START, 0, &out) == PM_OK && out.changed &&
	    !out.killed && !out.was_running, "start of a stopped one");
	ld = read_header("st");
	check(ld.terminate == 0 && ld.pid == 0 && ld.runcount == 5 &&
	    ld.starttime == then, "start wrote terminate and pid 0 only");

	/* A running process flagged stopped (a stop procmon's child lost). */
	write_lockfile("rf", 0, PM_TERMINATE_STOP, 1, then, "x", 1, 0600);
	holder = spawn("rf", HOLD_LOCK);
	set_pid("rf", holder);
	check(act("rf", PM_START, 0, &out) == PM_OK && out.changed &&
	    !out.killed && out.was_running && lives(holder),
	    "start of a running one flagged stopped: nothing signalled");
	ld = read_header("rf");
	check(ld.terminate == 0 && ld.pid == holder,
	    "... the flag cleared, its pid kept");
	set_terminate("rf", PM_TERMINATE_STOP);
	check(act("rf", PM_RESTART, 0, &out) == PM_OK &&
	    out.changed && out.killed == holder,
	    "restart of a running one flagged stopped kills it");
	check(died(holder) && read_header("rf").terminate == 0,
	    "... with the flag cleared, so procmon starts it");

	/* pid 1 is never signalled, even with a lock held by nobody. */
	write_lockfile("init", 1, 0, 1, then, "x", 1, 0600);
	check(act("init", PM_STOP, 0, &out) == PM_OK && !out.killed,
	    "pid 1 is never signalled");

	write_lockfile("del", 0, PM_TERMINATE_DELETE, 1, then, "x", 1, 0600);
	check(act("del", PM_START, 0, &out) == PM_DELETING,
	    "entry being deleted is refused");
	write_lockfile("gw", 0, PM_TERMINATE_STOP, 1, then, "x", 1, 0660);
	check(act("gw", PM_START, 0, &out) == PM_UNTRUSTED &&
	    read_header("gw").terminate == PM_TERMINATE_STOP,
	    "untrusted file refused and unchanged");
	check(act("link", PM_STOP, 0, &out) == PM_UNTRUSTED,
	    "symlink refused");
	check(act("fifo", PM_STOP, 0, &out) == PM_UNTRUSTED,
	    "FIFO refused without blocking");
	check(act("short", PM_STOP, 0, &out) == PM_UNTRUSTED,
	    "short file refused");
	check(act("missing", PM_STOP, 0, &out) == PM_UNKNOWN,
	    "unknown name");
	check(act("../procmon.run", PM_STOP, 0, &out) == PM_UNKNOWN &&
	    act("", PM_STOP, 0, &out) == PM_UNKNOWN,
	    "a path or an empty name never reaches open()");
}

/* procmon itself, from its own two entries. */
static void
test_procmon_state(void)
{
	struct pm_list l;
	char path[512];
	pid_t holder;

	check(pm_procmon(tmpdir) == PM_PROCMON_ABSENT,
	    "procmon: no entries of its own, absent");
	write_lockfile("procmon1", 4242, 0, 2, time(NULL), "procmon -F c", 12,
	    0600);
	check(pm_procmon(tmpdir) == PM_PROCMON_STOPPED,
	    "procmon: procmon1 without a lock holder, stopped");
	write_lockfile("procmon2", 0, 0, 1, time(NULL), "procmon -f c", 12,
	    0600);
	holder = spawn("procmon2", HOLD_LOCK);
	set_pid("procmon2", holder);
	check(pm_procmon(tmpdir) == PM_PROCMON_RUNNING,
	    "procmon: procmon2 holding its lock, running");
	check(pm_list(tmpdir, &l) == PM_OK &&
	    pm_procmon_listed(&l) == PM_PROCMON_RUNNING,
	    "... and so from a list");
	pm_list_free(&l);
	kill(holder, SIGKILL);
	reap(holder);
	check(pm_list(tmpdir, &l) == PM_OK &&
	    pm_procmon_listed(&l) == PM_PROCMON_STOPPED &&
	    pm_procmon(tmpdir) == PM_PROCMON_STOPPED,
	    "procmon2's holder gone: stopped, from a list and from the files");
	pm_list_free(&l);
	path_of(path, sizeof path, "procmon1");
	unlink(path);
	path_of(path, sizeof path, "procmon2");
	unlink(path);
}

static void
since_is(long long age, const char *want)
{
	char buf[PM_SINCE_MAX];
	time_t now = 1700000000;

	pm_format_since(buf, sizeof buf, (time_t)(now - age), now);
	check(strcmp(buf, want) == 0, "since %lld s is %s (got %s)", age, want,
	    buf);
}

static void
test_since(void)
{
	char buf[PM_SINCE_MAX];

	since_is(0, "0s");
	since_is(59, "59s");
	since_is(60, "1m00s");
	since_is(242, "4m02s");
	since_is(3599, "59m59s");
	since_is(3600, "1h00m00s");
	since_is(86399, "23h59m59s");
	since_is(86400, "1d00h00m00s");
	since_is(2 * 86400 + 3600 + 62, "2d01h01m02s");
	since_is(-5, "0s");		/* a start in the future */
	/* The widest span time_t holds: 2^64 - 1 or 2^32 - 1 seconds. */
	if (sizeof(time_t) == 8)
		pm_format_since(buf, sizeof buf, (time_t)INT64_MIN,
		    (time_t)INT64_MAX);
	else
		pm_format_since(buf, sizeof buf, (time_t)INT32_MIN,
		    (time_t)INT32_MAX);
	check(strcmp(buf, sizeof(time_t) == 8 ? "213503982334601d07h00m15s" :
	    "49710d06h28m15s") == 0, "the widest span fits without overflow "
	    "(%zu-byte time_t): %s", sizeof(time_t), buf);
}

/*
 * The signal must reach only a process that holds the lock at that very
 * moment.  Wrapping syscall() lets a test move the lock away between
 * fcgi_proc's first look and its pidfd_open(), and make the kernel seem
 * to have no pidfds, to take the kill() path.
 */
long	__real_syscall(long, ...);
long	__wrap_syscall(long, ...);

static bool drop_lock_at_pidfd_open, no_pidfds;

long
__wrap_syscall(long number, ...)
{
	long a, b, c, d;
	va_list ap;
	char ch;

	va_start(ap, number);
	a = va_arg(ap, long);
	b = va_arg(ap, long);
	c = va_arg(ap, long);
	d = va_arg(ap, long);
	va_end(ap);
	if (number == SYS_pidfd_open) {
		if (drop_lock_at_pidfd_open) {
			drop_lock_at_pidfd_open = false;
			if (write(unlock_pipe[1], "u", 1) != 1 ||
			    read(unlocked_pipe[0], &ch, 1) != 1)
				exit(1);
		}
		if (no_pidfds) {
			errno = ENOSYS;
			return -1;
		}
	}
	return __real_syscall(number, a, b, c, d);
}

/*
 * Wrapping fstatat() lets a test play the user who owns a file that
 * fcgi_proc could not open: it removes the file just before fcgi_proc
 * looks at it (breaking its own lease, say), or it makes looking fail
 * (a FUSE mount of its own over the file answers root EACCES).  glibc
 * built for large files (as the Makefile builds) names it fstatat64.
 */
#if defined(__GLIBC__) && _FILE_OFFSET_BITS == 64
#define __real_fstatat	__real_fstatat64
#define __wrap_fstatat	__wrap_fstatat64
#endif
int	__real_fstatat(int, const char *, struct stat *, int);
int	__wrap_fstatat(int, const char *, struct stat *, int);

static const char *remove_at_fstatat, *refuse_fstatat;
static int fstatat_refused;

int
__wrap_fstatat(int dir, const char *file, struct stat *st, int flags)
{
	if (remove_at_fstatat != NULL &&
	    strcmp(file, remove_at_fstatat) == 0) {
		remove_at_fstatat = NULL;
		if (unlinkat(dir, file, 0) == -1)
			exit(1);
	}
	if (refuse_fstatat != NULL && strcmp(file, refuse_fstatat) == 0) {
		fstatat_refused++;
		errno = EACCES;
		return -1;
	}
	return __real_fstatat(dir, file, st, flags);
}

/* A holder of name's lock that drops it when the test says so. */
static pid_t
spawn_droppable(const char *name)
{
	pid_t pid;

	if (pipe(unlock_pipe) == -1 || pipe(unlocked_pipe) == -1)
		exit(1);
	write_lockfile(name, 0, 0, 1, time(NULL), "x", 1, 0600);
	pid = spawn(name, HOLD_LOCK);
	set_pid(name, pid);
	return pid;
}

static void
end_droppable(pid_t pid)
{
	reap(pid);
	close(unlock_pipe[0]);
	close(unlock_pipe[1]);
	close(unlocked_pipe[0]);
	close(unlocked_pipe[1]);
	unlock_pipe[0] = unlocked_pipe[0] = -1;
}

static void
test_signal_races(void)
{
	struct pm_outcome out;
	pid_t pid;

	pid = spawn_droppable("race");
	drop_lock_at_pidfd_open = true;
	check(act("race", PM_STOP, 0, &out) == PM_OK && !out.killed,
	    "lock dropped before the pidfd: nothing signalled");
	check(lives(pid), "... and the former holder lives");
	end_droppable(pid);

	no_pidfds = true;
	pid = spawn_droppable("race");
	drop_lock_at_pidfd_open = true;
	check(act("race", PM_RESTART, 0, &out) == PM_OK && !out.killed,
	    "without pidfds, lock dropped before kill(): nothing signalled");
	check(lives(pid), "... and the former holder lives");
	end_droppable(pid);

	pid = spawn_droppable("race");
	check(act("race", PM_RESTART, 0, &out) == PM_OK &&
	    out.killed == pid && died(pid),
	    "without pidfds, the holder is killed by kill()");
	end_droppable(pid);
	no_pidfds = false;
}

/* clone3's arguments up to set_tid (Linux 5.5), as the kernel reads them. */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
	    stack_size, tls, set_tid, set_tid_size;
};

/* Sleeps a while, then goes: a test that crashes leaves it only so long. */
static int
linger(void *unused)
{
	(void)unused;
	sleep(60);
	_exit(0);
}

/*
 * The holder of name's lock shares its table of open files with a child
 * of its own (clone without CLONE_THREAD), then exits: the lock stays
 * held, still reported under the holder's pid.  Returns that pid, now
 * free, and sets *sharer to the child, which keeps the lock until killed;
 * -1 where such a clone is not allowed (qemu-user allows none).
 */
static pid_t
spawn_vanished_holder(const char *name, pid_t *sharer)
{
	static char stack[64 * 1024];
	int ready[2];
	pid_t pid;

	if (pipe(ready) == -1 || (pid = fork()) == -1)
		exit(1);
	if (pid == 0) {
		struct flock fl = PM_LOCK_BYTE0;
		char path[512];
		int fd;

		path_of(path, sizeof path, name);
		if ((fd = open(path, O_RDWR)) == -1 ||
		    fcntl(fd, F_SETLK, &fl) == -1 ||
		    (pid = clone(linger, stack + sizeof stack, CLONE_FILES,
		    NULL)) == -1 ||
		    write(ready[1], &pid, sizeof pid) != (ssize_t)sizeof pid)
			_exit(1);
		_exit(0);
	}
	close(ready[1]);
	if (read(ready[0], sharer, sizeof *sharer) != (ssize_t)sizeof *sharer)
		pid = -pid;
	close(ready[0]);
	waitpid(pid < 0 ? -pid : pid, NULL, 0);
	return pid < 0 ? -1 : pid;
}

/*
 * A lock outliving the process that took it names a pid the kernel may
 * give to a stranger: a stop must not signal that stranger.  The stranger
 * is given the pid with clone3's set_tid, which needs privileges; this is
 * skipped where that is not allowed.
 */
static void
test_lock_outlives_holder(void)
{
	struct clone3_args args = { .exit_signal = SIGCHLD };
	struct rlimit saved, low;
	enum pm_status status;
	struct pm_outcome out;
	struct pm_list l;
	const struct pm_proc *p;
	pid_t gone, sharer, stranger;
	char path[512];
	int opath, fd;

	write_lockfile("vanished", 0, 0, 1, time(NULL), "x", 1, 0600);
	if ((gone = spawn_vanished_holder("vanished", &sharer)) == -1) {
		printf("skip - a lock outliving its holder: clone with "
		    "CLONE_FILES alone not allowed here\n");
		return;
	}
	set_pid("vanished", gone);
	check(pm_list(tmpdir, &l) == PM_OK &&
	    (p = find(&l, "vanished")) != NULL && p->holder == gone,
	    "a lock outlives its holder, still under the holder's pid");
	pm_list_free(&l);
	args.set_tid = (uintptr_t)&gone;
	args.set_tid_size = 1;
	if ((stranger = (pid_t)syscall(SYS_clone3, &args, sizeof args)) == 0)
		linger(NULL);
	if (stranger != gone) {
		printf("skip - a stranger under the vanished holder's pid: "
		    "clone3 set_tid not allowed here\n");
		kill(sharer, SIGKILL);
		return;
	}
	check(act("vanished", PM_STOP, 0, &out) == PM_NOT_HOLDER &&
	    !out.killed && strstr(pm_error(), "nothing was signalled"),
	    "stop: the stranger now under the lock's pid is not signalled, "
	    "and the answer says so: %s", pm_error());
	check(lives(stranger), "... and lives");
	/* Out of descriptors, ownership cannot be checked: no signal. */
	if (getrlimit(RLIMIT_NOFILE, &saved) == -1 || (fd = dup(0)) == -1)
		exit(1);
	close(fd);
	low = saved;
	low.rlim_cur = (rlim_t)fd + 2;	/* the lockfile and the pidfd */
	if (setrlimit(RLIMIT_NOFILE, &low) == -1)
		exit(1);
	status = act("vanished", PM_RESTART, 0, &out);
	if (setrlimit(RLIMIT_NOFILE, &saved) == -1)
		exit(1);
	check(status == PM_SYSERR && !out.killed && lives(stranger),
	    "out of descriptors, nothing is signalled, and the answer is an "
	    "error: %s", pm_error());
	reap(stranger);

	/* O_PATH needs no right on the file: anyone may have it open so. */
	path_of(path, sizeof path, "vanished");
	if ((opath = open(path, O_PATH | O_CLOEXEC)) == -1)
		exit(1);
	if ((stranger = (pid_t)syscall(SYS_clone3, &args, sizeof args)) == 0)
		linger(NULL);		/* with the descriptor, as a fork */
	close(opath);
	if (stranger == -1) {	/* the pid was taken meanwhile */
		printf("skip - a stranger with the lockfile open O_PATH: "
		    "clone3 set_tid failed: %s\n", strerror(errno));
		kill(sharer, SIGKILL);
		return;
	}
	check(stranger == gone && act("vanished", PM_STOP, 0,
	    &out) == PM_NOT_HOLDER && !out.killed, "stop: a stranger with the "
	    "lockfile open (O_PATH) under the lock's pid is not signalled");
	check(lives(stranger), "... and lives");
	reap(stranger);

	/* A stranger's own lock on another byte holds nothing of procmon's. */
	if ((stranger = (pid_t)syscall(SYS_clone3, &args, sizeof args)) == 0) {
		struct flock byte5 = PM_LOCK_BYTE0;

		byte5.l_start = 5;
		if ((fd = open(path, O_RDWR | O_CLOEXEC)) == -1 ||
		    fcntl(fd, F_SETLK, &byte5) == -1)
			_exit(1);
		linger(NULL);
	}
	if (stranger == -1) {
		printf("skip - a stranger locking another byte: clone3 "
		    "set_tid failed: %s\n", strerror(errno));
		kill(sharer, SIGKILL);
		return;
	}
	check(lives(stranger) && act("vanished", PM_STOP, 0, &out) ==
	    PM_NOT_HOLDER && !out.killed, "stop: a stranger under the lock's "
	    "pid with a lock of its own on byte 5 is not signalled");
	check(lives(stranger), "... and lives");
	reap(stranger);
	kill(sharer, SIGKILL);
}

/* Threads share the table of open files; /proc shows it through each. */
static void
test_leader_gone(void)
{
	struct pm_outcome out;
	pid_t pid;

	write_lockfile("leaderless", 0, 0, 1, time(NULL), "x", 1, 0600);
	pid = spawn("leaderless", HOLD_LOCK_LEADER_GONE);
	set_pid("leaderless", pid);
	check(act("leaderless", PM_STOP, 0, &out) == PM_OK &&
	    out.killed == pid, "stop: a holder whose main thread has ended "
	    "is killed");
	check(!lives(pid), "... and is gone");
	reap(pid);
}

/* Files a local user or procmon may leave, which must not fail a list. */
static void
test_odd_files(void)
{
	struct pm_outcome out;
	struct pm_list l;
	const struct pm_proc *p;
	char path[512];
	pid_t ofd, leaser = 0;
	int fd;

	write_lockfile("zero", 0, 0, 1, time(NULL), "x", 1, 0600);
	write_lockfile("bare", 2, PM_TERMINATE_STOP, 1, time(NULL), "", 0,
	    0600);
	write_lockfile("ofd", 0, 0, 1, time(NULL), "x", 1, 0600);
	ofd = spawn("ofd", HOLD_OFD_LOCK);
	set_pid("ofd", ofd);

	/* A lease makes a non-blocking open fail: only on untrusted files. */
	path_of(path, sizeof path, "leased");
	if (geteuid() == 0 && (fd = open(path, O_RDWR | O_CREAT, 0600)) != -1) {
		int ready[2];
		char c;

		if (fchown(fd, 65534, 65534) == -1 || pipe(ready) == -1)
			exit(1);
		close(fd);
		if ((leaser = fork()) == 0) {
			/* Deaf to the break: the lease holds for the test. */
			signal(SIGIO, SIG_IGN);
			if (setgid(65534) == -1 || setuid(65534) == -1 ||
			    (fd = open(path, O_RDWR)) == -1 ||
			    fcntl(fd, F_SETLEASE, F_WRLCK) == -1 ||
			    write(ready[1], "x", 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
		close(ready[1]);
		check(read(ready[0], &c, 1) == 1, "another user holds a lease");
		close(ready[0]);
	}

	check(pm_list(tmpdir, &l) == PM_OK, "list with pid 0, a bare header, "
	    "an OFD lock and a leased file: %s", pm_error());
	p = find(&l, "zero");
	check(p != NULL && !pm_running(p), "pid 0, no lock: stopped");
	p = find(&l, "bare");
	check(p != NULL && p->exec_len == 0, "a header with no command line");
	p = find(&l, "ofd");
	check(p != NULL && !pm_running(p),
	    "held by an OFD lock, which names no pid: not running");
	check(find(&l, "leased") == NULL, "leased foreign file left out");
	pm_list_free(&l);
	check(act("zero", PM_STOP, 0, &out) == PM_OK && !out.killed,
	    "stop of pid 0 signals nothing");
	check(act("ofd", PM_RESTART, 0, &out) == PM_OK && !out.killed &&
	    kill(ofd, 0) == 0, "restart of an OFD-locked entry signals nothing");
	check(act("leased", PM_STOP, 0, &out) == PM_UNTRUSTED,
	    "leased foreign file refused");
	if (leaser > 0) {
		path_of(path, sizeof path, "leased");
		check(open(path, O_RDONLY | O_NONBLOCK) == -1 &&
		    errno == EWOULDBLOCK, "the lease still bars opening");
		refuse_fstatat = "procmon.leased";
		check(pm_list(tmpdir, &l) == PM_OK && find(&l, "leased") == NULL &&
		    fstatat_refused > 0, "a file that can be neither opened "
		    "nor looked at is left out, the list goes on: %s",
		    pm_error());
		pm_list_free(&l);
		check(act("leased", PM_STOP, 0, &out) ==
		    PM_UNTRUSTED, "... and refused");
		refuse_fstatat = NULL;
		remove_at_fstatat = "procmon.leased";
		check(pm_list(tmpdir, &l) == PM_OK && find(&l, "leased") == NULL &&
		    remove_at_fstatat == NULL, "a file removed between a "
		    "failed open and a look is left out, the list goes on: %s",
		    pm_error());
		pm_list_free(&l);
		reap(leaser);
	}
	reap(ofd);
}

/* Open descriptors of this process. */
static int
open_fds(void)
{
	int fd, n = 0;

	for (fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) != -1;
	return n;
}

/* rm -rf dir, a directory the tests made. */
static void
remove_tree(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* The exec of name in l, or "" if it is not listed. */
static const char *
exec_of(const struct pm_list *l, const char *name)
{
	static char exec[64];
	const struct pm_proc *p;

	exec[0] = '\0';
	if ((p = find(l, name)) != NULL)
		snprintf(exec, sizeof exec, "%.*s", (int)p->exec_len, p->exec);
	return exec;
}

/* The exec of name after refreshing k, or "" if it is not listed. */
static const char *
refreshed_exec(const char *dir, struct pm_kept *k, const char *name)
{
	if (pm_refresh(dir, k) != PM_OK)
		return "(error)";
	return exec_of(&k->list, name);
}

/*
 * A kept list, from its second refresh on, skips the directory while
 * inotify reports nothing that could change it.  Whatever changes under
 * it must still show; what cannot change it must not cost a read.
 */
static void
test_refresh(void)
{
	char dir[] = "/tmp/fcgi_proc-keep.XXXXXX", path[64], other[64];
	struct pm_kept k = { 0 };
	unsigned long reads;
	int before, fd;
	char *map;

	before = open_fds();
	if (mkdtemp(dir) == NULL)
		exit(1);
	snprintf(path, sizeof path, "%s/procmon.k", dir);
	make_file_in(path, 0600, "one");
	check(strcmp(refreshed_exec(dir, &k, "k"), "one") == 0 &&
	    !k.watching && open_fds() == before,
	    "refresh: the first is a read, with no watch and nothing open");
	check(strcmp(refreshed_exec(dir, &k, "k"), "one") == 0 &&
	    k.watching && open_fds() == before + 1,
	    "refresh: the second watches the directory");
	reads = k.reads;
	check(strcmp(refreshed_exec(dir, &k, "k"), "one") == 0 &&
	    k.reads == reads, "refresh: nothing changed, nothing read");
	snprintf(other, sizeof other, "%s/unrelated", dir);
	make_file_in(other, 0600, "x");
	unlink(other);
	check(strcmp(refreshed_exec(dir, &k, "k"), "one") == 0 &&
	    k.reads == reads, "refresh: files of other names cost no read");

	if ((fd = open(path, O_WRONLY)) == -1 ||
	    pwrite(fd, "two", 3, sizeof(struct lockdata)) != 3)
		exit(1);
	close(fd);
	check(strcmp(refreshed_exec(dir, &k, "k"), "two") == 0 &&
	    k.reads != reads, "refresh: a file written in place is read again");
	/* A write through a shared mapping raises no inotify event. */
	if ((fd = open(path, O_RDWR)) == -1 || (map = mmap(NULL,
	    sizeof(struct lockdata) + 3, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0)) == MAP_FAILED)
		exit(1);
	close(fd);
	reads = k.reads;
	memcpy(map + sizeof(struct lockdata), "map", 3);
	check(strcmp(refreshed_exec(dir, &k, "k"), "map") == 0 &&
	    k.reads == reads, "refresh: a write through a shared mapping is "
	    "seen, the directory not read");
	munmap(map, sizeof(struct lockdata) + 3);
	/* Another link, made and removed elsewhere, raises no event here. */
	snprintf(other, sizeof other, "%s/second-link", tmpdir);
	check(link(path, other) == 0 &&
	    strcmp(refreshed_exec(dir, &k, "k"), "") == 0,
	    "refresh: a file given a second link elsewhere is left out");
	check(unlink(other) == 0 &&
	    strcmp(refreshed_exec(dir, &k, "k"), "map") == 0,
	    "refresh: and shown again once that link is gone");
	reads = k.reads;
	check(strcmp(refreshed_exec(dir, &k, "k"), "map") == 0 &&
	    k.reads == reads, "refresh: then the watch is believed again");
	make_file_in(path, 0600, "new");	/* a new file, a new inode */
	check(strcmp(refreshed_exec(dir, &k, "k"), "new") == 0,
	    "refresh: a file replaced under the same name is read afresh");
	check(chmod(path, 0620) == 0 &&
	    strcmp(refreshed_exec(dir, &k, "k"), "") == 0,
	    "refresh: a listed file made group-writable is left out");
	check(chmod(path, 0600) == 0 &&
	    strcmp(refreshed_exec(dir, &k, "k"), "new") == 0,
	    "refresh: and shown again once it is not");
	make_file_in(path, 0620, "bad");
	check(strcmp(refreshed_exec(dir, &k, "k"), "") == 0,
	    "refresh: replaced by an untrusted file, it is left out");
	make_file_in(path, 0600, "three");
	refreshed_exec(dir, &k, "k");
	unlink(path);
	check(strcmp(refreshed_exec(dir, &k, "k"), "") == 0 &&
	    open_fds() == before + 1, "refresh: a file gone leaves the list");

	remove_tree(dir);
	if (mkdir(dir, 0700) == -1)
		exit(1);
	make_file_in(path, 0600, "four");
	check(strcmp(refreshed_exec(dir, &k, "k"), "four") == 0,
	    "refresh: a directory removed and made again is read afresh");
	check(strcmp(refreshed_exec(dir, &k, "k"), "four") == 0 && k.watching,
	    "refresh: and watched again");
	check(strcmp(refreshed_exec(tmpdir, &k, "k"), "") == 0 &&
	    strcmp(refreshed_exec(dir, &k, "k"), "four") == 0,
	    "refresh: a list of another directory starts afresh");
	pm_kept_free(&k);
	check(open_fds() == before, "pm_kept_free closes the watch");
	remove_tree(dir);
}

/*
 * The path, not the directory first watched, is what a list reads: a
 * parent renamed and made again puts another directory under the path,
 * of which the watch hears nothing.
 */
static void
test_refresh_moved(void)
{
	char top[] = "/tmp/fcgi_proc-moved.XXXXXX", dir[64], path[96];
	char moved[64], cmd[96];
	struct pm_kept k = { 0 };

	if (mkdtemp(top) == NULL)
		exit(1);
	snprintf(dir, sizeof dir, "%s/a/locks", top);
	snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
	if (system(cmd) != 0)
		exit(1);
	snprintf(path, sizeof path, "%s/procmon.m", dir);
	make_file_in(path, 0600, "old");
	refreshed_exec(dir, &k, "m");
	check(strcmp(refreshed_exec(dir, &k, "m"), "old") == 0 && k.watching,
	    "moved: watched");
	snprintf(moved, sizeof moved, "%s/b", top);
	snprintf(path, sizeof path, "%s/a", top);
	if (rename(path, moved) == -1 || system(cmd) != 0)
		exit(1);
	snprintf(path, sizeof path, "%s/procmon.m", dir);
	make_file_in(path, 0600, "new");
	check(strcmp(refreshed_exec(dir, &k, "m"), "new") == 0,
	    "moved: a parent renamed, the directory now under the path is read");
	check(strcmp(refreshed_exec(dir, &k, "m"), "new") == 0 && k.watching,
	    "moved: and watched");
	pm_kept_free(&k);
	remove_tree(top);
}

/*
 * A file system mounted over the directory numbers its inodes afresh: a
 * listed file must not pass for a new file of the same name and inode.
 * This needs a mount namespace of our own, so it runs in a child, and is
 * skipped where that is not allowed.
 */
static void
test_refresh_mounted(void)
{
	char dir[] = "/tmp/fcgi_proc-mnt.XXXXXX", path[64];
	int status;
	pid_t pid;

	if (mkdtemp(dir) == NULL || (pid = fork()) == -1)
		exit(1);
	if (pid == 0) {
		struct pm_kept k = { 0 };

		if (unshare(CLONE_NEWNS) == -1 ||
		    mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 ||
		    mount("none", dir, "tmpfs", 0, NULL) == -1)
			_exit(2);
		snprintf(path, sizeof path, "%s/procmon.m", dir);
		make_file_in(path, 0600, "old");
		refreshed_exec(dir, &k, "m");
		if (strcmp(refreshed_exec(dir, &k, "m"), "old") != 0 ||
		    !k.watching || mount("none", dir, "tmpfs", 0, NULL) == -1)
			_exit(3);
		make_file_in(path, 0600, "new");
		_exit(strcmp(refreshed_exec(dir, &k, "m"), "new") == 0 ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 2)
		printf("skip - mounted: no mount namespace of our own here\n");
	else
		check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "mounted: a file system mounted over the directory is read, "
		    "not the list of the one below");
	rmdir(dir);
}

/* A read that fails leaves no watch to vouch for the empty list. */
static void
test_refresh_failed(void)
{
	char dir[] = "/tmp/fcgi_proc-fail.XXXXXX", path[64];
	struct pm_kept k = { 0 };
	struct rlimit saved, low;
	int fd;

	if (mkdtemp(dir) == NULL || getrlimit(RLIMIT_NOFILE, &saved) == -1)
		exit(1);
	snprintf(path, sizeof path, "%s/procmon.f", dir);
	make_file_in(path, 0600, "one");
	refreshed_exec(dir, &k, "f");
	check(strcmp(refreshed_exec(dir, &k, "f"), "one") == 0 && k.watching,
	    "failed: watched");
	snprintf(path, sizeof path, "%s/procmon.g", dir);
	make_file_in(path, 0600, "two");
	/* The lowest free descriptor is the limit: none is left to open. */
	if ((fd = dup(0)) == -1)
		exit(1);
	close(fd);
	low = saved;
	low.rlim_cur = (rlim_t)fd;
	if (setrlimit(RLIMIT_NOFILE, &low) == -1)
		exit(1);
	check(pm_refresh(dir, &k) == PM_SYSERR && !k.watching,
	    "failed: no descriptor to spare, the read fails, the watch ends: "
	    "%s", pm_error());
	if (setrlimit(RLIMIT_NOFILE, &saved) == -1)
		exit(1);
	check(strcmp(refreshed_exec(dir, &k, "f"), "one") == 0 &&
	    strcmp(exec_of(&k.list, "g"), "two") == 0,
	    "failed: the next refresh reads the directory again");
	pm_kept_free(&k);
	remove_tree(dir);
}

/*
 * realloc, wrapped at link time, fails while fail_realloc is set: an
 * answer that cannot be written whole must be a 500 that says so, never
 * a 200 cut short.
 */
void	*__real_realloc(void *, size_t);
void	*__wrap_realloc(void *, size_t);

static bool fail_realloc;

void *
__wrap_realloc(void *p, size_t n)
{
	if (fail_realloc) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_realloc(p, n);
}

static void
test_out_of_memory(void)
{
	static const char *routes[] = { "list", "metrics", "status=held" };
	const struct policy pol = { .protected = "procmon1,procmon2" };
	const struct site site = { tmpdir, &pol };
	struct refusal refusal;
	struct request req;
	struct answer ans = { 0 };
	size_t i;

	write_lockfile("held", 0, 0, 1, time(NULL), "x", 1, 0600);
	if (request_init(&req, 64, false) == -1)
		exit(1);
	for (i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		setenv("QUERY_STRING", routes[i], 1);
		if (request_read(&req, &refusal) != 0)
			exit(1);
		answer_reset(&ans);
		actions_run(&site, &req, &ans);	/* the list kept, watched */
		actions_run(&site, &req, &ans);
		buf_free(&ans.body);
		answer_reset(&ans);
		fail_realloc = true;
		actions_run(&site, &req, &ans);
		fail_realloc = false;
		check(ans.status == 500 && strstr(ans.why, "out of memory") !=
		    NULL, "?%s with no memory for the answer: 500, \"%s\"",
		    routes[i], ans.why);
	}
	unsetenv("QUERY_STRING");
	buf_free(&ans.body);
	request_free(&req);
	actions_release();
}

/* A lock changing hands writes nothing: refreshes must still see it. */
static void
test_refresh_locks(void)
{
	struct pm_kept k = { 0 };
	const struct pm_proc *p;
	unsigned long reads;
	pid_t holder;

	write_lockfile("held", 0, 0, 1, time(NULL), "x", 1, 0600);
	pm_refresh(tmpdir, &k);
	pm_refresh(tmpdir, &k);
	reads = k.reads;
	holder = spawn("held", HOLD_LOCK);
	check(pm_refresh(tmpdir, &k) == PM_OK && k.watching &&
	    (p = find(&k.list, "held")) != NULL && p->holder == holder &&
	    k.reads == reads, "refresh: a lock taken is seen, without a read");
	reap(holder);
	check(pm_refresh(tmpdir, &k) == PM_OK &&
	    (p = find(&k.list, "held")) != NULL && p->holder == 0,
	    "refresh: a lock released is seen");
	pm_kept_free(&k);
}

/*
 * Anyone may plant files by the thousand beside procmon's, and touch
 * them: each of their events costs one look, and none a read of the
 * directory.  A file we would trust still makes the next refresh read.
 */
static void
test_refresh_flood(void)
{
	char dir[] = "/tmp/fcgi_proc-flood.XXXXXX", path[64];
	struct pm_kept k = { 0 };
	unsigned long reads;
	int n;

	if (mkdtemp(dir) == NULL)
		exit(1);
	for (n = 0; n < 2000; n++) {
		snprintf(path, sizeof path, "%s/procmon.planted%d", dir, n);
		make_file_in(path, 0620, "x");	/* not trusted */
	}
	snprintf(path, sizeof path, "%s/procmon.real", dir);
	make_file_in(path, 0600, "real");
	refreshed_exec(dir, &k, "real");
	check(strcmp(refreshed_exec(dir, &k, "real"), "real") == 0 &&
	    k.list.count == 1 && k.list.untrusted == 2000,
	    "flood: 2,000 planted files left out, and counted");
	reads = k.reads;
	for (n = 0; n < 200; n++) {
		snprintf(path, sizeof path, "%s/procmon.planted%d", dir, n % 3);
		if (utimensat(AT_FDCWD, path, NULL, 0) == -1)
			exit(1);
	}
	snprintf(path, sizeof path, "%s/procmon.planted-new", dir);
	make_file_in(path, 0620, "x");
	check(strcmp(refreshed_exec(dir, &k, "real"), "real") == 0 &&
	    k.reads == reads, "flood: planted files touched and added, "
	    "the directory is not read again");
	snprintf(path, sizeof path, "%s/procmon.trusted", dir);
	make_file_in(path, 0600, "trusted");
	check(strcmp(refreshed_exec(dir, &k, "trusted"), "trusted") == 0 &&
	    k.reads == reads + 1, "flood: a file we trust makes it read");
	pm_kept_free(&k);
	remove_tree(dir);
}

int
main(void)
{
	/* Searchable by all: some tests act as another user in it. */
	if (mkdtemp(tmpdir) == NULL || chmod(tmpdir, 0755) == -1) {
		perror(tmpdir);
		return 1;
	}
	test_json();
	test_buf();
	test_query();
	test_since();
	test_list();
	test_actions();
	test_procmon_state();
	test_signal_races();
	test_lock_outlives_holder();
	test_leader_gone();
	test_odd_files();
	test_refresh();
	test_refresh_locks();
	test_refresh_flood();
	test_out_of_memory();
	test_refresh_moved();
	test_refresh_mounted();
	test_refresh_failed();
	remove_tree(tmpdir);
	return check_summary();
}
