/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness: the form-encoding parser, on any bytes.  Every
 * parameter it returns must lie inside the input, decode within itself
 * (never longer than what it came from), and the parser must end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *cursor = buf;
	struct query_param p;
	size_t params = 0;
	long n;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	while (query_next(&cursor, &p) == 1) {
		if (p.key < buf || p.key + p.key_len > buf + size ||
		    (p.value != NULL && (p.value < buf ||
		    p.value + p.value_len > buf + size)))
			abort();
		if (++params > size + 1)
			abort();	/* more parameters than separators */
		if ((n = query_decode(p.key, p.key, p.key_len)) > 0 &&
		    (size_t)n > p.key_len)
			abort();
		if (p.value != NULL && (n = query_decode(p.value, p.value,
		    p.value_len)) > 0 && (size_t)n > p.value_len)
			abort();
	}
	free(buf);
	return 0;
}
