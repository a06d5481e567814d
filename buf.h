/* SPDX-License-Identifier: MIT */
/*
 * A growable text buffer: an answer is written here whole, so that its
 * status is known before a byte of it is sent.  Running out of memory
 * sticks: the text is then incomplete and says so in failed.
 */
#ifndef BUF_H
#define BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	bool	 failed;	/* out of memory: data is cut short */
};

#if defined(__GNUC__) || defined(__clang__)
#define PRINTF_LIKE(f, a) __attribute__((format(__printf__, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

void	buf_add(struct buf *, const void *, size_t);
void	buf_addc(struct buf *, char);
void	buf_adds(struct buf *, const char *);
void	buf_printf(struct buf *, const char *, ...) PRINTF_LIKE(2, 3);
void	buf_reset(struct buf *);	/* empties it, keeping modest room */
void	buf_free(struct buf *);

#endif
