/* SPDX-License-Identifier: MIT */
/* The form-encoding parser, and names and the lists they come in. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "names.h"
#include "query.h"
#include "unit.h"

/*
 * Parses q, decoding each key and value, and renders what came out as
 * key=value|key|... for comparison; -1 if one does not decode.
 */
static int
parse_render(const char *q, char *out, size_t size)
{
	char buf[256], *cursor = buf;
	struct query_param p;
	size_t used = 0;
	long k, v = 0;

	snprintf(buf, sizeof buf, "%s", q);
	out[0] = '\0';
	while (query_next(&cursor, &p) == 1) {
		if ((k = query_decode(p.key, p.key, p.key_len)) == -1 ||
		    (p.value != NULL &&
		    (v = query_decode(p.value, p.value, p.value_len)) == -1))
			return -1;
		used += (size_t)snprintf(out + used, size - used, "%s%.*s",
		    used ? "|" : "", (int)k, p.key);
		if (p.value != NULL)
			used += (size_t)snprintf(out + used, size - used,
			    "=%.*s", (int)v, p.value);
	}
	return 0;
}

static void
query_is(const char *q, const char *want)
{
	char got[256];
	int r = parse_render(q, got, sizeof got);

	check(r == 0 && strcmp(got, want) == 0, "query \"%s\" -> %s (got %s)",
	    q, want, r ? "error" : got);
}

static void
query_fails(const char *q)
{
	char got[256];

	check(parse_render(q, got, sizeof got) == -1,
	    "query \"%s\" is malformed", q);
}

void
test_query(void)
{
	char buf[16] = "stop=%00x", *cursor = buf;
	struct query_param p;

	query_is("list", "list");
	query_is("list=", "list=");
	query_is("stop=sleep1", "stop=sleep1");
	query_is("a=1&b=2", "a=1|b=2");
	query_is("a&&b", "a||b");
	query_is("a&", "a|");
	query_is("=x", "=x");
	query_is("stop=a=b", "stop=a=b");
	query_is("%73top=%31", "stop=1");
	query_is("%7E%7e", "~~");
	query_is("stop=a+b", "stop=a b");
	query_is("stop=a%2Bb", "stop=a+b");
	query_is("stop=a%26b", "stop=a&b");
	query_is("k%3Dv", "k=v");
	query_fails("%");
	query_fails("stop=%");
	query_fails("stop=%4");
	query_fails("stop=%zz");
	query_fails("stop=%4g");
	query_fails("%g1=x");
	query_fails("list&stop=%x");

	/* A decoded NUL is kept, with its length, for the caller to refuse. */
	check(query_next(&cursor, &p) == 1 &&
	    query_decode(p.value, p.value, p.value_len) == 2 &&
	    p.value[0] == '\0' && p.value[1] == 'x', "%%00 decodes to a NUL");
}

static bool
collect(const char *word, size_t len, void *arg)
{
	char *out = arg;
	size_t n = strlen(out);

	snprintf(out + n, 64 - n, "[%.*s]", (int)len, word);
	return true;
}

void
test_names(void)
{
	char words[64] = "", longest[NAME_MAX_LEN + 1];

	memset(longest, 'x', sizeof longest);
	check(name_valid("sleep1", 6) && name_valid("svc@lan", 7) &&
	    name_valid("a b,c", 5) && name_valid(".", 1) &&
	    name_valid("..", 2) && name_valid("caf\xe9", 4),
	    "names: any bytes procmon takes in an id");
	check(!name_valid("", 0) && !name_valid("a/b", 3) &&
	    !name_valid("../x", 4) && !name_valid("a\0b", 3),
	    "names: neither empty, nor '/', nor NUL");
	check(name_valid(longest, NAME_MAX_LEN) &&
	    !name_valid(longest, NAME_MAX_LEN + 1),
	    "names: %d bytes, not one more", NAME_MAX_LEN);
	list_each("a,,b", 4, collect, words);
	check(strcmp(words, "[a][][b]") == 0, "lists: empty words kept: %s",
	    words);
	check(list_has("procmon1,procmon2", "procmon2", 8) &&
	    !list_has("procmon1,procmon2", "procmon", 7) &&
	    !list_has("a,b", "a,b", 3), "lists: words matched whole");
}
