/* SPDX-License-Identifier: MIT */
/* The buffer answers are written to, the JSON writer, UTF-8. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "json_out.h"
#include "text.h"
#include "unit.h"

static struct buf json_text;

static void
json_start(struct json *j)
{
	buf_reset(&json_text);
	json_init(j, &json_text);
}

/* Ends the capture and compares it with want. */
static void
json_expect(const char *want, const char *what)
{
	buf_addc(&json_text, '\0');
	check(!json_text.failed && strcmp(json_text.data, want) == 0,
	    "json %s: %s", what, json_text.data);
}

static void
json_string_is(const char *in, size_t len, const char *want, const char *what)
{
	struct json j;

	json_start(&j);
	json_string(&j, in, len);
	json_expect(want, what);
}

/* Room that grows, and is let go. */
void
test_buf(void)
{
	static char big[200000];
	struct buf b = { 0 };

	buf_adds(&b, "[-12,");
	buf_printf(&b, "\"%s\"]", "a\\\"b");
	check(!b.failed && b.len == 12 &&
	    memcmp(b.data, "[-12,\"a\\\"b\"]", 12) == 0,
	    "buffer: text added and formatted");
	memset(big, 'x', sizeof big - 1);
	buf_reset(&b);
	buf_printf(&b, "%s", big);
	check(!b.failed && b.len == sizeof big - 1 && b.cap >= b.len &&
	    memcmp(b.data, big, b.len) == 0,
	    "buffer: grows to a long text, formatted past its room");
	buf_reset(&b);
	buf_adds(&b, "[]");
	check(b.len == 2 && memcmp(b.data, "[]", 2) == 0 && b.cap > 65536,
	    "buffer: starts again from empty, keeping its room once");
	buf_reset(&b);
	buf_adds(&b, "[]");
	check(b.len == 2 && memcmp(b.data, "[]", 2) == 0 && b.cap <= 65536,
	    "buffer: room four times the last text is let go");
	buf_free(&b);
	check(b.data == NULL && b.len == 0 && b.cap == 0, "buffer: freed");
}

void
test_json(void)
{
	struct json j;
	int depth;

	json_string_is("plain", 5, "\"plain\"", "plain");
	json_string_is("a\"b\\c", 5, "\"a\\\"b\\\\c\"", "quote, backslash");
	json_string_is("\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\"", "short escapes");
	json_string_is("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"",
	    "other controls");
	json_string_is("a\0b", 3, "\"a\\u0000b\"", "NUL inside");
	json_string_is("</script>", 9, "\"</script>\"", "markup is text");
	json_string_is("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9,
	    "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", "valid UTF-8 kept");
	json_string_is("\xff", 1, "\"\\ufffd\"", "invalid byte");
	json_string_is("\xc3", 1, "\"\\ufffd\"", "truncated sequence");
	json_string_is("\xc3(", 2, "\"\\ufffd(\"", "bad continuation");
	json_string_is("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"", "overlong /");
	json_string_is("\xe0\x80\xaf", 3, "\"\\ufffd\\ufffd\\ufffd\"",
	    "overlong 3 bytes");
	json_string_is("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"",
	    "surrogate");
	json_string_is("\xf4\x90\x80\x80", 4,
	    "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "past U+10FFFF");
	json_string_is("\xf4\x8f\xbf\xbf", 4, "\"\xf4\x8f\xbf\xbf\"",
	    "U+10FFFF kept");
	json_string_is("", 0, "\"\"", "empty");

	json_start(&j);
	json_array_open(&j);
	json_object_open(&j);
	json_key(&j, "name");
	json_cstring(&j, "x");
	json_key(&j, "pid");
	json_int(&j, -1);
	json_key(&j, "n");
	json_uint(&j, 18446744073709551615ull);
	json_key(&j, "ok");
	json_bool(&j, true);
	json_object_close(&j);
	json_object_open(&j);
	json_object_close(&j);
	json_array_open(&j);
	json_array_close(&j);
	json_array_close(&j);
	json_expect("[{\"name\": \"x\",\"pid\": -1,\"n\": 18446744073709551615,"
	    "\"ok\": true},{},[]]", "seed layout, commas");

	json_start(&j);
	json_object_open(&j);
	json_key(&j, "a\"\n");
	json_bool(&j, false);
	json_object_close(&j);
	json_expect("{\"a\\\"\\n\": false}", "escaped key");

	json_start(&j);
	json_array_open(&j);
	json_centis(&j, 0);
	json_centis(&j, 5);
	json_centis(&j, 1234);
	json_int(&j, -9223372036854775807LL - 1);
	json_array_close(&j);
	json_expect("[0.00,0.05,12.34,-9223372036854775808]",
	    "hundredths and the most negative number");

	/* The deepest nesting the writer allows, exactly. */
	json_start(&j);
	for (depth = 1; depth < JSON_MAX_DEPTH; depth++)
		json_array_open(&j);
	for (depth = 1; depth < JSON_MAX_DEPTH; depth++)
		json_array_close(&j);
	json_expect("[[[[[[[]]]]]]]", "deepest nesting");
	buf_free(&json_text);
}

/* Decimal numbers and UTF-8, as every module reads them. */
void
test_text(void)
{
	unsigned long long v = 1;

	check(parse_decimal("0", 1, &v) && v == 0 &&
	    parse_decimal("18446744073709551615", 20, &v) &&
	    v == 18446744073709551615ull, "decimal: 0 and the largest");
	check(parse_decimal("99999999999999999999999", 23, &v) &&
	    v == 18446744073709551615ull, "decimal: past it, saturated");
	check(!parse_decimal("", 0, &v) && !parse_decimal("-1", 2, &v) &&
	    !parse_decimal(" 1", 2, &v) && !parse_decimal("1e3", 3, &v) &&
	    !parse_decimal("0x10", 4, &v), "decimal: nothing but digits");
	check(utf8_valid("caf\xc3\xa9", 5) && utf8_valid("", 0) &&
	    !utf8_valid("caf\xe9", 4) && !utf8_valid("\xc0\xaf", 2),
	    "UTF-8: valid and invalid names");
}
