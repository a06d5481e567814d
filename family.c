/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "family.h"
#include "pidfd.h"
#include "proc_stat.h"
#include "text.h"

/* Every process /proc shows, with its parent. */
struct node {
	pid_t			 pid, ppid;
	unsigned long long	 start_ticks;
	bool			 taken;
};

static bool
is_member(const struct family *f, pid_t pid)
{
	size_t i;

	for (i = 0; i < f->count; i++)
		if (f->members[i].pid == pid)
			return true;
	return false;
}

static int
add_member(struct family *f, const struct node *n)
{
	struct kin *m;
	size_t alloc;

	if (f->count == f->alloc) {
		alloc = f->alloc ? f->alloc * 2 : 8;
		if (alloc > SIZE_MAX / sizeof *m ||
		    (m = realloc(f->members, alloc * sizeof *m)) == NULL)
			return -1;
		f->members = m;
		f->alloc = alloc;
	}
	f->members[f->count++] = (struct kin){ n->pid, n->start_ticks, 0 };
	return 0;
}

/* Reads every process of /proc into *nodes. */
static int
read_nodes(struct node **nodes, size_t *count)
{
	size_t alloc = 0;
	unsigned long long pid;
	struct proc_stat st;
	struct dirent *e;
	struct node *n;
	DIR *d;

	*nodes = NULL;
	*count = 0;
	if ((d = opendir("/proc")) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (!parse_decimal(e->d_name, strlen(e->d_name), &pid) ||
		    proc_stat_read((pid_t)pid, &st) == -1)
			continue;
		if (*count == alloc) {
			alloc = alloc ? alloc * 2 : 256;
			if (alloc > SIZE_MAX / sizeof *n ||
			    (n = realloc(*nodes, alloc * sizeof *n)) == NULL) {
				closedir(d);
				return -1;
			}
			*nodes = n;
		}
		(*nodes)[(*count)++] = (struct node){ (pid_t)pid, st.ppid,
		    st.start_ticks, false };
	}
	closedir(d);
	return 0;
}

/* The node of this snapshot under pid, or NULL. */
static struct node *
node_of(struct node *nodes, size_t count, pid_t pid)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (nodes[i].pid == pid)
			return &nodes[i];
	return NULL;
}

/*
 * A process is taken when its parent is root, or a process of this same
 * look at /proc already taken: a member found before counts only while
 * its pid still names the process first seen (the same start), so a pid
 * given to another since brings none of that one's children in.
 */
int
family_find(struct family *f, pid_t root)
{
	pid_t self = getpid();
	struct node *nodes, *parent;
	size_t count, i;
	bool grew = true;
	int r = 0;

	if (read_nodes(&nodes, &count) == -1) {
		free(nodes);
		return -1;
	}
	for (i = 0; i < f->count; i++)
		if ((parent = node_of(nodes, count, f->members[i].pid)) != NULL &&
		    parent->start_ticks == f->members[i].start_ticks)
			parent->taken = true;
	/* Children of root or of one taken join, until none is left. */
	while (grew && r == 0)
		for (grew = false, i = 0; i < count && r == 0; i++) {
			struct node *n = &nodes[i];

			/* (is_member first: a look through all the nodes
			 * only for a child of a member.) */
			if (n->taken || n->pid <= 1 || n->pid == self ||
			    n->pid == root || is_member(f, n->pid) ||
			    (n->ppid != root && (!is_member(f, n->ppid) ||
			    (parent = node_of(nodes, count, n->ppid)) == NULL ||
			    !parent->taken)))
				continue;
			n->taken = grew = true;
			r = add_member(f, n);
		}
	free(nodes);
	return r;
}

/*
 * Whether m is still the process first seen.  Through a pidfd, the look
 * at /proc and the signal that follows name the same process: a pid given
 * to another since fails the look or the pidfd.
 */
static bool
still_same(const struct kin *m, int pidfd)
{
	struct proc_stat st;

	return proc_stat_read(m->pid, &st) == 0 &&
	    st.start_ticks == m->start_ticks && st.state != 'Z' &&
	    (pidfd == -1 || pidfd_kill(pidfd, 0) == 0);
}

size_t
family_signal(struct family *f, int sig, bool need_pidfd)
{
	size_t i, sent = 0;
	int pidfd, r;

	for (i = 0; i < f->count; i++) {
		struct kin *m = &f->members[i];

		if ((pidfd = pidfd_of(m->pid)) == -1 &&
		    (errno == ESRCH || need_pidfd ||
		    (errno != ENOSYS && errno != EPERM)))
			continue;
		if (still_same(m, pidfd)) {
			r = pidfd != -1 ? pidfd_kill(pidfd, sig) :
			    kill(m->pid, sig);
			if (r == 0) {
				m->signal = sig;
				sent++;
			}
		}
		if (pidfd != -1)
			close(pidfd);
	}
	return sent;
}

bool
family_alive(const struct family *f)
{
	size_t i;

	for (i = 0; i < f->count; i++)
		if (still_same(&f->members[i], -1))
			return true;
	return false;
}

void
family_free(struct family *f)
{
	free(f->members);
	memset(f, 0, sizeof *f);
}
