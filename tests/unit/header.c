/* SPDX-License-Identifier: MIT */
/*
 * procmon's header as other builds lay it out: read right or not at all,
 * and written only when it is ours.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "header.h"
#include "unit.h"

/* A layout, as header.c knows them, to write test files with. */
struct shape {
	const char	*name;
	size_t		 size, runcount_at, runcount_size, start_at, start_size;
};

static const struct shape shapes[] = {
	{ "64-bit", 24, 8, 8, 16, 8 },
	{ "32-bit, 32-bit time_t", 16, 8, 4, 12, 4 },
	{ "32-bit, 64-bit time_t", 24, 8, 4, 16, 8 },
#if defined(__i386__) || defined(__x86_64__)	/* met only on x86 */
	{ "32-bit x86, 64-bit time_t", 20, 8, 4, 12, 8 },
#endif
};

/* A field of size bytes, in this machine's byte order. */
static void
put(unsigned char *at, size_t size, unsigned long long v)
{
	uint32_t u32 = (uint32_t)v;
	uint64_t u64 = v;

	if (size == 4)
		memcpy(at, &u32, 4);
	else
		memcpy(at, &u64, 8);
}

/* A lockfile's bytes laid out as s; returns their number. */
static size_t
shaped(unsigned char *buf, const struct shape *s, int32_t pid,
    uint32_t terminate, unsigned long long runcount, long long start,
    const char *exec)
{
	memset(buf, 0, s->size);
	memcpy(buf, &pid, 4);
	memcpy(buf + 4, &terminate, 4);
	put(buf + s->runcount_at, s->runcount_size, runcount);
	put(buf + s->start_at, s->start_size, (unsigned long long)start);
	memcpy(buf + s->size, exec, strlen(exec));
	return s->size + strlen(exec);
}

static bool
ours(const struct shape *s)
{
	return s->size == sizeof(struct lockdata) &&
	    s->runcount_at == offsetof(struct lockdata, runcount) &&
	    s->runcount_size == sizeof(size_t) &&
	    s->start_at == offsetof(struct lockdata, starttime) &&
	    s->start_size == sizeof(time_t);
}

void
test_header(void)
{
	const long long now = 1796400000;
	unsigned char buf[256];
	struct header h;
	size_t i, n;

	for (i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		const struct shape *s = &shapes[i];

		n = shaped(buf, s, 4242, TERMINATE_STOP, 17, now,
		    "sleep 18");
		header_read(buf, n, &h);
		check(h.fit != HEADER_UNREADABLE && h.pid == 4242 &&
		    h.terminate == TERMINATE_STOP && h.runcount == 17 &&
		    h.starttime == now && h.size == s->size,
		    "a header laid out by a %s build is read right (%s)",
		    s->name, h.fit == HEADER_OURS ? "ours" : h.layout);
		/* Written only where our offsets are the file's. */
		check(ours(s) ? h.fit == HEADER_OURS : h.fit != HEADER_OURS ||
		    (s->start_at == offsetof(struct lockdata, starttime) &&
		    s->start_size == sizeof(time_t) && s->size ==
		    sizeof(struct lockdata)),
		    "... and taken as ours only where a write lands right");
		n = shaped(buf, s, 4242, 0, 1, now, "true");
		header_read(buf, n, &h);
		check(h.fit != HEADER_UNREADABLE && h.size == s->size &&
		    memcmp(buf + h.size, "true", 4) == 0, "a %s build's entry "
		    "with a short command line is read, not lost", s->name);
		n = shaped(buf, s, 1, 0, 1, now, "");
		header_read(buf, n, &h);
		check(h.fit != HEADER_UNREADABLE && h.size == n,
		    "a %s build's entry with no command line", s->name);
	}
	n = shaped(buf, &shapes[0], 12, 0x12345678, 1, now, "x");
	header_read(buf, n, &h);
	check(h.fit == HEADER_UNREADABLE, "an unknown flag: unreadable");
	n = shaped(buf, &shapes[1], -5, 0, 1, now, "x");
	header_read(buf, n, &h);
	check(h.fit == HEADER_UNREADABLE, "a negative pid: unreadable");
	header_read((const unsigned char *)"procmon", 7, &h);
	check(h.fit == HEADER_UNREADABLE, "shorter than any header: "
	    "unreadable");
	memset(buf, 0xa5, 64);
	header_read(buf, 64, &h);
	check(h.fit == HEADER_UNREADABLE && h.pid == 0 && h.size == 0,
	    "bytes of no header: unreadable, nothing read");
	n = shaped(buf, &shapes[0], 12, 0, 1, now, "abc");
	buf[n - 2] = '\0';
	header_read(buf, n, &h);
	check(h.fit == HEADER_UNREADABLE, "a NUL in the command line: "
	    "unreadable");
	check(strcmp(header_ours(), "as no other") != 0,
	    "this build's layout is a known one: %s", header_ours());
}
