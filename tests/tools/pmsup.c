/* SPDX-License-Identifier: MIT */
/*
 * pmsup: a stand-in for procmon, which Debian does not package, for the
 * tests and the demo. It keeps procmon's lockfiles exactly as procmon does
 * (see "How it talks to procmon" in the README): DIR/procmon.NAME holds a
 * struct lockdata, the exec bytes, and a write lock on byte 0 held by the
 * process itself.
 */

#define _GNU_SOURCE	/* pipe2, asprintf: a Linux test tool */

#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Field order and C types are the contract with procmon's clients. */
struct lockdata {
	pid_t pid;
	uint32_t terminate;
	size_t runcount;
	time_t starttime;
};

#define TERM_STOP	0xDEADBEEFu	/* stopped: keep the file, await 0 */
#define TERM_DELETE	0xDEAFBABEu	/* stopped and unsupervised: delete */

enum state { ST_SELF, ST_RUNNING, ST_DIED, ST_STOPPED, ST_GONE };

struct entry {
	const char *name;
	char *path;		/* DIR/procmon.NAME */
	const char *exec;	/* the bytes written after the header */
	char **argv;		/* exec split on spaces; NULL: self entry */
	pid_t pid;		/* our unreaped child, or 0 */
	enum state state;	/* ST_GONE: no file of ours at path */
};

static struct entry *entries;
static size_t nentries;
static const char *pidfile;
static pid_t supervisor;
static sigset_t orig_mask;
static volatile sig_atomic_t quit;

static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: pmsup [-d DIR] [-i MILLISECONDS] [-p PIDFILE]"
	    " [-s NAME]... NAME=COMMAND...\n");
	exit(2);
}

static void
on_quit(int sig)
{
	(void)sig;
	quit = 1;
}

/*
 * Header at offset 0, then the exec bytes to the end of the file. A write
 * to a regular file is not cut short by signals, so short means failed.
 */
static int
write_lockfile(int fd, const struct lockdata *ld, const char *exec)
{
	size_t len = strlen(exec);

	if (pwrite(fd, ld, sizeof *ld, 0) != (ssize_t)sizeof *ld ||
	    pwrite(fd, exec, len, sizeof *ld) != (ssize_t)len)
		return -1;
	return ftruncate(fd, (off_t)(sizeof *ld + len));
}

static int
lock_byte0(int fd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
	    .l_start = 0, .l_len = 1 };

	return fcntl(fd, F_SETLK, &fl);
}

/* Only a regular file of ours carries a runcount worth continuing. */
static size_t
old_runcount(const char *path)
{
	struct lockdata ld;
	struct stat sb;
	size_t n = 0;
	int fd;

	/* O_NONBLOCK so that a FIFO planted under the name cannot hang us. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return 0;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_uid == geteuid() &&
	    pread(fd, &ld, sizeof ld, 0) == (ssize_t)sizeof ld)
		n = ld.runcount;
	close(fd);
	return n;
}

/* Replace whatever is at the path by a fresh file of ours, terminate 0. */
static int
create_lockfile(const struct entry *e, pid_t pid, size_t runcount)
{
	struct lockdata ld;
	int fd;

	/* Padding zero too, as procmon's memset() leaves it. */
	memset(&ld, 0, sizeof ld);
	ld.pid = pid;
	ld.runcount = runcount;
	ld.starttime = time(NULL);
	if (unlink(e->path) == -1 && errno != ENOENT)
		err(1, "unlink %s", e->path);
	fd = open(e->path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1)
		err(1, "%s", e->path);
	if (fchmod(fd, 0600) == -1 || write_lockfile(fd, &ld, e->exec) == -1)
		err(1, "%s", e->path);
	return fd;
}

#if !defined(SYS_close_range) && !defined(__mips__)
#define SYS_close_range	436	/* but on alpha, ia64 and MIPS */
#endif

/* Linux 5.9; called directly, as not every C library wraps it. */
static int
close_from_to(int first, int last)
{
#ifdef SYS_close_range
	return (int)syscall(SYS_close_range, (unsigned)first, (unsigned)last,
	    0u);
#else
	(void)first, (void)last;
	return -1;
#endif
}

/* Whatever pmsup's own caller left open must not reach the children. */
static void
close_fds_except(int keep)
{
	int fd, max;

	if ((keep == 3 || close_from_to(3, keep - 1) == 0) &&
	    close_from_to(keep + 1, -1) == 0)
		return;
	max = (int)sysconf(_SC_OPEN_MAX);
	for (fd = 3; fd < max; fd++)
		if (fd != keep)
			close(fd);
}

/*
 * The forked child does what procmon's does, then execs. sync_fd is
 * close-on-exec: its closing tells the parent the exec happened or failed.
 */
static _Noreturn void
run_child(const struct entry *e, int sync_fd)
{
	struct lockdata ld;
	int fd;

	setsid();
	close_fds_except(sync_fd);
	if ((fd = open("/dev/null", O_RDONLY)) != -1 && fd != STDIN_FILENO) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	/* No O_CLOEXEC: the lock must live exactly as long as the process. */
	if ((fd = open(e->path, O_RDWR | O_CREAT | O_NOFOLLOW, 0600)) == -1) {
		warn("%s", e->path);
		_exit(127);
	}
	if (pread(fd, &ld, sizeof ld, 0) != (ssize_t)sizeof ld)
		memset(&ld, 0, sizeof ld);
	ld.pid = getpid();
	ld.runcount += 1;
	ld.starttime = time(NULL);
	if (write_lockfile(fd, &ld, e->exec) == -1 || lock_byte0(fd) == -1) {
		warn("%s", e->path);
		_exit(127);
	}
	sigprocmask(SIG_SETMASK, &orig_mask, NULL);
	execvp(e->argv[0], e->argv);
	warn("%s: exec %s", e->name, e->argv[0]);
	_exit(127);
}

/* Returns once the child has its lock and has exec'd (or died trying). */
static void
start_entry(struct entry *e)
{
	int sync[2];
	char c;
	pid_t pid;

	if (pipe2(sync, O_CLOEXEC) == -1) {
		warn("pipe");
		return;
	}
	if ((pid = fork()) == -1) {
		warn("fork %s", e->name);
		close(sync[0]);
		close(sync[1]);
		return;
	}
	if (pid == 0) {
		close(sync[0]);
		run_child(e, sync[1]);
	}
	close(sync[1]);
	while (read(sync[0], &c, 1) == -1 && errno == EINTR)
		;
	close(sync[0]);
	e->pid = pid;
	e->state = ST_RUNNING;
}

/* Reads the header; -1 when the file is gone or unreadable. */
static int
read_header(const struct entry *e, struct lockdata *ld)
{
	ssize_t n;
	int fd;

	if ((fd = open(e->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return -1;
	n = pread(fd, ld, sizeof *ld, 0);
	close(fd);
	return n == (ssize_t)sizeof *ld ? 0 : -1;
}

/*
 * procmon's monitor forks only when the recorded pid is 0 or dead:
 * kill(pid, 0) failing with ESRCH.  A pid given meanwhile to a stranger,
 * or a zombie not yet reaped, counts as running.
 */
static int
recorded_pid_alive(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno != ESRCH);
}

static void
forget(struct entry *e, int remove_file)
{
	if (remove_file && unlink(e->path) == -1 && errno != ENOENT)
		warn("unlink %s", e->path);
	e->state = ST_GONE;
}

static void
reap_children(void)
{
	size_t i;
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		for (i = 0; i < nentries; i++)
			if (entries[i].pid == pid) {
				entries[i].pid = 0;
				entries[i].state = ST_DIED;
			}
}

/*
 * One look at an entry whose process is not running, as procmon's monitor
 * takes it. A running process whose flag was set is left alone: the
 * client SIGKILLs it, as procmon's does.
 */
static void
check_entry(struct entry *e)
{
	struct lockdata ld;

	if (e->state != ST_DIED && e->state != ST_STOPPED)
		return;
	if (read_header(e, &ld) == -1) {
		warnx("%s: lockfile gone, no longer supervised", e->name);
		forget(e, 0);
	} else if (ld.terminate == TERM_DELETE)
		forget(e, 1);
	else if (ld.terminate == TERM_STOP)
		e->state = ST_STOPPED;
	else if (!recorded_pid_alive(ld.pid))
		start_entry(e);
}

/* atexit: err(3) anywhere after setup still leaves nothing behind. */
static void
cleanup(void)
{
	struct entry *e;
	size_t i;

	if (getpid() != supervisor)
		return;
	for (i = 0; i < nentries; i++)
		if ((e = &entries[i])->pid > 0) {
			/* A session leader since setsid: end its group too. */
			kill(-e->pid, SIGKILL);
			kill(e->pid, SIGKILL);
		}
	for (i = 0; i < nentries; i++) {
		e = &entries[i];
		while (e->pid > 0 && waitpid(e->pid, NULL, 0) == -1 &&
		    errno == EINTR)
			;
		if (e->state != ST_GONE)
			unlink(e->path);
	}
	if (pidfile != NULL)
		unlink(pidfile);
}

/* Written under a temporary name, so a reader never sees it half done. */
static void
write_pidfile(void)
{
	char *tmp;
	FILE *fp;

	if (asprintf(&tmp, "%s.tmp", pidfile) == -1)
		err(1, "asprintf");
	if ((fp = fopen(tmp, "we")) == NULL)
		err(1, "%s", tmp);
	fprintf(fp, "%ld\n", (long)getpid());
	if (fclose(fp) == EOF || rename(tmp, pidfile) == -1) {
		unlink(tmp);
		err(1, "%s", pidfile);
	}
	free(tmp);
}

static char **
split_spaces(const char *cmd)
{
	char *copy, *tok, *save;
	char **argv;
	size_t n = 0;

	if ((copy = strdup(cmd)) == NULL ||
	    (argv = calloc(strlen(cmd) / 2 + 2, sizeof *argv)) == NULL)
		err(1, "malloc");
	for (tok = strtok_r(copy, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save))
		argv[n++] = tok;
	if (n == 0)
		usage();
	return argv;
}

/* Names become part of a path: "/" would leave DIR, "" names nothing. */
static void
add_entry(const char *dir, const char *name, const char *cmd)
{
	struct entry *e = &entries[nentries];
	size_t i;

	if (*name == '\0' || strpbrk(name, "/=") != NULL) {
		warnx("bad name \"%s\"", name);
		usage();
	}
	for (i = 0; i < nentries; i++)
		if (strcmp(entries[i].name, name) == 0)
			errx(2, "duplicate name \"%s\"", name);
	if (asprintf(&e->path, "%s/procmon.%s", dir, name) == -1)
		err(1, "asprintf");
	e->name = name;
	e->exec = cmd != NULL ? cmd : "pmsup";
	e->argv = cmd != NULL ? split_spaces(cmd) : NULL;
	e->state = ST_GONE;	/* until its file is ours */
	nentries++;
}

static long
parse_interval(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > 3600000)
		usage();
	return v;
}

/* Later open()s must never land on 0-2, where output would be mistaken. */
static void
ensure_std_fds(void)
{
	int fd;

	do {
		if ((fd = open("/dev/null", O_RDWR)) == -1)
			err(1, "/dev/null");
	} while (fd <= STDERR_FILENO);
	close(fd);
}

static void
setup_signals(sigset_t *wait_mask)
{
	struct sigaction sa = { .sa_handler = on_quit };
	sigset_t block;

	/* An inherited SIG_IGN would reap children behind our back. */
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	/* Blocked except inside pselect, so no signal slips between ticks. */
	if (sigprocmask(SIG_BLOCK, &block, &orig_mask) == -1)
		err(1, "sigprocmask");
	*wait_mask = orig_mask;
	sigdelset(wait_mask, SIGTERM);
	sigdelset(wait_mask, SIGINT);
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		err(1, "sigaction");
}

int
main(int argc, char *argv[])
{
	const char *dir = "/tmp", **selfs;
	struct timespec tick;
	sigset_t wait_mask;
	size_t i, nselfs = 0;
	long ms = 1000;
	char *eq, *name;
	int ch;

	ensure_std_fds();
	if ((selfs = calloc((size_t)argc, sizeof *selfs)) == NULL ||
	    (entries = calloc((size_t)argc, sizeof *entries)) == NULL)
		err(1, "calloc");
	while ((ch = getopt(argc, argv, "d:i:p:s:")) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'i': ms = parse_interval(optarg); break;
		case 'p': pidfile = optarg; break;
		case 's': selfs[nselfs++] = optarg; break;
		default: usage();
		}
	}
	if (optind == argc)
		usage();
	for (i = 0; i < nselfs; i++)
		add_entry(dir, selfs[i], NULL);
	free(selfs);
	for (; optind < argc; optind++) {
		if ((eq = strchr(argv[optind], '=')) == NULL)
			usage();
		/* A copy, so that ps still shows our command line whole. */
		name = strndup(argv[optind], (size_t)(eq - argv[optind]));
		if (name == NULL)
			err(1, "strndup");
		add_entry(dir, name, eq + 1);
	}

	supervisor = getpid();
	setup_signals(&wait_mask);
	if (atexit(cleanup) != 0)
		errx(1, "atexit");
	for (i = 0; i < nentries; i++) {
		struct entry *e = &entries[i];

		if (e->argv == NULL) {
			/* Never closed: closing it would drop our lock. */
			int fd = create_lockfile(e, supervisor, 1);

			e->state = ST_SELF;
			if (lock_byte0(fd) == -1)
				err(1, "lock %s", e->path);
		} else {
			close(create_lockfile(e, 0, old_runcount(e->path)));
			e->state = ST_DIED;
			start_entry(e);
		}
	}
	if (pidfile != NULL)
		write_pidfile();

	tick.tv_sec = ms / 1000;
	tick.tv_nsec = ms % 1000 * 1000000;
	while (!quit) {
		if (pselect(0, NULL, NULL, NULL, &tick, &wait_mask) == -1 &&
		    errno != EINTR)
			err(1, "pselect");
		if (quit)
			break;
		reap_children();
		for (i = 0; i < nentries; i++)
			check_entry(&entries[i]);
	}
	return 0;
}
