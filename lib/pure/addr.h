/*
 * addr: client addresses as text.  Pure: no I/O.
 */
#ifndef QUILL_ADDR_H
#define QUILL_ADDR_H

#include <stddef.h>

/* Room for an IPv4 or IPv6 address in text, or its key, NUL included. */
#define ADDR_MAX 64

/* 1 when the NUL-terminated s is a plain IPv4 or IPv6 address. */
int addr_valid(const char *s);

/*
 * The key by which the per-address rate limits count the client at addr,
 * into out (outsz bytes, always NUL-terminated): an IPv4 address as it is,
 * an IPv4-mapped IPv6 address (::ffff:a.b.c.d) as its IPv4 address, and
 * an IPv6 address as its network of v6_bits bits ("2001:db8::/64"), since
 * one host commonly holds a whole /64.  A text that is no address is its
 * own key.
 */
void addr_key(const char *addr, int v6_bits, char *out, size_t outsz);

#endif
