/* SPDX-License-Identifier: MIT */
/*
 * The unit tests: one file per module, each with its test_*() functions,
 * run in turn by main.c; and the helpers they share (helpers.c), which
 * make real lockfiles in a temporary directory, held by real child
 * processes exactly as procmon's children hold them.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "procmon_client.h"

extern char		 unit_dir[];	/* the lockfile directory */
extern struct pm_config	 unit_pm;	/* unit_dir, files of ours trusted */

/* Each module's tests. */
void	test_buf(void);
void	test_json(void);
void	test_text(void);
void	test_query(void);
void	test_names(void);
void	test_header(void);
void	test_list(void);
void	test_odd_files(void);
void	test_since(void);
void	test_trust(void);
void	test_actions(void);
void	test_writers(void);
void	test_start_rule(void);
void	test_failed_writes(void);
void	test_unwritable(void);
void	test_procmon_state(void);
void	test_signal_races(void);
void	test_lock_outlives_holder(void);
void	test_leader_gone(void);
void	test_family(void);
void	test_out_of_memory(void);

/* DIR/procmon.NAME */
void	path_of(char *, size_t, const char *name);

/* A lockfile as procmon writes it: header, then the command line. */
void	write_lockfile(const char *name, pid_t, uint32_t terminate,
	    size_t runcount, time_t start, const char *exec, size_t exec_len,
	    mode_t);
/* The bytes of a file, whatever they are (another build's header). */
void	write_bytes(const char *name, const void *, size_t);
struct lockdata read_header(const char *name);
void	set_pid(const char *name, pid_t);
void	set_terminate(const char *name, uint32_t);

/* How a child holds name's lockfile. */
enum hold { HOLD_NONE, HOLD_LOCK, HOLD_OFD_LOCK, HOLD_LOCK_LEADER_GONE };

/*
 * A child that, like procmon's, takes the lock on byte 0 of name's file
 * (or none) and waits to be killed; it ignores SIGTERM.  A byte on
 * unlock_pipe makes it drop the lock and stay alive.  Returns once the
 * lock is held.
 */
pid_t	spawn(const char *name, enum hold);
extern int unlock_pipe[2], unlocked_pipe[2];
pid_t	spawn_droppable(const char *name);	/* records its pid too */
void	end_droppable(pid_t);
/* A child running program (sleep 60, from PATH); returns once it does. */
pid_t	spawn_program(const char *program);

bool	died(pid_t);	/* a child gone (reaped) within a second */
bool	lives(pid_t);	/* a child alive a moment from now */
void	reap(pid_t);

/* One action on one process, start to end, as act.c does it. */
enum pm_status act_on(const char *name, enum pm_action, unsigned grace,
	    struct pm_deed *);
enum pm_status act(const char *name, enum pm_action, unsigned grace,
	    struct pm_outcome *);

void	remove_tree(const char *dir);

#endif
