/*
 * Unit tests for lib/base/text.c: hex digits, UTF-8 validity and length,
 * ids, decimal integers and names.  Every input is a heap copy of exactly
 * its length, so a read past it shows up under AddressSanitizer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "tap.h"

#define E_ACUTE	"\xc3\xa9"		/* two bytes, one character */
#define EMOJI	"\xf0\x9f\x90\x8d"	/* four bytes, one character */

/* text_utf8_valid over an exact copy of n bytes of s. */
static int
utf8_n(const char *s, size_t n)
{
	char *p;
	int rc;

	p = tap_malloc(n);
	memcpy(p, s, n);
	rc = text_utf8_valid(p, n);
	free(p);
	return rc;
}

/* text_utf8_valid over the NUL-terminated s. */
static int
utf8(const char *s)
{
	return utf8_n(s, strlen(s));
}

/* text_utf8_chars over an exact copy of n bytes of s. */
static size_t
chars(const char *s, size_t n, size_t limit)
{
	char *p = tap_malloc(n);
	size_t c;

	memcpy(p, s, n);
	c = text_utf8_chars(p, n, limit);
	free(p);
	return c;
}

/* text_parse_id over an exact copy of the NUL-terminated s. */
static int64_t
id(const char *s)
{
	size_t n = strlen(s);
	char *p = tap_malloc(n);
	int64_t v;

	memcpy(p, s, n);
	v = text_parse_id(p, n);
	free(p);
	return v;
}

/* text_parse_int over an exact copy of s; *v is -7 when it was refused. */
static int
int_in(const char *s, int64_t min, int64_t max, int64_t *v)
{
	size_t n = strlen(s);
	char *p = tap_malloc(n);
	int rc;

	memcpy(p, s, n);
	*v = -7;
	rc = text_parse_int(p, n, min, max, v);
	free(p);
	return rc;
}

static void
test_hex(void)
{
	static const char digits[] = "0123456789abcdef";
	int c, bad = 0;

	for (c = 0; c < 16; c++) {
		bad += text_hex_value(digits[c]) != c;
		if (c >= 10)
			bad += text_hex_value(digits[c] - 'a' + 'A') != c;
	}
	is_int(bad, 0, "0-9, a-f and A-F read as their values");
	for (c = -1; c < 256; c++)
		bad += strchr("0123456789abcdefABCDEF", c) == NULL && c != 0 &&
		    text_hex_value(c) != -1;
	is_int(bad, 0, "every other byte (and EOF) is -1");
	is_int(text_hex_value('g'), -1, "g is no digit");
	is_int(text_hex_value('\0'), -1, "NUL is no digit");
}

/* text_utf8_valid: accepted and refused sequences. */
static void
test_utf8(void)
{
	ok(utf8_n("", 0), "the empty string is valid");
	ok(utf8("plain ascii ~\x7f"), "ASCII up to U+007F is valid");
	ok(utf8_n("a\0b", 3), "a NUL byte is valid UTF-8");
	ok(utf8("\xc2\x80"), "U+0080 (C2 80) is valid");
	ok(utf8("\xdf\xbf"), "U+07FF (DF BF) is valid");
	ok(utf8("\xe0\xa0\x80"), "U+0800 (E0 A0 80) is valid");
	ok(utf8("\xed\x9f\xbf"), "U+D7FF (ED 9F BF) is valid");
	ok(utf8("\xee\x80\x80"), "U+E000 (EE 80 80) is valid");
	ok(utf8("\xef\xbf\xbf"), "U+FFFF (EF BF BF) is valid");
	ok(utf8("\xf0\x90\x80\x80"), "U+10000 (F0 90 80 80) is valid");
	ok(utf8("\xf4\x8f\xbf\xbf"), "U+10FFFF (F4 8F BF BF) is valid");
	ok(utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
	    "mixed 2-, 3- and 4-byte text is valid");

	ok(!utf8("\x80"), "a lone continuation byte is invalid");
	ok(!utf8("\xbf"), "a lone 0xbf is invalid");
	ok(!utf8("\xc0\x80"), "overlong NUL (C0 80) is invalid");
	ok(!utf8("\xc0\xaf"), "overlong / (C0 AF) is invalid");
	ok(!utf8("\xc1\xbf"), "overlong C1 BF is invalid");
	ok(!utf8("\xe0\x80\x80"), "overlong E0 80 80 is invalid");
	ok(!utf8("\xe0\x9f\xbf"), "overlong E0 9F BF is invalid");
	ok(!utf8("\xf0\x80\x80\x80"), "overlong F0 80 80 80 is invalid");
	ok(!utf8("\xf0\x8f\xbf\xbf"), "overlong F0 8F BF BF is invalid");
	ok(!utf8("\xed\xa0\x80"), "surrogate U+D800 (ED A0 80) is invalid");
	ok(!utf8("\xed\xbf\xbf"), "surrogate U+DFFF (ED BF BF) is invalid");
	ok(!utf8("\xed\xa0\xbd\xed\xb8\x80"),
	    "a CESU-8 surrogate pair is invalid");
	ok(!utf8("\xf4\x90\x80\x80"), "U+110000 (F4 90 80 80) is invalid");
	ok(!utf8("\xf5\x80\x80\x80"), "lead byte F5 is invalid");
	ok(!utf8("\xf8\x88\x80\x80\x80"), "a 5-byte form is invalid");
	ok(!utf8("\xfe"), "0xfe is invalid");
	ok(!utf8("\xff"), "0xff is invalid");
	ok(!utf8("\xc3"), "a 2-byte sequence cut after one byte is invalid");
	ok(!utf8("\xe2\x82"), "a 3-byte sequence cut after two bytes is "
	    "invalid");
	ok(!utf8("\xf0\x9f\x98"), "a 4-byte sequence cut after three bytes "
	    "is invalid");
	ok(!utf8("\xe2\x28\xa1"), "a bad second byte is invalid");
	ok(!utf8("\xe2\x82\x28"), "a bad third byte is invalid");
	ok(!utf8("\xc3\xc3\xa9"), "a lead byte where a continuation belongs is "
	    "invalid");
	ok(!utf8_n("\xe2\x82\xac", 2), "n stops the check: a sequence cut by n "
	    "is invalid");
	ok(utf8_n("a\xe2\x82\xac", 1), "bytes after n are not read");
}

static void
test_utf8_chars(void)
{
	is_int(chars("", 0, 10), 0, "utf8_chars: nothing");
	is_int(chars("abc", 3, 10), 3, "utf8_chars: ASCII, one a byte");
	is_int(chars("a" E_ACUTE EMOJI, 7, 10), 3,
	    "utf8_chars: two- and four-byte characters count once");
	is_int(chars("a" E_ACUTE EMOJI, 3, 10), 2,
	    "utf8_chars: counts only the n bytes given");
	is_int(chars("abc", 3, 3), 3, "utf8_chars: exactly the limit");
	is_int(chars("abcdef", 6, 3), 4,
	    "utf8_chars: past the limit it stops at limit + 1");
	is_int(chars(EMOJI EMOJI EMOJI, 12, 1), 2,
	    "utf8_chars: and so for long characters");
	is_int(chars("abc", 3, 0), 1, "utf8_chars: a limit of 0");
}

static void
test_id(void)
{
	is_int(id("1"), 1, "1 is an id");
	is_int(id("42"), 42, "42 is an id");
	is_int(id("9007199254740991"), TEXT_ID_MAX, "2^53 - 1 is an id");
	is_int(id("9007199254740992"), -1, "2^53 is not");
	is_int(id("9999999999999999"), -1, "16 nines are not");
	is_int(id("9223372036854775807"), -1, "INT64_MAX is not");
	is_int(id("99999999999999999999"), -1, "20 digits are not");
	is_int(id("0"), -1, "0 is not");
	is_int(id("07"), -1, "a leading zero is not canonical");
	is_int(id("-1"), -1, "a sign is refused");
	is_int(id("+1"), -1, "a plus sign too");
	is_int(id(""), -1, "nothing is not");
	is_int(id("1a"), -1, "trailing text is refused");
	is_int(id(" 1"), -1, "white space too");
	is_int(text_parse_id("123", 2), 12, "only n bytes are read");
}

static void
test_int(void)
{
	int64_t v;

	ok(int_in("0", 0, 10, &v) == 0 && v == 0, "0 in [0, 10]");
	ok(int_in("-5", -10, 10, &v) == 0 && v == -5, "a negative number");
	ok(int_in("007", 0, 10, &v) == 0 && v == 7, "leading zeros are read");
	ok(int_in("10", 0, 10, &v) == 0 && v == 10, "max is inside");
	ok(int_in("11", 0, 10, &v) == -1 && v == -7,
	    "above max is refused, *out unchanged");
	ok(int_in("-1", 0, 10, &v) == -1, "below min is refused");
	ok(int_in("9223372036854775807", INT64_MIN, INT64_MAX, &v) == 0 &&
	    v == INT64_MAX, "INT64_MAX");
	ok(int_in("-9223372036854775808", INT64_MIN, INT64_MAX, &v) == 0 &&
	    v == INT64_MIN, "INT64_MIN");
	ok(int_in("9223372036854775808", INT64_MIN, INT64_MAX, &v) == -1,
	    "past INT64_MAX is refused");
	ok(int_in("", 0, 10, &v) == -1, "nothing is refused");
	ok(int_in("+1", 0, 10, &v) == -1, "a plus sign is refused");
	ok(int_in(" 1", 0, 10, &v) == -1, "leading white space is refused");
	ok(int_in("1 ", 0, 10, &v) == -1, "trailing white space is refused");
	ok(int_in("1x", 0, 10, &v) == -1, "trailing text is refused");
	ok(int_in("-", -10, 10, &v) == -1, "a lone sign is refused");
	ok(int_in("0x1", 0, 10, &v) == -1, "hex is refused");
	ok(int_in("00000000000000000000001", 0, 10, &v) == 0 && v == 1,
	    "23 characters are read");
	ok(int_in("000000000000000000000001", 0, 10, &v) == -1,
	    "24 are too many");
}

static void
test_name_index(void)
{
	static const char *const names[] = { "draft", "published", "" };

	is_int(text_name_index(names, 3, "draft", 5), 0, "the first name");
	is_int(text_name_index(names, 3, "published", 9), 1, "the second name");
	is_int(text_name_index(names, 3, "", 0), 2, "an empty name");
	is_int(text_name_index(names, 2, "", 0), -1,
	    "a name past nnames is not looked at");
	is_int(text_name_index(names, 3, "draftx", 5), 0,
	    "only the n bytes count");
	is_int(text_name_index(names, 3, "draf", 4), -1, "a prefix is refused");
	is_int(text_name_index(names, 3, "drafts", 6), -1,
	    "a longer word is refused");
	is_int(text_name_index(names, 3, "Draft", 5), -1, "case counts");
	is_int(text_name_index(names, 0, "draft", 5), -1, "an empty table");
}

int
main(void)
{
	test_hex();
	test_utf8();
	test_utf8_chars();
	test_id();
	test_int();
	test_name_index();
	return done_testing();
}
