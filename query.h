/*
 * application/x-www-form-urlencoded parsing, for QUERY_STRING and POST
 * bodies alike: "key=value" pairs separated by '&', '+' for a space and
 * %XX escapes (WHATWG URL standard, section 5; RFC 3986 section 2.1);
 * and the one decimal parser, for numbers in requests, options and /proc.
 */
#ifndef QUERY_H
#define QUERY_H

#include <stdbool.h>
#include <stddef.h>

struct query_param {
	const char	*key;		/* decoded; may hold NUL bytes */
	size_t		 key_len;
	const char	*value;		/* decoded, or NULL if no '=' */
	size_t		 value_len;
};

/*
 * Splits the next parameter off *cursor and decodes it in place.
 * Returns 1 with *param filled, 0 at the end, -1 if a '%' is not followed
 * by two hex digits.  An empty parameter ("a&&b") has key_len 0.
 */
int	query_next(char **cursor, struct query_param *param);

/*
 * The decimal number s[0..len): true if it is one or more digits and
 * nothing else (no sign, no space), with *v its value, saturated at
 * ULLONG_MAX; the caller checks the range.
 */
bool	parse_decimal(const char *s, size_t len, unsigned long long *v);

#endif
