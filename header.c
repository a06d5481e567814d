/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "header.h"

#define PID_LIMIT	4194304		/* Linux's PID_MAX_LIMIT */
#define TIME_LIMIT	(1LL << 33)	/* the year 2242 */

/* Where a build puts the fields; pid and terminate never move. */
struct layout {
	const char	*name;
	unsigned char	 size;
	unsigned char	 runcount_at, runcount_size;
	unsigned char	 starttime_at, starttime_size;
};

static const struct layout ours = {
	NULL, sizeof(struct lockdata),
	offsetof(struct lockdata, runcount), sizeof(size_t),
	offsetof(struct lockdata, starttime), sizeof(time_t)
};

/*
 * The builds procmon is found in.  On little-endian machines a 64-bit
 * build's header and a 32-bit one's with a 64-bit time_t read alike when
 * the run count is small and the padding zero (procmon clears it): the
 * 32-bit one is named first, as a 32-bit fcgi_proc meets it more often.
 * Only x86 aligns a 64-bit field to 4 bytes, and only an x86 machine runs
 * such a procmon: elsewhere that layout would only make readings
 * ambiguous (on a big-endian machine, a 64-bit header reads as one).
 */
static const struct layout known[] = {
	{ "32-bit with a 64-bit time_t", 24, 8, 4, 16, 8 },
	{ "32-bit with a 32-bit time_t", 16, 8, 4, 12, 4 },
#if defined(__i386__) || defined(__x86_64__)
	{ "32-bit x86 with a 64-bit time_t", 20, 8, 4, 12, 8 },
#endif
	{ "64-bit", 24, 8, 8, 16, 8 },
};

static bool
same_layout(const struct layout *a, const struct layout *b)
{
	return a->size == b->size && a->runcount_at == b->runcount_at &&
	    a->runcount_size == b->runcount_size &&
	    a->starttime_at == b->starttime_at &&
	    a->starttime_size == b->starttime_size;
}

const char *
header_ours(void)
{
	size_t i;

	for (i = 0; i < sizeof known / sizeof known[0]; i++)
		if (same_layout(&known[i], &ours))
			return known[i].name;
	return "as no other";
}

/* A field of 4 or 8 bytes at p, in this machine's byte order. */
static unsigned long long
field(const unsigned char *p, size_t size)
{
	uint32_t u32;
	uint64_t u64;

	if (size == 4) {
		memcpy(&u32, p, 4);
		return u32;
	}
	memcpy(&u64, p, 8);
	return u64;
}

static long long
signed_field(const unsigned char *p, size_t size)
{
	unsigned long long v = field(p, size);

	return size == 4 ? (int32_t)(uint32_t)v : (long long)v;
}

/* The header under layout l, if it reads plausibly so. */
static bool
plausible(const struct layout *l, const unsigned char *file, size_t n,
    struct header *h)
{
	size_t pad = l->runcount_at + l->runcount_size, i;
	int32_t pid;

	if (n < l->size)
		return false;
	for (i = pad; i < l->starttime_at; i++)
		if (file[i] != 0)
			return false;
	memcpy(&pid, file, sizeof pid);
	memcpy(&h->terminate, file + 4, sizeof h->terminate);
	h->pid = (pid_t)pid;
	h->runcount = field(file + l->runcount_at, l->runcount_size);
	h->starttime = signed_field(file + l->starttime_at,
	    l->starttime_size);
	h->size = l->size;
	h->layout = l->name;
	return pid >= 0 && pid <= PID_LIMIT &&
	    (h->terminate == 0 || h->terminate == TERMINATE_STOP ||
	    h->terminate == TERMINATE_DELETE) &&
	    h->runcount <= UINT32_MAX &&
	    h->starttime >= 0 && h->starttime < TIME_LIMIT &&
	    memchr(file + l->size, '\0', n - l->size) == NULL;
}

static bool
same_reading(const struct header *a, const struct header *b)
{
	return a->size == b->size && a->pid == b->pid &&
	    a->terminate == b->terminate && a->runcount == b->runcount &&
	    a->starttime == b->starttime;
}

/*
 * Ours, when it reads plausibly as ours: no header of another known
 * layout does (its time or padding would be out of range, or its command
 * line hold a NUL).  Else the one reading the other layouts agree on, if
 * there is one.
 */
void
header_read(const unsigned char *file, size_t n, struct header *h)
{
	struct header other;
	bool found = false, ambiguous = false;
	size_t i;

	memset(h, 0, sizeof *h);
	if (plausible(&ours, file, n, h)) {
		h->fit = HEADER_OURS;
		h->layout = NULL;
		return;
	}
	for (i = 0; i < sizeof known / sizeof known[0]; i++) {
		if (same_layout(&known[i], &ours) ||
		    !plausible(&known[i], file, n, &other))
			continue;
		if (!found) {
			*h = other;
			found = true;
		} else if (!same_reading(&other, h))
			ambiguous = true;
	}
	if (found && !ambiguous)
		h->fit = HEADER_FOREIGN;
	else {
		memset(h, 0, sizeof *h);
		h->fit = HEADER_UNREADABLE;
	}
}
