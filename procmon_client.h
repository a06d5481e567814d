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

#include "holder.h"

/* procmon's header; the C declaration, not byte offsets, is the contract. */
struct lockdata {
	pid_t		pid;		/* last process started */
	uint32_t	terminate;	/* 0 or one of the PM_TERMINATE_* */
	size_t		runcount;	/* times started */
	time_t		starttime;	/* last start, or last stop */
};

#define PM_TERMINATE_STOP	0xDEADBEEFu	/* stopped, file kept */
#define PM_TERMINATE_DELETE	0xDEAFBABEu	/* stopped, file removed */

/* The lock a supervised process holds on its file, for fcntl(). */
#define PM_LOCK_BYTE0	{ .l_type = F_WRLCK, .l_whence = SEEK_SET, \
			  .l_start = 0, .l_len = 1 }

#define PM_PREFIX	"procmon."
#define PM_EXEC_MAX	4096	/* command line bytes read; the rest is cut */

struct pm_proc {
	char		*name;		/* the id, any bytes but '/' */
	struct lockdata	 lock;
	pid_t		 holder;	/* pid holding byte 0, or 0 */
	char		*exec;		/* command line, exec_len bytes */
	size_t		 exec_len;
	dev_t		 dev;		/* the file read */
	ino_t		 ino;
};

/* Every trusted procmon.* entry of a directory. */
struct pm_list {
	struct pm_proc	*procs;		/* sorted by name */
	size_t		 count;
	size_t		 alloc;
	size_t		 untrusted;	/* procmon.* entries left out */
	size_t		 linked;	/* of those, ours but for a 2nd link */
};

enum pm_action { PM_START, PM_STOP, PM_RESTART };

enum pm_status {
	PM_OK,
	PM_UNKNOWN,	/* no such lockfile */
	PM_UNTRUSTED,	/* a lockfile we refuse: see trusted() */
	PM_DELETING,	/* procmon is removing the entry */
	PM_NOT_HOLDER,	/* its lock is held under its pid by another process:
			   nothing signalled; pm_error() says which */
	PM_SYSERR	/* a system call failed: errno and pm_error() say why */
};

/* procmon itself, as its own entries procmon1 and procmon2 show it. */
enum pm_procmon {
	PM_PROCMON_ABSENT,	/* neither entry: not known to be procmon's */
	PM_PROCMON_RUNNING,	/* one of them holds its lock */
	PM_PROCMON_STOPPED	/* nothing will start or restart anything */
};

struct pm_outcome {
	bool		 changed;	/* the lockfile was written */
	pid_t		 killed;	/* pid signalled, or 0 */
	int		 signal;	/* the last signal sent it */
	bool		 was_running;	/* its holder, when acted on */
};

/*
 * An action under way: pm_begin() writes the lockfile and sends the first
 * signal, SIGTERM if graceful; pm_finish() sends SIGKILL to a process
 * that still holds its lock, and releases what was kept.  Between them,
 * pm_await_ending() gives several processes one grace together.
 */
struct pm_deed {
	struct pm_outcome out;
	const char	*name;
	struct holder	 holder;	/* its fd is -1 once finished */
	bool		 ending;	/* SIGTERM sent; SIGKILL may follow */
};

int		 pm_running(const struct pm_proc *);
enum pm_status	 pm_list(const char *dir, struct pm_list *);
void		 pm_list_free(struct pm_list *);
enum pm_status	 pm_get(const char *dir, const char *name, struct pm_proc *);
enum pm_status	 pm_begin(const char *dir, const char *name, enum pm_action,
		    bool graceful, struct pm_deed *);
void		 pm_await_ending(struct pm_deed *const *, size_t,
		    unsigned grace);
enum pm_status	 pm_finish(struct pm_deed *);
enum pm_procmon	 pm_procmon(const char *dir);
enum pm_procmon	 pm_procmon_listed(const struct pm_list *);
void		 pm_trust_uid(uid_t);	/* procmon's user, besides root */
int		 pm_trusted_at(int dirfd, const char *file);
int		 pm_reread_at(int dirfd, struct pm_proc *);
const struct pm_proc *pm_find(const struct pm_list *, const char *name);
const char	*pm_error(void);
unsigned long long pm_age(time_t start, time_t now);	/* seconds, >= 0 */
void		 pm_format_since(char *, size_t, time_t start, time_t now);

#define PM_SINCE_MAX	32	/* the longest age pm_format_since() writes */

#endif
