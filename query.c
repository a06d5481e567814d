/* SPDX-License-Identifier: MIT */
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

long
query_decode(char *dst, const char *src, size_t len)
{
	size_t in, out;
	int hi, lo;

	for (in = out = 0; in < len; in++, out++) {
		if (src[in] == '+')
			dst[out] = ' ';
		else if (src[in] != '%')
			dst[out] = src[in];
		else {
			if (len - in < 3 ||
			    (hi = hex_value((unsigned char)src[in + 1])) == -1 ||
			    (lo = hex_value((unsigned char)src[in + 2])) == -1)
				return -1;
			dst[out] = (char)(hi << 4 | lo);
			in += 2;
		}
	}
	return (long)out;
}

int
query_next(char **cursor, struct query_param *param)
{
	char *s = *cursor, *end, *eq;

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
	if ((eq = memchr(s, '=', (size_t)(end - s))) != NULL) {
		param->value = eq + 1;
		param->value_len = (size_t)(end - eq - 1);
	}
	param->key_len = (size_t)((eq != NULL ? eq : end) - s);
	return 1;
}
