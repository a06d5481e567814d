/* SPDX-License-Identifier: MIT */
/*
 * A streaming JSON writer (RFC 8259) that owns commas and escaping, so a
 * caller cannot produce invalid JSON: keys are written only inside objects,
 * values get their separators automatically, and strings of any bytes come
 * out as valid UTF-8 JSON strings.
 */
#ifndef JSON_OUT_H
#define JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define JSON_MAX_DEPTH 8

struct json {
	struct buf	*out;
	int		 depth;
	bool		 after_key;	/* a key was written, its value is due */
	bool		 in_object[JSON_MAX_DEPTH];
	bool		 has_member[JSON_MAX_DEPTH];
};

void	json_init(struct json *, struct buf *);		/* appends to it */
void	json_object_open(struct json *);
void	json_object_close(struct json *);
void	json_array_open(struct json *);
void	json_array_close(struct json *);
void	json_key(struct json *, const char *);
void	json_string(struct json *, const char *, size_t);
void	json_cstring(struct json *, const char *);
void	json_int(struct json *, long long);
void	json_uint(struct json *, unsigned long long);
void	json_centis(struct json *, unsigned long long hundredths); /* N.NN */
void	json_bool(struct json *, bool);

#endif
