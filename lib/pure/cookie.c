#include <string.h>

#include "pure/cookie.h"

/* 1 for the optional white space around pairs and their parts. */
static int
cookie_ows(char c)
{
	return c == ' ' || c == '\t';
}

int
cookie_get(const char *header, const char *name, const char **value,
    size_t *len)
{
	size_t nlen = strlen(name);
	const char *p = header, *end, *eq, *ns, *ne, *vs, *ve;
	int found = 0;

	while (*p != '\0') {
		end = p + strcspn(p, ";");
		for (ns = p; ns < end && cookie_ows(*ns); ns++)
			continue;
		eq = memchr(ns, '=', (size_t)(end - ns));
		if (eq != NULL) {
			for (ne = eq; ne > ns && cookie_ows(ne[-1]); ne--)
				continue;
			for (vs = eq + 1; vs < end && cookie_ows(*vs); vs++)
				continue;
			for (ve = end; ve > vs && cookie_ows(ve[-1]); ve--)
				continue;
			if ((size_t)(ne - ns) == nlen &&
			    memcmp(ns, name, nlen) == 0) {
				if (found)
					return -1;
				found = 1;
				*value = vs;
				*len = (size_t)(ve - vs);
			}
		}
		p = *end == ';' ? end + 1 : end;
	}
	return found;
}
