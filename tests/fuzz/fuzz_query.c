/*
 * libFuzzer harness: the form-encoding parser, on any bytes.  Every
 * parameter it returns must lie inside the input, decoded (never longer
 * than what it came from), and the parser must end.
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
	int r;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	while ((r = query_next(&cursor, &p)) == 1) {
		if (p.key < buf || p.key + p.key_len > buf + size ||
		    (p.value != NULL && (p.value < buf ||
		    p.value + p.value_len > buf + size)))
			abort();
		if (++params > size + 1)
			abort();	/* more parameters than separators */
	}
	free(buf);
	return 0;
}
