/* SPDX-License-Identifier: MIT */
/*
 * A stop ends the lock holder and what it started, each descendant
 * checked to be the process first seen; never what lies outside the tree.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "family.h"
#include "proc_stat.h"
#include "unit.h"

/* Alive, and not a zombie: for processes that are not our children. */
static bool
alive(pid_t pid)
{
	struct proc_stat st;

	return kill(pid, 0) == 0 && proc_stat_read(pid, &st) == 0 &&
	    st.state != 'Z';
}

/* Up to a second for pid to end. */
static bool
ended(pid_t pid)
{
	int i;

	for (i = 0; i < 100 && alive(pid); i++)
		usleep(10000);
	return !alive(pid);
}

static void
sleep_on(bool ignore_term)
{
	if (ignore_term)
		signal(SIGTERM, SIG_IGN);
	for (;;)
		pause();
}

/*
 * A holder of name's lock that started a child, which started one of its
 * own, and a second child that left for a session of its own: kin[0..2].
 * One of them (the grandchild) ignores SIGTERM, as the holder does.
 */
static pid_t
spawn_tree(const char *name, pid_t kin[3])
{
	int ready[2];
	pid_t holder;

	if (pipe(ready) == -1 || (holder = fork()) == -1)
		exit(1);
	if (holder == 0) {
		struct flock fl = HOLDER_LOCK;
		char path[512];
		pid_t k[3];
		int fd, link[2];

		signal(SIGTERM, SIG_IGN);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		path_of(path, sizeof path, name);
		if ((fd = open(path, O_RDWR)) == -1 ||
		    fcntl(fd, F_SETLK, &fl) == -1 || pipe(link) == -1)
			_exit(1);
		if ((k[0] = fork()) == 0) {
			signal(SIGTERM, SIG_DFL);
			if ((k[1] = fork()) == 0)
				sleep_on(true);
			if (write(link[1], &k[1], sizeof k[1]) != sizeof k[1])
				_exit(1);
			sleep_on(false);
		}
		if ((k[2] = fork()) == 0) {
			signal(SIGTERM, SIG_DFL);
			setsid();
			sleep_on(false);
		}
		if (read(link[0], &k[1], sizeof k[1]) != sizeof k[1] ||
		    write(ready[1], k, sizeof k) != sizeof k)
			_exit(1);
		sleep_on(true);
	}
	close(ready[1]);
	if (read(ready[0], kin, 3 * sizeof *kin) != 3 * sizeof *kin)
		exit(1);
	close(ready[0]);
	set_pid(name, holder);
	return holder;
}

static void
end_all(pid_t holder, const pid_t kin[3])
{
	int i;

	for (i = 0; i < 3; i++)
		kill(kin[i], SIGKILL);
	reap(holder);
}

/* Which of kin the deed signalled, in its order. */
static int
signalled(const struct pm_deed *d, const pid_t kin[3])
{
	size_t i, j;
	int found = 0;

	for (i = 0; i < d->family.count; i++)
		for (j = 0; j < 3; j++)
			if (d->family.members[i].pid == kin[j] &&
			    d->family.members[i].signal != 0)
				found |= 1 << j;
	return found;
}

void
test_family(void)
{
	struct family fake = { 0 };
	struct proc_stat st;
	struct pm_deed d;
	pid_t holder, kin[3], outsider;

	write_lockfile("tree", 0, 0, 1, time(NULL), "sh -c 'a & exec b'", 18,
	    0600);
	outsider = spawn("tree", HOLD_NONE);
	holder = spawn_tree("tree", kin);
	check(act_on("tree", PM_STOP, 0, &d) == PM_OK &&
	    d.out.killed == holder && signalled(&d, kin) == 7,
	    "stop: the holder, its child, grandchild and the child in a "
	    "session of its own, each signalled");
	pm_deed_free(&d);
	check(died(holder) && ended(kin[0]) && ended(kin[1]) &&
	    ended(kin[2]), "... and all of them gone");
	check(lives(outsider), "... a process outside the tree lives");
	end_all(holder, kin);

	set_terminate("tree", 0);
	holder = spawn_tree("tree", kin);
	check(act_on("tree", PM_RESTART, 1, &d) == PM_OK &&
	    d.out.killed == holder && d.out.signal == SIGKILL &&
	    signalled(&d, kin) == 7, "restart with a grace: SIGTERM to all, "
	    "then SIGKILL to the holder, which ignored it");
	pm_deed_free(&d);
	check(died(holder) && ended(kin[0]) && ended(kin[1]) &&
	    ended(kin[2]), "... the grandchild too, which ignored it");
	end_all(holder, kin);

	holder = spawn_tree("tree", kin);
	unit_pm.holder_only = true;
	check(act_on("tree", PM_RESTART, 0, &d) == PM_OK &&
	    d.out.killed == holder && signalled(&d, kin) == 0,
	    "the holder alone (-s): only the holder signalled");
	pm_deed_free(&d);
	unit_pm.holder_only = false;
	check(died(holder) && alive(kin[0]) && alive(kin[1]) && alive(kin[2]),
	    "... what it started lives on, as procmon -k leaves it");
	end_all(holder, kin);

	/* A member whose pid now names another process is not signalled. */
	if (proc_stat_read(outsider, &st) == -1)
		exit(1);
	fake.members = &(struct kin){ outsider, st.start_ticks + 1, 0 };
	fake.count = 1;
	check(family_signal(&fake, SIGKILL, false) == 0 && lives(outsider),
	    "a descendant's pid taken by another process: not signalled");
	fake.members[0].start_ticks = st.start_ticks;
	check(family_signal(&fake, SIGKILL, false) == 1 && died(outsider),
	    "... the process first seen is");
}
