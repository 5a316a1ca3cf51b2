#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "pure/addr.h"

int
addr_valid(const char *s)
{
	unsigned char b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

void
addr_key(const char *addr, int v6_bits, char *out, size_t outsz)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	unsigned char b[16];
	char text[INET6_ADDRSTRLEN];
	int i;

	if (outsz == 0)
		return;
	if (inet_pton(AF_INET, addr, b) == 1)
		inet_ntop(AF_INET, b, text, sizeof(text));
	else if (inet_pton(AF_INET6, addr, b) != 1) {
		snprintf(out, outsz, "%s", addr);
		return;
	} else if (memcmp(b, mapped, sizeof(mapped)) == 0)
		inet_ntop(AF_INET, b + 12, text, sizeof(text));
	else {
		v6_bits = v6_bits < 0 ? 0 : v6_bits > 128 ? 128 : v6_bits;
		for (i = 0; i < 16; i++)
			if (i * 8 >= v6_bits)
				b[i] = 0;
			else if (i * 8 + 8 > v6_bits)
				b[i] &= (unsigned char)(0xff << (8 - v6_bits % 8));
		inet_ntop(AF_INET6, b, text, sizeof(text));
		snprintf(out, outsz, "%s/%d", text, v6_bits);
		return;
	}
	snprintf(out, outsz, "%s", text);
}
