/*
 * Unit tests for lib/pure/addr.c: which texts are addresses (addr_valid),
 * and addr_key, the key by which the per-address rate limits count a
 * client.  IPv4 addresses count alone, an IPv4-mapped IPv6 address as its
 * IPv4 address, and IPv6 addresses by their network of the configured
 * prefix length, so that one host cannot walk through the addresses of its
 * own /64.
 */
#include <string.h>

#include "pure/addr.h"
#include "tap.h"

/* Checks the key of addr under an IPv6 prefix of bits. */
static void
expect(const char *addr, int bits, const char *want)
{
	char out[ADDR_MAX];

	memset(out, 'x', sizeof(out));
	addr_key(addr, bits, out, sizeof(out));
	is_str(out, want, "the key of %s under /%d", addr, bits);
}

int
main(void)
{
	char small[4];
	int i;
	char a[64], first[ADDR_MAX], key[ADDR_MAX];

	expect("192.0.2.1", 64, "192.0.2.1");
	expect("::ffff:192.0.2.1", 64, "192.0.2.1");
	expect("::FFFF:c000:0201", 64, "192.0.2.1");
	expect("::ffff:192.0.2.1", 128, "192.0.2.1");
	expect("2001:db8::1", 64, "2001:db8::/64");
	expect("2001:DB8:0:0:ffff:ffff:ffff:ffff", 64, "2001:db8::/64");
	expect("2001:db8:0:1::1", 64, "2001:db8:0:1::/64");
	expect("2001:db8:aaaa:bbbb:cccc::1", 48, "2001:db8:aaaa::/48");
	expect("2001:db8:aaaa:bbbb:cccc::1", 56, "2001:db8:aaaa:bb00::/56");
	expect("2001:db8::1", 128, "2001:db8::1/128");
	expect("2001:db8::1", 127, "2001:db8::/127");
	expect("::1", 64, "::/64");
	expect("fe80::1%eth0", 64, "fe80::1%eth0");
	expect("", 64, "");
	expect("not an address", 64, "not an address");

	/* ::1 to ::7 of one /64 share a key; the next /64 does not. */
	addr_key("2001:db8::1", 64, first, sizeof(first));
	for (i = 2; i <= 7; i++) {
		snprintf(a, sizeof(a), "2001:db8::%d", i);
		addr_key(a, 64, key, sizeof(key));
		is_str(key, first, "%s shares the key of 2001:db8::1", a);
	}
	addr_key("2001:db8:0:1::1", 64, key, sizeof(key));
	ok(strcmp(key, first) != 0, "another /64 has another key");

	/* Out of range prefixes are taken as the nearest bound. */
	expect("2001:db8::1", 0, "::/0");
	expect("2001:db8::1", 200, "2001:db8::1/128");

	ok(addr_valid("192.0.2.1") && addr_valid("2001:db8::1") &&
	    addr_valid("::ffff:192.0.2.1"),
	    "IPv4 and IPv6 addresses are valid");
	ok(!addr_valid("") && !addr_valid("192.0.2.1:80") &&
	    !addr_valid("[2001:db8::1]") && !addr_valid("192.0.2") &&
	    !addr_valid(" 192.0.2.1") && !addr_valid("fe80::1%eth0"),
	    "empty text, ports, brackets, short forms, spaces and zones "
	    "are not");

	/* A key too long for out is cut, never overrun. */
	memset(small, 'x', sizeof(small));
	addr_key("2001:db8::1", 64, small, sizeof(small));
	ok(memchr(small, '\0', sizeof(small)) != NULL, "a short buffer ends in NUL");
	return done_testing();
}
