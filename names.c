/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "names.h"

bool
name_valid(const char *s, size_t len)
{
	return len > 0 && len <= NAME_MAX_LEN && memchr(s, '/', len) == NULL &&
	    memchr(s, '\0', len) == NULL;
}

bool
list_each(const char *s, size_t len,
    bool (*each)(const char *, size_t, void *), void *arg)
{
	const char *end = s + len, *comma;

	if (len == 0)
		return true;
	for (;;) {
		comma = memchr(s, ',', (size_t)(end - s));
		if (!each(s, (size_t)((comma != NULL ? comma : end) - s), arg))
			return false;
		if (comma == NULL)
			return true;
		s = comma + 1;
	}
}

struct wanted {
	const char	*item;
	size_t		 len;
};

/* list_each() goes on while the word is not the one wanted. */
static bool
differs(const char *word, size_t len, void *arg)
{
	const struct wanted *w = arg;

	return len != w->len || memcmp(word, w->item, len) != 0;
}

bool
list_has(const char *list, const char *item, size_t len)
{
	struct wanted w = { item, len };

	return memchr(item, ',', len) == NULL &&
	    !list_each(list, strlen(list), differs, &w);
}

static bool
passes(const char *word, size_t len, void *valid)
{
	bool (*const *check)(const char *, size_t) = valid;

	return (*check)(word, len);
}

bool
list_valid(const char *list, bool (*valid)(const char *, size_t))
{
	return list_each(list, strlen(list), passes, &valid);
}
