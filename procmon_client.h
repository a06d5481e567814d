/*
 * A client of procmon's lockfile protocol: one file per supervised process,
 * DIR/procmon.<id>, holding struct lockdata and then the command line.  The
 * supervised process holds a write lock on byte 0 for as long as it lives.
 * No fork, no exec, no shell: everything is open, pread, pwrite and fcntl.
 */
#ifndef PROCMON_CLIENT_H
#define PROCMON_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* procmon's header; the C declaration, not byte offsets, is the contract. */
struct lockdata {
	pid_t		pid;		/* last process started */
	uint32_t	terminate;	/* 0 or one of the PM_TERMINATE_* */
	size_t		runcount;	/* times started */
	time_t		starttime;	/* last start, or last stop */
};

#define PM_TERMINATE_STOP	0xDEADBEEFu	/* stopped, file kept */
#define PM_TERMINATE_DELETE	0xDEAFBABEu	/* stopped, file removed */

#define PM_PREFIX	"procmon."
#define PM_EXEC_MAX	4096	/* command line bytes read; the rest is cut */

struct pm_proc {
	char		*name;		/* the id, any bytes but '/' */
	struct lockdata	 lock;
	pid_t		 holder;	/* pid holding byte 0, or 0 */
	char		*exec;		/* command line, exec_len bytes */
	size_t		 exec_len;
	int		 fd;		/* the lockfile, kept open, or -1 */
	ino_t		 ino;		/* as its directory entry gave it */
};

/*
 * A list, and what pm_refresh() keeps to refresh it cheaply: its
 * lockfiles open, and a watch on the directory.  Zero it before first use;
 * pm_list_free() closes and frees everything.
 */
struct pm_list {
	struct pm_proc	*procs;		/* sorted by name */
	size_t		 count;
	size_t		 alloc;
	size_t		 untrusted;	/* procmon.* entries left out */
	unsigned long	 generation;	/* differs whenever procs did */
	char		*dir;		/* where procs were read */
	dev_t		 dir_dev;	/* the device of the directory read */
	bool		 scanned;	/* once at least */
	bool		 watching;	/* watch is an inotify descriptor */
	int		 watch;
	dev_t		 watch_dev;	/* on the directory that dir named */
	ino_t		 watch_ino;
};

enum pm_action { PM_START, PM_STOP, PM_RESTART };

/* procmon itself, as its own entries procmon1 and procmon2 show it. */
enum pm_procmon {
	PM_PROCMON_ABSENT,	/* neither entry: not known to be procmon's */
	PM_PROCMON_RUNNING,	/* one of them holds its lock */
	PM_PROCMON_STOPPED	/* nothing will start or restart anything */
};

enum pm_status {
	PM_OK,
	PM_UNKNOWN,	/* no such lockfile */
	PM_UNTRUSTED,	/* a lockfile we refuse: see pm_trusted() */
	PM_DELETING,	/* procmon is removing the entry */
	PM_SYSERR	/* a system call failed: errno and pm_error() say why */
};

struct pm_outcome {
	bool		 changed;	/* the lockfile was written */
	pid_t		 killed;	/* pid signalled, or 0 */
	int		 signal;	/* the last signal sent it */
	bool		 was_running;	/* its holder, when acted on */
};

int		 pm_running(const struct pm_proc *);
enum pm_status	 pm_list(const char *dir, struct pm_list *);  /* a new list */
enum pm_status	 pm_refresh(const char *dir, struct pm_list *);
void		 pm_list_free(struct pm_list *);
enum pm_status	 pm_get(const char *dir, const char *name, struct pm_proc *);
enum pm_status	 pm_act(const char *dir, const char *name, enum pm_action,
		    unsigned grace, struct pm_outcome *);
enum pm_procmon	 pm_procmon(const char *dir);
enum pm_procmon	 pm_procmon_listed(const struct pm_list *);
void		 pm_trust_uid(uid_t);	/* procmon's user, besides root */
const char	*pm_error(void);
unsigned long long pm_age(time_t start, time_t now);	/* seconds, >= 0 */
void		 pm_format_since(char *, size_t, time_t start, time_t now);

#define PM_SINCE_MAX	32	/* the longest age pm_format_since() writes */

#endif
