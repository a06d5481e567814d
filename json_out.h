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

#include "fcgi_compat.h"

#define JSON_MAX_DEPTH 8

/* Text kept in memory, to be written (or written again) later. */
struct json_buf {
	char		*data;
	size_t		 len;
	size_t		 cap;
	bool		 failed;	/* out of memory: data is cut short */
};

struct json {
	FILE		*out;		/* where the text goes, or */
	struct json_buf	*buf;		/* what it is appended to */
	int		 depth;
	bool		 after_key;	/* a key was written, its value is due */
	bool		 in_object[JSON_MAX_DEPTH];
	bool		 has_member[JSON_MAX_DEPTH];
};

void	json_init(struct json *, FILE *);
void	json_init_buf(struct json *, struct json_buf *);	/* empties it */
void	json_buf_free(struct json_buf *);
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

/* Length of the well-formed UTF-8 sequence at s (RFC 3629), or 0. */
size_t	utf8_length(const unsigned char *s, size_t n);

#endif
