/* SPDX-License-Identifier: MIT */
/*
 * JSON writer, into a buffer.  The layout follows the original fcgi_proc's list
 * ("key": value, members separated by a bare comma) so that its output
 * stays byte-compatible with what existing clients have seen.
 */
#include <assert.h>
#include <string.h>

#include "json_out.h"
#include "text.h"

void
json_init(struct json *j, struct buf *out)
{
	j->out = out;
	j->depth = 0;
	j->after_key = false;
	j->in_object[0] = false;
	j->has_member[0] = false;
}

/* Writes the separator a new value needs at the current depth. */
static void
begin_value(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	assert(!j->in_object[j->depth]);	/* objects take json_key first */
	if (j->has_member[j->depth])
		buf_addc(j->out, ',');
	j->has_member[j->depth] = true;
}

static void
open_scope(struct json *j, char c, bool object)
{
	begin_value(j);
	assert(j->depth + 1 < JSON_MAX_DEPTH);
	buf_addc(j->out, c);
	j->depth++;
	j->in_object[j->depth] = object;
	j->has_member[j->depth] = false;
}

static void
close_scope(struct json *j, char c, bool object)
{
	assert(j->depth > 0 && j->in_object[j->depth] == object);
	assert(!j->after_key);
	buf_addc(j->out, c);
	j->depth--;
}

void
json_object_open(struct json *j)
{
	open_scope(j, '{', true);
}

void
json_object_close(struct json *j)
{
	close_scope(j, '}', true);
}

void
json_array_open(struct json *j)
{
	open_scope(j, '[', false);
}

void
json_array_close(struct json *j)
{
	close_scope(j, ']', false);
}

/*
 * Length of the run at s that a JSON string may hold as it is: printable
 * ASCII other than quote and backslash, and well-formed UTF-8.
 */
static size_t
plain_length(const unsigned char *s, size_t n)
{
	size_t i = 0, len;

	while (i < n) {
		if (s[i] >= 0x20 && s[i] < 0x7f) {	/* printable ASCII */
			if (s[i] == '"' || s[i] == '\\')
				break;
			i++;
		} else if (s[i] >= 0x80 && (len = utf8_length(s + i, n - i)) > 0)
			i += len;
		else
			break;
	}
	return i;
}

/*
 * RFC 8259 section 7: quote and backslash are escaped, and so is every
 * control byte.  A byte that is not well-formed UTF-8 becomes U+FFFD, so
 * the output is valid whatever a lockfile or a request holds.
 */
static void
write_escaped(struct json *j, const unsigned char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run;

	for (i = 0; i < n; i++) {
		run = plain_length(s + i, n - i);
		if (run > 0)
			buf_add(j->out, s + i, run);
		if ((i += run) == n)
			break;
		switch (s[i]) {
		case '"':  buf_adds(j->out, "\\\""); break;
		case '\\': buf_adds(j->out, "\\\\"); break;
		case '\b': buf_adds(j->out, "\\b"); break;
		case '\f': buf_adds(j->out, "\\f"); break;
		case '\n': buf_adds(j->out, "\\n"); break;
		case '\r': buf_adds(j->out, "\\r"); break;
		case '\t': buf_adds(j->out, "\\t"); break;
		default:
			if (s[i] < 0x20 || s[i] == 0x7f) {
				buf_adds(j->out, "\\u00");
				buf_addc(j->out, hex[s[i] >> 4]);
				buf_addc(j->out, hex[s[i] & 0xf]);
			} else
				buf_adds(j->out, "\\ufffd");
		}
	}
}

void
json_key(struct json *j, const char *key)
{
	assert(j->in_object[j->depth] && !j->after_key);
	if (j->has_member[j->depth])
		buf_addc(j->out, ',');
	j->has_member[j->depth] = true;
	buf_addc(j->out, '"');
	write_escaped(j, (const unsigned char *)key, strlen(key));
	buf_adds(j->out, "\": ");
	j->after_key = true;
}

void
json_string(struct json *j, const char *s, size_t n)
{
	begin_value(j);
	buf_addc(j->out, '"');
	write_escaped(j, (const unsigned char *)s, n);
	buf_addc(j->out, '"');
}

void
json_cstring(struct json *j, const char *s)
{
	json_string(j, s, strlen(s));
}

/* Decimal digits without printf: a list writes several numbers per entry. */
static void
put_number(struct json *j, bool negative, unsigned long long v)
{
	unsigned char buf[24], *p = buf + sizeof buf;

	do
		*--p = (unsigned char)('0' + v % 10);
	while ((v /= 10) != 0);
	if (negative)
		*--p = '-';
	buf_add(j->out, p, (size_t)(buf + sizeof buf - p));
}

void
json_int(struct json *j, long long v)
{
	begin_value(j);
	/* The magnitude of LLONG_MIN does not fit a long long; 0 - it does. */
	put_number(j, v < 0, v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v);
}

void
json_uint(struct json *j, unsigned long long v)
{
	begin_value(j);
	put_number(j, false, v);
}

void
json_centis(struct json *j, unsigned long long hundredths)
{
	unsigned char frac[3] = { '.', 0, 0 };

	begin_value(j);
	put_number(j, false, hundredths / 100);
	frac[1] = (unsigned char)('0' + hundredths % 100 / 10);
	frac[2] = (unsigned char)('0' + hundredths % 10);
	buf_add(j->out, frac, sizeof frac);
}

void
json_bool(struct json *j, bool v)
{
	begin_value(j);
	buf_adds(j->out, v ? "true" : "false");
}
