/*
 * forwarded: header_forwarded_client, the X-Forwarded-For parser that names
 * the client behind trusted proxies, on a header value as the web server
 * passes it (a C string: the value ends at the first NUL).
 *
 * An answer is a plain address, one of the entries, that fits the output.
 * The right-most entry decides alone when it is an untrusted address (a
 * client can forge entries only to its left), and ends the walk with no
 * answer when it is not an address.  One more trusted hop on the right,
 * within the 16 entries read, changes nothing but what it adds.  The
 * rate-limit key of an answer (addr_key) fits its buffer, is the
 * address itself for IPv4, and is a network that is its own key for IPv6.
 */
#include <arpa/inet.h>

#include "pure/addr.h"
#include "pure/header.h"

#include "fuzz.h"

#define HOP		"127.0.0.1"
#define SMALL_OUT	8

/* The proxies of this target, as in t/unit/header.c. */
static int
trusted(const char *addr)
{
	return strcmp(addr, HOP) == 0 || strcmp(addr, "10.0.0.1") == 0 ||
	    strcmp(addr, "::1") == 0;
}

/* Whether s is an IPv4 or IPv6 address in text. */
static int
is_addr(const char *s)
{
	unsigned char b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

/*
 * Checks the rate-limit key of an address: it fits, an IPv4 address is its
 * own key, and an IPv6 one is a network that keys the same again.
 */
static void
check_key(const char *addr)
{
	char key[ADDR_MAX], net[ADDR_MAX], again[ADDR_MAX];
	unsigned char b[4];

	addr_key(addr, 64, key, sizeof(key));
	FUZZ_CHECK(strlen(key) < sizeof(key));
	if (inet_pton(AF_INET, addr, b) == 1)
		FUZZ_CHECK(strcmp(key, addr) == 0);
	if (strchr(key, '/') != NULL) {
		memcpy(net, key, strcspn(key, "/"));
		net[strcspn(key, "/")] = '\0';
		addr_key(net, 64, again, sizeof(again));
		FUZZ_CHECK(strcmp(again, key) == 0);
	}
}

/* Checks an answer out (rc) for the value xff. */
static void
check_answer(const char *xff, int rc, const char *out, size_t outsz)
{
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc != 0)
		return;
	FUZZ_CHECK(strlen(out) < outsz);
	FUZZ_CHECK(is_addr(out));
	FUZZ_CHECK(strstr(xff, out) != NULL);
	check_key(out);
}

/* The right-most entry of xff, without blanks, into last; 0 when too long. */
static int
last_entry(const char *xff, char *last, size_t lastsz)
{
	const char *a = strrchr(xff, ','), *b = xff + strlen(xff);

	a = a != NULL ? a + 1 : xff;
	while (a < b && (*a == ' ' || *a == '\t'))
		a++;
	while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
		b--;
	if ((size_t)(b - a) >= lastsz)
		return 0;
	memcpy(last, a, (size_t)(b - a));
	last[b - a] = '\0';
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *xff = fuzz_cstring(data, size), *more;
	char out[ADDR_MAX], again[ADDR_MAX], small[SMALL_OUT];
	char last[ADDR_MAX];
	size_t len = strlen(xff), commas = 0, i;
	int rc, rc2;

	rc = header_forwarded_client(xff, len, trusted, out, sizeof(out));
	check_answer(xff, rc, out, sizeof(out));
	if (last_entry(xff, last, sizeof(last))) {
		if (!is_addr(last))
			FUZZ_CHECK(rc == -1);
		else if (!trusted(last))
			FUZZ_CHECK(rc == 0 && strcmp(out, last) == 0);
	}

	rc2 = header_forwarded_client(xff, len, trusted, small, sizeof(small));
	check_answer(xff, rc2, small, sizeof(small));

	for (i = 0; i < len; i++)
		commas += xff[i] == ',';
	if (commas < 15) {
		FUZZ_CHECK((more = malloc(len + sizeof(", " HOP))) != NULL);
		memcpy(more, xff, len);
		memcpy(more + len, ", " HOP, sizeof(", " HOP));
		rc2 = header_forwarded_client(more, strlen(more), trusted, again,
		    sizeof(again));
		FUZZ_CHECK(rc2 == 0);
		FUZZ_CHECK(strcmp(again, rc == 0 ? out : HOP) == 0);
		free(more);
	}
	free(xff);
	return 0;
}
