/* SPDX-License-Identifier: MIT */
/*
 * application/x-www-form-urlencoded, for QUERY_STRING and POST bodies
 * alike: "key=value" pairs separated by '&', '+' for a space and %XX
 * escapes (WHATWG URL standard, section 5; RFC 3986 section 2.1).
 */
#ifndef QUERY_H
#define QUERY_H

#include <stdbool.h>
#include <stddef.h>

/* A parameter as sent: neither part decoded yet. */
struct query_param {
	char		*key;
	size_t		 key_len;
	char		*value;		/* NULL if there is no '=' */
	size_t		 value_len;
};

/*
 * Splits the next parameter off *cursor, which it advances.  Returns 1
 * with *param filled, or 0 at the end.  An empty parameter ("a&&b") has
 * key_len 0.
 */
int	query_next(char **cursor, struct query_param *param);

/*
 * Decodes src[0..len) into dst, which may be src itself: decoding never
 * lengthens.  Returns the decoded length, or -1 if a '%' is not followed
 * by two hex digits.  A value is split on its raw commas before its words
 * are decoded, so an encoded comma (%2C) belongs to a name.
 */
long	query_decode(char *dst, const char *src, size_t len);

#endif
