/*
 * fcgi_proc: list, start, stop and restart the processes procmon
 * supervises, from a web server.  One binary serves CGI (RFC 3875) and,
 * built with libfcgi, persistent FastCGI; from a shell it answers one
 * request described by the usual CGI environment variables.
 *
 * This file: the options, the privileges, the signals and the loop that
 * takes each request through its four steps: read it (request.c), check
 * who may ask it (policy.c), carry it out (actions.c), send the answer
 * (respond.c).
 */
#include <ctype.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/auxv.h>
#endif

#include "actions.h"
#include "policy.h"
#include "query.h"
#include "request.h"
#include "respond.h"
#include "fcgi_compat.h"

#define LIMIT_DEFAULT	1024
#define LIMIT_MAX	(1024 * 1024)
#define PROTECTED_DEFAULT "procmon1,procmon2"	/* procmon's own monitors */

struct config {
	struct policy	 policy;
	const char	*dir;		/* where procmon's lockfiles are */
	size_t		 limit;		/* longest query string or body */
	bool		 verbose;
	bool		 privileged;	/* setuid, setgid: trust no caller */
};

/*
 * Messages from before the first request go to the descriptors directly:
 * libfcgi's stdio streams exist only once FCGI_Accept() has set them up.
 */
static void
usage(int fd)
{
	dprintf(fd, "usage: fcgi_proc [-ghPrv] [-a users] [-d dir] [-H hosts] "
	    "[-l bytes]\n                 [-p names] [-u user]\n"
	    "  -a users  only these REMOTE_USERs (comma-separated) may act\n"
	    "  -d dir    procmon's lockfile directory (default /tmp,"
	    " or $PROCMON_DIR)\n"
	    "  -g        actions by GET from anywhere (unsafe: any web page"
	    " can send them)\n"
	    "  -H hosts  host names served besides IP addresses and localhost"
	    " ('*': any)\n"
	    "  -l bytes  longest query string or POST body (default 1024)\n"
	    "  -p names  never stopped or restarted (default "
	    PROTECTED_DEFAULT ")\n"
	    "  -P        actions by POST only\n"
	    "  -r        read-only: refuse every action\n"
	    "  -u user   procmon's user: its lockfiles are trusted too\n"
	    "  -v        log each request to stderr\n"
	    "  -h        print this help\n");
}

static void
die(const char *msg)
{
	dprintf(STDERR_FILENO, "fcgi_proc: %s\n", msg);
	exit(2);
}

/*
 * Installed setuid or setgid (or with file capabilities), we run with
 * more power than the caller, who controls our environment and arguments.
 * AT_SECURE is the kernel's own word for that.
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

/*
 * Run setuid, we could be stopped by the caller (its uid is our real uid;
 * Ctrl-Z works from its terminal) between checking a lock and sending a
 * signal, and resumed once the pid has been recycled.  Taking the
 * effective ids as real ones, and ignoring the terminal's stop signals,
 * leaves the caller no way to stop us.
 */
static void
shut_out_caller(void)
{
	if (setregid(getegid(), getegid()) == -1 ||
	    setreuid(geteuid(), geteuid()) == -1)
		die("cannot take the effective user and group as real");
	signal(SIGTSTP, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
}

/* A user name as -a lists it: spaces around it would never match. */
static bool
valid_user(const char *s, size_t len)
{
	return len > 0 && s[0] != ' ' && s[0] != '\t' && s[len - 1] != ' ' &&
	    s[len - 1] != '\t';
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

/* -l and -u: a decimal number from min to max, or die with msg. */
static unsigned long long
number(const char *s, unsigned long long min, unsigned long long max,
    const char *msg)
{
	unsigned long long n;

	if (!parse_decimal(s, strlen(s), &n) || n < min || n > max)
		die(msg);
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

/* An option that would let a setuid caller reach further: refused. */
static void
not_when_privileged(const struct config *cfg, int option)
{
	if (cfg->privileged) {
		dprintf(STDERR_FILENO, "fcgi_proc: -%c is refused when running "
		    "setuid or setgid\n", option);
		exit(2);
	}
}

/*
 * Options that would let a setuid caller reach further than the web can
 * are refused or narrowed when privileged: -d, PROCMON_DIR and -u (the
 * caller's own files trusted), -p (only adds to procmon's monitors).
 * The others shape what web requests may do, which a direct caller
 * decides anyway by setting the environment a web server would.
 */
static void
parse_options(int argc, char **argv, struct config *cfg)
{
	struct policy *pol = &cfg->policy;
	const char *env;
	char *p;
	int c;

	cfg->dir = "/tmp";
	cfg->limit = LIMIT_DEFAULT;
	pol->protected = PROTECTED_DEFAULT;
	if (cfg->privileged)
		pol->protected_always = PROTECTED_DEFAULT;
	else if ((env = getenv("PROCMON_DIR")) != NULL && env[0] != '\0')
		cfg->dir = env;
	while ((c = getopt(argc, argv, "a:d:gH:hl:p:Pru:v")) != -1) {
		switch (c) {
		case 'a':
			if (!list_valid(optarg, valid_user))
				die("-a takes user names separated by commas");
			pol->admins = optarg;
			break;
		case 'd':
			not_when_privileged(cfg, c);
			cfg->dir = optarg;
			break;
		case 'g':
			pol->get_anywhere = true;
			break;
		case 'H':
			for (p = optarg; *p != '\0'; p++)
				*p = (char)tolower((unsigned char)*p);
			if (strcmp(optarg, "*") != 0 &&
			    !list_valid(optarg, valid_host))
				die("-H takes host names separated by commas, "
				    "or '*'");
			pol->hosts = optarg;
			break;
		case 'h':
			usage(STDOUT_FILENO);
			exit(0);
		case 'l':
			cfg->limit = (size_t)number(optarg, 1, LIMIT_MAX, "-l "
			    "takes a number of bytes from 1 to 1048576");
			break;
		case 'p':
			if (!list_valid(optarg, name_valid))
				die("-p takes process names separated by "
				    "commas, or nothing");
			pol->protected = optarg;
			break;
		case 'P':
			pol->post_only = true;
			break;
		case 'r':
			pol->read_only = true;
			break;
		case 'u':
			/* The caller could make its own files trusted. */
			not_when_privileged(cfg, c);
			pm_trust_uid(parse_user(optarg));
			break;
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
setup_signals(void)
{
	struct sigaction sa;

	/* A client gone mid-answer must not kill a persistent responder. */
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigterm;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
}

/* One request: read, checked, carried out, answered, logged. */
static void
serve(const struct config *cfg, struct request *req, struct answer *ans)
{
	const struct site site = { cfg->dir, &cfg->policy };
	struct refusal refusal = { NULL, "" };
	int status;

	answer_reset(ans);
	if ((status = request_read(req, &refusal)) == 0 &&
	    (status = policy_check(&cfg->policy, req, &refusal)) == 0)
		actions_run(&site, req, ans);
	else {
		answer_error(ans, status, refusal.why);
		ans->allow = refusal.allow;
	}
	respond(ans, req->head);
	if (request_acts(req))
		audit(req, ans);
	if (cfg->verbose)
		log_request(req, ans);
}

int
main(int argc, char **argv)
{
	struct config cfg = { 0 };
	struct answer ans = { 0 };
	struct request req;

	ensure_std_fds();
	cfg.privileged = privileged();
	parse_options(argc, argv, &cfg);
	if (cfg.privileged)
		shut_out_caller();
	setup_signals();
	if (request_init(&req, cfg.limit, cfg.verbose) == -1)
		die("out of memory");
	while (!stop_requested && FCGI_Accept() >= 0) {
		busy = 1;
		serve(&cfg, &req, &ans);
		FCGI_Finish();
		busy = 0;
	}
	request_free(&req);
	buf_free(&ans.body);
	actions_release();
	return 0;
}
