/* SPDX-License-Identifier: MIT */
/*
 * Reading bytes that every module meets: a decimal number (in requests,
 * options and /proc) and a UTF-8 sequence (in names and command lines).
 */
#ifndef TEXT_H
#define TEXT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The decimal number s[0..len): true if it is one or more digits and
 * nothing else (no sign, no space), with *v its value, saturated at
 * ULLONG_MAX; the caller checks the range.
 */
bool	parse_decimal(const char *s, size_t len, unsigned long long *v);

/* Length of the well-formed UTF-8 sequence at s (RFC 3629), or 0. */
size_t	utf8_length(const unsigned char *s, size_t n);

/* True if s[0..n) is well-formed UTF-8 throughout. */
bool	utf8_valid(const char *s, size_t n);

#endif
