/* SPDX-License-Identifier: MIT */
/*
 * A client of procmon's lockfile protocol: one file per supervised process,
 * DIR/procmon.<id>, holding procmon's header (header.h) and then the
 * command line.  The supervised process holds a write lock on byte 0 for
 * as long as it lives (holder.h).  No fork, no exec, no shell: everything
 * is open, pread, pwrite and fcntl.
 */
#ifndef PROCMON_CLIENT_H
#define PROCMON_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "family.h"
#include "header.h"
#include "holder.h"

#define PM_PREFIX	"procmon."
#define PM_EXEC_MAX	65536	/* command line bytes read; past it, cut */
#define PM_WHY_MAX	384	/* a sentence saying what failed */

/* Where procmon's lockfiles are, whose files to believe, how to stop. */
struct pm_config {
	const char	*dir;
	uid_t		 trusted[2];	/* besides root's: ours, -u's */
	size_t		 ntrusted;
	bool		 holder_only;	/* signal the lock holder alone, as
					   procmon -k does */
	bool		 need_pidfd;	/* signal only through pidfds */
};

struct pm_proc {
	char		*name;		/* the id: any bytes but '/' */
	struct header	 head;
	pid_t		 holder;	/* pid holding byte 0, or 0 */
	char		*exec;		/* command line, exec_len bytes */
	size_t		 exec_len;
	bool		 exec_cut;	/* longer than PM_EXEC_MAX */
};

/* Why a procmon.* file is left out of lists and refused for actions. */
enum pm_distrust {
	PM_OWNER,	/* neither root's nor a trusted user's */
	PM_MODE,	/* writable by group or others */
	PM_TYPE,	/* not a regular file */
	PM_LINKS,	/* more than one link */
	PM_UNSEEN,	/* cannot be looked at */
	PM_DISTRUSTS
};

/* Every trusted procmon.* entry of a directory, and what was left out. */
struct pm_list {
	struct pm_proc	*procs;		/* sorted by name */
	size_t		 count;
	size_t		 alloc;
	size_t		 left_out[PM_DISTRUSTS];
};

enum pm_action { PM_START, PM_STOP, PM_RESTART };

enum pm_status {
	PM_OK,
	PM_UNKNOWN,	/* no such lockfile */
	PM_UNTRUSTED,	/* a lockfile we refuse; why says why */
	PM_UNWRITABLE,	/* a header we cannot read with certainty */
	PM_DELETING,	/* procmon is removing the entry */
	PM_NOT_HOLDER,	/* its lock is held under its pid by another
			   process: nothing signalled */
	PM_SYSERR	/* a system call failed; why says which, and why */
};

/* procmon itself, as its own entries procmon1 and procmon2 show it. */
enum pm_procmon_state {
	PM_PROCMON_ABSENT,	/* neither entry */
	PM_PROCMON_RUNNING,	/* one of them holds its lock */
	PM_PROCMON_STOPPED	/* nothing will start or restart anything */
};

struct pm_procmon {
	enum pm_procmon_state state;
	pid_t		 monitors[2];	/* the lock holders, or 0 */
};

struct pm_outcome {
	bool		 changed;	/* the lockfile was written */
	pid_t		 killed;	/* the lock holder signalled, or 0 */
	int		 signal;	/* the last signal sent it */
	bool		 was_running;	/* its holder, when acted on */
};

/*
 * An action under way: pm_begin() writes the lockfile and sends the first
 * signal, SIGTERM if graceful, to the lock holder and, unless
 * holder_only, to what it started (family); pm_finish() sends SIGKILL to
 * those still there, and releases what was kept.  Between them,
 * pm_await_ending() gives several processes one grace together.  What
 * was done stays in the deed until pm_deed_free().
 */
struct pm_deed {
	struct pm_outcome out;
	const char	*name;
	struct holder	 holder;	/* its fd is -1 once finished */
	struct family	 family;	/* its members' signal: what was sent */
	bool		 ending;	/* SIGTERM sent; SIGKILL may follow */
	char		 why[PM_WHY_MAX];
};

bool		 pm_running(const struct pm_proc *);
enum pm_status	 pm_list(const struct pm_config *, struct pm_list *,
		    char *why);
void		 pm_list_free(struct pm_list *);
enum pm_status	 pm_get(const struct pm_config *, const char *name,
		    struct pm_proc *, char *why);
void		 pm_proc_free(struct pm_proc *);
const struct pm_proc *pm_find(const struct pm_list *, const char *name);
void		 pm_procmon(const struct pm_config *, struct pm_procmon *);
void		 pm_procmon_listed(const struct pm_list *, struct pm_procmon *);

enum pm_status	 pm_begin(const struct pm_config *, const struct pm_procmon *,
		    const char *name, enum pm_action, bool graceful,
		    struct pm_deed *);
void		 pm_await_ending(struct pm_deed *const *, size_t,
		    unsigned grace);
enum pm_status	 pm_finish(const struct pm_config *, struct pm_deed *);
void		 pm_deed_free(struct pm_deed *);	/* after pm_finish() */

/* What is wrong with p's header, for people: false if nothing. */
bool		 pm_header_problem(const struct pm_proc *, char *, size_t);

/* Why each pm_distrust leaves a file out: a word, and for people. */
const char	*pm_distrust_key(enum pm_distrust);
const char	*pm_distrust_text(enum pm_distrust);

unsigned long long pm_age(long long start, long long now); /* seconds, >= 0 */
void		 pm_format_since(char *, size_t, long long start,
		    long long now);

#define PM_SINCE_MAX	32	/* the longest age pm_format_since() writes */

#endif
