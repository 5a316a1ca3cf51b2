/*
 * Unit tests for http_forwarded_client: which X-Forwarded-For entry is the
 * client when the peer is a trusted proxy.
 */
#include <string.h>

#include "web/http.h"
#include "tap.h"

/* The proxies of these tests. */
static int
trusted(const char *addr)
{
	return strcmp(addr, "127.0.0.1") == 0 || strcmp(addr, "10.0.0.1") == 0 ||
	    strcmp(addr, "::1") == 0;
}

/* Checks the client found in xff; want NULL means none. */
static void
expect(const char *xff, const char *want, const char *what)
{
	char out[HTTP_ADDR_MAX];
	int rc;

	memset(out, 0, sizeof(out));
	rc = http_forwarded_client(xff, strlen(xff), trusted, out, sizeof(out));
	if (want == NULL)
		is_int(rc, -1, "%s: no address", what);
	else {
		is_int(rc, 0, "%s: an address", what);
		is_str(out, want, "%s: %s", what, want);
	}
}

int
main(void)
{
	char out[HTTP_ADDR_MAX], many[512];
	size_t i;

	expect("203.0.113.5", "203.0.113.5", "one entry");
	expect("203.0.113.5, 10.0.0.1", "203.0.113.5",
	    "a trusted hop on the right is skipped");
	expect("198.51.100.1, 203.0.113.5", "203.0.113.5",
	    "the right-most untrusted entry, not a forged one on the left");
	expect("1.1.1.1,  10.0.0.1 ,127.0.0.1", "1.1.1.1",
	    "spaces around entries");
	expect("10.0.0.1, 127.0.0.1", "10.0.0.1",
	    "all trusted: the left-most reached");
	expect("junk, 10.0.0.1", "10.0.0.1",
	    "an entry that is no address ends the walk");
	expect("2001:db8::7, ::1", "2001:db8::7", "IPv6");
	expect("junk", NULL, "only junk");
	expect("", NULL, "empty");
	expect(" , ", NULL, "empty entries");
	expect("[2001:db8::1]:443", NULL, "a bracketed address with a port");
	expect("203.0.113.5:8080", NULL, "an address with a port");
	expect("203.0.113.5,", NULL, "a trailing comma");
	memset(many, 0, sizeof(many));
	strcpy(many, "203.0.113.9");
	for (i = 0; i < 16; i++)
		strcat(many, ", 10.0.0.1");
	expect(many, "10.0.0.1", "at most 16 entries are read");
	is_int(http_forwarded_client("203.0.113.5, 10.0.0.1", 11, trusted, out,
	    sizeof(out)), 0, "the length is respected");
	is_str(out, "203.0.113.5", "and only those bytes are read");
	is_int(http_forwarded_client("203.0.113.5", 11, trusted, out, 8), -1,
	    "an address that does not fit the output is refused");
	return done_testing();
}
