/* SPDX-License-Identifier: MIT */
/*
 * Process names, and the comma-separated lists they come in ("stop=a,b",
 * -p, -a, -H): one splitter, so every list means the same thing.
 */
#ifndef NAMES_H
#define NAMES_H

#include <stdbool.h>
#include <stddef.h>

/*
 * procmon puts no rule on an id: whatever its configuration names
 * becomes the file procmon.<id>.  So a name is whatever a file name can
 * hold after that prefix: 1 to 247 bytes (NAME_MAX 255 less "procmon."),
 * neither '/' nor NUL.  It cannot leave the lockfile directory.
 */
#define NAME_MAX_LEN	247

bool	name_valid(const char *, size_t);

/*
 * Calls each(word, len, arg) on every comma-separated word of s[0..len),
 * empty words included ("a,,b" has three); an empty s has none.  Stops
 * at the first call that returns false, and returns false then.
 */
bool	list_each(const char *s, size_t len,
	    bool (*each)(const char *, size_t, void *), void *arg);

/* True if item (len bytes, no comma in it) is one of list's words. */
bool	list_has(const char *list, const char *item, size_t len);

/* True if every word of list passes valid. */
bool	list_valid(const char *list, bool (*valid)(const char *, size_t));

#endif
