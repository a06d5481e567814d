#include <limits.h>
#include <string.h>

#include "query.h"

static int
hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..len) in place; returns the new length, or -1. */
static long
decode(char *s, size_t len)
{
	size_t in, out;
	int hi, lo;

	for (in = out = 0; in < len; in++, out++) {
		if (s[in] == '+')
			s[out] = ' ';
		else if (s[in] != '%')
			s[out] = s[in];
		else {
			if (len - in < 3 ||
			    (hi = hex_value((unsigned char)s[in + 1])) == -1 ||
			    (lo = hex_value((unsigned char)s[in + 2])) == -1)
				return -1;
			s[out] = (char)(hi << 4 | lo);
			in += 2;
		}
	}
	return (long)out;
}

int
query_next(char **cursor, struct query_param *param)
{
	char *s = *cursor, *end, *eq;
	long n;

	if (s == NULL)
		return 0;
	if ((end = strchr(s, '&')) != NULL)
		*cursor = end + 1;
	else {
		end = s + strlen(s);
		*cursor = NULL;
	}
	param->key = s;
	param->value = NULL;
	param->value_len = 0;
	eq = memchr(s, '=', (size_t)(end - s));
	if ((n = decode(s, (size_t)((eq ? eq : end) - s))) == -1)
		return -1;
	param->key_len = (size_t)n;
	if (eq != NULL) {
		if ((n = decode(eq + 1, (size_t)(end - eq - 1))) == -1)
			return -1;
		param->value = eq + 1;
		param->value_len = (size_t)n;
	}
	return 1;
}

bool
parse_decimal(const char *s, size_t len, unsigned long long *v)
{
	unsigned long long n = 0;
	unsigned d;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (unsigned)(s[i] - '0');
		n = n > (ULLONG_MAX - d) / 10 ? ULLONG_MAX : n * 10 + d;
	}
	*v = n;
	return len > 0;
}
