#include <string.h>
#include <strings.h>

#include "pure/addr.h"
#include "pure/header.h"

/* Entries of X-Forwarded-For read at most, from the right. */
#define XFF_MAX_HOPS 16

int
header_forwarded_client(const char *xff, size_t len,
    int (*trusted)(const char *), char *out, size_t outsz)
{
	char entry[ADDR_MAX];
	size_t end = len, start, a, b;
	int hops, found = 0;

	for (hops = 0; hops < XFF_MAX_HOPS && end > 0; hops++) {
		for (start = end; start > 0 && xff[start - 1] != ','; start--)
			continue;
		for (a = start; a < end && (xff[a] == ' ' || xff[a] == '\t'); a++)
			continue;
		for (b = end; b > a && (xff[b - 1] == ' ' || xff[b - 1] == '\t');
		    b--)
			continue;
		if (b - a == 0 || b - a >= sizeof(entry) || b - a >= outsz)
			break;
		memcpy(entry, xff + a, b - a);
		entry[b - a] = '\0';
		if (!addr_valid(entry))
			break;
		memcpy(out, entry, b - a + 1);
		found = 1;
		if (!trusted(entry))
			break;
		end = start > 0 ? start - 1 : 0;
	}
	return found ? 0 : -1;
}

/* Skips optional white space and empty list elements (RFC 9110 5.6.1). */
static const char *
list_skip(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	return p;
}

int
header_etag_match(const char *header, const char *etag, int weak)
{
	const char *p = header, *q;
	size_t n = strlen(etag);
	int is_weak, found = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '*') {
		for (p++; *p == ' ' || *p == '\t'; p++)
			continue;
		return *p == '\0';
	}
	for (p = list_skip(p); *p != '\0'; p = list_skip(p)) {
		is_weak = p[0] == 'W' && p[1] == '/';
		if (is_weak)
			p += 2;
		if (*p != '"')
			return 0;
		/* etagc: '!', '#'..'~' and obs-text; no space, quote or control. */
		for (q = p + 1; *q != '"'; q++)
			if ((unsigned char)*q <= 0x20 || *q == 0x7f)
				return 0;
		if ((weak || !is_weak) && (size_t)(q + 1 - p) == n &&
		    memcmp(p, etag, n) == 0)
			found = 1;
		for (p = q + 1; *p == ' ' || *p == '\t'; p++)
			continue;
		if (*p != '\0' && *p != ',')
			return 0;
	}
	return found;
}

int
header_bearer(const char *header, const char **tok, size_t *len)
{
	const char *h = header;

	if (strncasecmp(h, "Bearer ", 7) != 0)
		return -1;
	for (h += 7; *h == ' '; h++)
		continue;
	*tok = h;
	*len = strlen(h);
	return 0;
}

const char *const header_origin_names[HEADER_ORIGIN__MAX] = {
	[HEADER_ORIGIN_SAME] = "same", [HEADER_ORIGIN_CROSS] = "sec_fetch_site",
	[HEADER_ORIGIN_OTHER] = "origin", [HEADER_ORIGIN_REFERER] = "referer",
	[HEADER_ORIGIN_UNKNOWN] = "no_origin",
};

/* 1 when s is the n bytes of t, without regard to ASCII case. */
static int
same_text(const char *s, const char *t, size_t n)
{
	return strlen(s) == n && strncasecmp(s, t, n) == 0;
}

enum header_origin
header_origin(const char *fetch_site, const char *origin,
    const char *referer, const char *self)
{
	size_t n = strlen(self);

	if (fetch_site != NULL) {
		if (strcmp(fetch_site, "same-origin") == 0)
			return HEADER_ORIGIN_SAME;
		if (strcmp(fetch_site, "same-site") == 0 ||
		    strcmp(fetch_site, "cross-site") == 0)
			return HEADER_ORIGIN_CROSS;
	}
	if (origin != NULL && *origin != '\0')
		return same_text(origin, self, n) ? HEADER_ORIGIN_SAME :
		    HEADER_ORIGIN_OTHER;
	if (referer != NULL && *referer != '\0')
		return strncasecmp(referer, self, n) == 0 &&
		    strchr("/?#", referer[n]) != NULL ? HEADER_ORIGIN_SAME :
		    HEADER_ORIGIN_REFERER;
	return HEADER_ORIGIN_UNKNOWN;
}
