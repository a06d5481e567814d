/* SPDX-License-Identifier: MIT */
/*
 * procmon's lockfile header, and how sure a reading of it is.  procmon
 * writes its struct as its compiler lays it out, and the file does not
 * say how: a procmon built with another time_t or size_t than ours writes
 * the same fields at other offsets.  Misread, its time is garbage, its
 * command line loses or gains bytes, and a field written at our offsets
 * lands in its command line for good.
 */
#ifndef HEADER_H
#define HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* procmon's declaration: field order and C types are the contract. */
struct lockdata {
	pid_t		pid;		/* last process started */
	uint32_t	terminate;	/* 0 or one of the TERMINATE_* */
	size_t		runcount;	/* times started */
	time_t		starttime;	/* last start, or last stop */
};

#define TERMINATE_STOP		0xDEADBEEFu	/* stopped, file kept */
#define TERMINATE_DELETE	0xDEAFBABEu	/* stopped, file removed */

enum header_fit {
	HEADER_OURS,		/* laid out as we lay it out: it may be
				   written */
	HEADER_FOREIGN,		/* only another known layout reads
				   plausibly: read so, never written */
	HEADER_UNREADABLE	/* no layout, or other ones that disagree */
};

struct header {
	enum header_fit	 fit;
	const char	*layout;	/* a foreign one's build: "64-bit"... */
	size_t		 size;		/* the command line starts here */
	pid_t		 pid;
	uint32_t	 terminate;
	unsigned long long runcount;
	long long	 starttime;
};

/*
 * Reads the header at the start of the n bytes of a lockfile (as many as
 * were read of it) under every known layout, and keeps the one reading
 * that is plausible: a pid, a known flag, a run count and a time in range,
 * padding zero, and a command line without a NUL byte.
 */
void		 header_read(const unsigned char *file, size_t n,
		    struct header *);

/* How this build lays the header out, for people: "64-bit"... */
const char	*header_ours(void);

#endif
