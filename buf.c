/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define ROOM_FIRST	1024
#define ROOM_KEPT	65536	/* past this, a buffer mostly idle is let go */

/* Room for n more bytes, doubling; false (and failed set) if none. */
static bool
reserve(struct buf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : ROOM_FIRST;
	char *data;

	if (b->failed)
		return false;
	while (cap - b->len < n && cap <= SIZE_MAX / 2)
		cap *= 2;
	if (cap == b->cap)
		return true;
	if (cap - b->len < n || (data = realloc(b->data, cap)) == NULL) {
		b->failed = true;
		return false;
	}
	b->data = data;
	b->cap = cap;
	return true;
}

void
buf_add(struct buf *b, const void *s, size_t n)
{
	if (n > 0 && reserve(b, n)) {
		memcpy(b->data + b->len, s, n);
		b->len += n;
	}
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Formats into the room left, and again into more room if it was short. */
void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	if (!reserve(b, 64))
		return;
	room = b->cap - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, room, fmt, ap);
	va_end(ap);
	/* vsnprintf writes a NUL too: room for it, then not counted. */
	if (n >= 0 && (size_t)n >= room && reserve(b, (size_t)n + 1)) {
		va_start(ap, fmt);
		n = vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	if (n < 0)
		b->failed = true;
	else if (!b->failed)
		b->len += (size_t)n;
}

/* One long answer must not keep its room for good. */
void
buf_reset(struct buf *b)
{
	if (b->cap > ROOM_KEPT && b->len < b->cap / 4)
		buf_free(b);
	b->len = 0;
	b->failed = false;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}
