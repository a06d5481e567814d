/* SPDX-License-Identifier: MIT */
/*
 * fcgi_proc: list, start, stop and restart the processes procmon
 * supervises, from a web server.  One binary serves CGI (RFC 3875) and,
 * built with libfcgi, persistent FastCGI; from a shell it answers one
 * request described by the usual CGI environment variables.
 *
 * This file: the options, the privileges, the signals, the responders
 * and the loop that hands each request to serve().
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/auxv.h>
#include <sys/prctl.h>
#endif

#include "header.h"
#include "log.h"
#include "serve.h"
#include "text.h"
#include "version.h"
#include "fcgi_compat.h"

#define LIMIT_DEFAULT	1024
#define LIMIT_MAX	(1024 * 1024)
#define RESPONDERS_MAX	64
#define RESPONDER_ENDED	(-1)	/* ended in order: not replaced */

/*
 * Messages from before the first request go to the descriptors directly:
 * libfcgi's stdio streams exist only once FCGI_Accept() has set them up.
 */
static void
usage(int fd)
{
	dprintf(fd, "usage: fcgi_proc [-bghPrsVv] [-a users] [-d dir] "
	    "[-F responders] [-H hosts]\n"
	    "                 [-l bytes] [-p names] [-u user]\n"
	    "  -a users  only these REMOTE_USERs (comma-separated) may act\n"
	    "  -b        from a shell: print the body alone\n"
	    "  -d dir    procmon's lockfile directory (default /tmp,"
	    " or $PROCMON_DIR)\n"
	    "  -F n      FastCGI: n responders share the socket (default 1)\n"
	    "  -g        actions by GET from anywhere (unsafe: any web page"
	    " can send them)\n"
	    "  -H hosts  host names served besides IP addresses and localhost"
	    " ('*': any)\n"
	    "  -l bytes  longest query string or POST body (default 1024)\n"
	    "  -p names  never stopped or restarted, besides "
	    POLICY_PROTECTED "\n"
	    "  -P        actions by POST only\n"
	    "  -r        read-only: refuse every action\n"
	    "  -s        signal the lock holder only, not what it started\n"
	    "  -u user   procmon's user: its lockfiles are trusted too\n"
	    "  -V        print the version\n"
	    "  -v        log each request to stderr\n"
	    "  -h        print this help\n");
}

/*
 * Installed setuid or setgid, or with file capabilities, we run with
 * more power than the caller, who controls our environment, arguments
 * and descriptors.  AT_SECURE is the kernel's own word for that.
 */
static bool
privileged(void)
{
#ifdef __linux__
	if (getauxval(AT_SECURE) != 0)
		return true;
#endif
	return getuid() != geteuid() || getgid() != getegid();
}

/* A user name as -a lists it: spaces around it would never match. */
static bool
valid_user(const char *s, size_t len)
{
	return len > 0 && s[0] != ' ' && s[0] != '\t' && s[len - 1] != ' ' &&
	    s[len - 1] != '\t';
}

/* A name as -p lists it. */
static bool
valid_name(const char *s, size_t len)
{
	return valid_user(s, len) && name_valid(s, len);
}

/* A host name as -H lists it, lowercase (Host is compared so). */
static bool
valid_host(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && strchr(".-_", s[i]) == NULL)
			return false;
	return len > 0;
}

/* -l, -F and -u: a decimal number from min to max, or the end. */
static unsigned long long
number(const char *s, unsigned long long min, unsigned long long max,
    const char *msg)
{
	unsigned long long n;

	if (!parse_decimal(s, strlen(s), &n) || n < min || n > max)
		log_fatal("%s", msg);
	return n;
}

/* -u: a user name, or a uid. */
static uid_t
parse_user(const char *s)
{
	struct passwd *pw;

	if ((pw = getpwnam(s)) != NULL)
		return pw->pw_uid;
	return (uid_t)number(s, 0, (uid_t)-2, "-u takes a user name or a uid");
}

/* An option that would let a privileged caller reach further: refused. */
static void
not_when_privileged(const struct config *cfg, int option)
{
	if (cfg->privileged)
		log_fatal("-%c is refused when running setuid, setgid or "
		    "with file capabilities", option);
}

/*
 * Whose lockfiles are believed besides root's: procmon's user (-u), and
 * the user we run as, unless that is the caller's own (setgid, file
 * capabilities), whose files a privileged run must never believe.
 */
static void
trust(struct config *cfg, uid_t procmon_user, bool named)
{
	struct pm_config *pm = &cfg->pm;

	if (!cfg->privileged || geteuid() != getuid())
		pm->trusted[pm->ntrusted++] = geteuid();
	if (named)
		pm->trusted[pm->ntrusted++] = procmon_user;
}

/*
 * Options that would let a privileged caller reach further than the web
 * can are refused or narrowed: -d, PROCMON_DIR and -u (the caller's own
 * files trusted).  The others shape what web requests may do, which a
 * direct caller decides anyway by setting the environment a web server
 * would.
 */
static unsigned
parse_options(int argc, char **argv, struct config *cfg)
{
	struct policy *pol = &cfg->policy;
	unsigned responders = 1;
	uid_t procmon_user = 0;
	bool named = false;
	const char *env;
	char *p;
	int c;

	cfg->pm.dir = "/tmp";
	cfg->limit = LIMIT_DEFAULT;
	if (!cfg->privileged && (env = getenv("PROCMON_DIR")) != NULL &&
	    env[0] != '\0')
		cfg->pm.dir = env;
	while ((c = getopt(argc, argv, "a:bd:F:gH:hl:p:PrsVu:v")) != -1) {
		switch (c) {
		case 'a':
			if (optarg[0] == '\0' || !list_valid(optarg, valid_user))
				log_fatal("-a takes user names separated by "
				    "commas");
			pol->admins = optarg;
			break;
		case 'b':
			cfg->body_only = true;
			break;
		case 'd':
			not_when_privileged(cfg, c);
			cfg->pm.dir = optarg;
			break;
		case 'F':
			responders = (unsigned)number(optarg, 1,
			    RESPONDERS_MAX, "-F takes a number of responders "
			    "from 1 to 64");
			break;
		case 'g':
			pol->get_anywhere = true;
			break;
		case 'H':
			for (p = optarg; *p != '\0'; p++)
				*p = (char)tolower((unsigned char)*p);
			if (strcmp(optarg, "*") != 0 &&
			    !list_valid(optarg, valid_host))
				log_fatal("-H takes host names separated by "
				    "commas, or '*'");
			pol->hosts = optarg;
			break;
		case 'h':
			usage(STDOUT_FILENO);
			exit(0);
		case 'l':
			cfg->limit = (size_t)number(optarg, 1, LIMIT_MAX,
			    "-l takes a number of bytes from 1 to 1048576");
			break;
		case 'p':
			if (!list_valid(optarg, valid_name))
				log_fatal("-p takes process names separated "
				    "by commas, or nothing");
			pol->protected = optarg;
			break;
		case 'P':
			pol->post_only = true;
			break;
		case 'r':
			pol->read_only = true;
			break;
		case 's':
			cfg->pm.holder_only = true;
			break;
		case 'u':
			not_when_privileged(cfg, c);
			procmon_user = parse_user(optarg);
			named = true;
			break;
		case 'V':
			dprintf(STDOUT_FILENO, "fcgi_proc " FCGI_PROC_VERSION
			    "\n");
			exit(0);
		case 'v':
			cfg->verbose = true;
			break;
		default:
			usage(STDERR_FILENO);
			exit(2);
		}
	}
	/*
	 * RFC 3875 section 4.4: a server may also pass a query string without
	 * '=' as arguments.  The query is read from QUERY_STRING, so under
	 * CGI such operands are ignored; from a shell they are a mistake.
	 */
	if (optind != argc && getenv("GATEWAY_INTERFACE") == NULL) {
		usage(STDERR_FILENO);
		exit(2);
	}
	trust(cfg, procmon_user, named);
	return responders;
}

/*
 * A program started with fd 0, 1 or 2 closed would later open a lockfile
 * onto it and write a response into it; /dev/null fills the gap.
 */
static void
ensure_std_fds(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) == -1 &&
		    open("/dev/null", O_RDWR) != fd)
			abort();
}

/*
 * libfcgi takes a FastCGI listening socket on standard input.  Given one,
 * the plain build would answer nothing a web server could read: it says
 * so and ends, rather than answer once and exit as if all were well.
 */
static bool
listening_socket(int fd)
{
	int listening = 0;
	socklen_t len = sizeof listening;

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
	    &len) == 0 && listening;
}

static volatile sig_atomic_t busy, stop_requested;

/*
 * lighttpd stops its FastCGI children with SIGTERM.  Waiting for a request,
 * we leave at once; in the middle of one, we finish it first (reads and
 * writes are restarted; a wait's sleep is only cut one tick short), so
 * that no lockfile is left half-written, no body cut short and no answer
 * lost.
 */
static void
on_sigterm(int sig)
{
	(void)sig;
	if (!busy)
		_exit(0);
	stop_requested = 1;
}

static void
on_signal(int sig)
{
	if (sig != SIGCHLD)
		stop_requested = 1;
}

static void
catch(int sig, void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/*
 * Forks a responder into *pid; returns in the child (true) or in the
 * parent, where *pid is 0 if fork() failed (said on stderr).  A responder
 * ends with its keeper: nothing else would stop it.
 */
static bool
fork_responder(pid_t *pid, const sigset_t *mask)
{
	pid_t keeper = getpid();

	if ((*pid = fork()) == -1) {
		log_warn("cannot fork a responder: %s", strerror(errno));
		*pid = 0;
		return false;
	}
	if (*pid != 0)
		return false;
#ifdef __linux__
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == 0 && getppid() != keeper)
		_exit(0);	/* it ended before that */
#else
	(void)keeper;
#endif
	catch(SIGCHLD, SIG_DFL);
	catch(SIGINT, SIG_DFL);
	sigprocmask(SIG_SETMASK, mask, NULL);
	return true;
}

/* Reaps the responders that ended: true if one did not end in order. */
static bool
reap_responders(pid_t *pids, unsigned n)
{
	bool crashed = false;
	pid_t pid;
	unsigned i;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		for (i = 0; i < n; i++)
			if (pids[i] == pid) {
				/* An orderly end is not replaced. */
				pids[i] = WIFEXITED(st) &&
				    WEXITSTATUS(st) == 0 ? RESPONDER_ENDED : 0;
				crashed |= pids[i] == 0;
			}
	return crashed;
}

/*
 * -F: n responders share the listening socket, so that a list is never
 * kept waiting behind a slow action (a restart's grace).  This process
 * keeps them: one that crashes, or that could not be forked, is replaced
 * a second later (never in a tight loop), and SIGTERM (what lighttpd and
 * systemd send to the process they started) is passed on to them all.
 * Returns in each responder; the keeper itself exits, 1 if it could
 * never fork one.
 */
static void
keep_responders(unsigned n)
{
	const struct timespec second = { 1, 0 };
	pid_t pids[RESPONDERS_MAX] = { 0 };
	sigset_t block, mask;
	unsigned i, alive;
	bool backoff = false, unforked, forked = false;

	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &mask);
	catch(SIGCHLD, on_signal);
	catch(SIGTERM, on_signal);
	catch(SIGINT, on_signal);
	for (;;) {
		for (i = 0, alive = 0, unforked = false; i < n; i++) {
			if (pids[i] == 0 && !stop_requested && !backoff) {
				if (fork_responder(&pids[i], &mask))
					return;
				unforked |= pids[i] == 0;
				forked |= pids[i] != 0;
			}
			alive += pids[i] > 0;
		}
		if (alive == 0 && (stop_requested || (unforked && !forked)))
			exit(!stop_requested);	/* stopped, or none forked */
		backoff |= unforked;
		if (alive == 0 && !backoff)
			exit(0);	/* all ended in order */
		/* Until a signal, or the second a replacement waits out. */
		if (pselect(0, NULL, NULL, NULL, backoff ? &second : NULL,
		    &mask) == 0)
			backoff = false;
		backoff |= reap_responders(pids, n);
		for (i = 0; i < n && stop_requested; i++)
			if (pids[i] > 0)
				kill(pids[i], SIGTERM);
	}
}

int
main(int argc, char **argv)
{
	struct config cfg = { 0 };
	struct answer ans = { 0 };
	struct request req;
	unsigned responders;
	bool responder;

	ensure_std_fds();
	cfg.privileged = privileged();
	cfg.caller = getuid();
	cfg.pm.need_pidfd = cfg.privileged;
	responders = parse_options(argc, argv, &cfg);
	responder = !fcgi_is_cgi();
	if (!responder && listening_socket(STDIN_FILENO))
		log_fatal("standard input is a listening socket: this build "
		    "serves CGI only; build it with make FCGI=1 for FastCGI");
	if (cfg.verbose)
		dprintf(STDERR_FILENO, "fcgi_proc " FCGI_PROC_VERSION ", built "
		    "%s: lockfiles in %s\n", header_ours(), cfg.pm.dir);
	/* A client gone mid-answer must not kill a persistent responder. */
	signal(SIGPIPE, SIG_IGN);
	if (responder && responders > 1)
		keep_responders(responders);
	catch(SIGTERM, on_sigterm);
	if (request_init(&req, cfg.limit, responder, cfg.verbose) == -1)
		log_fatal("out of memory");
	while (!stop_requested && FCGI_Accept() >= 0) {
		busy = 1;
		serve(&cfg, &req, &ans);
		FCGI_Finish();
		busy = 0;
	}
	request_free(&req);
	buf_free(&ans.body);
	/* From a shell, the exit status says whether the request succeeded. */
	return req.shell && ans.status != 200;
}
