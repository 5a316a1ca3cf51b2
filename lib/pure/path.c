#include <stdio.h>
#include <string.h>

#include "base/text.h"
#include "pure/path.h"

int
path_normalise(const char *uri, size_t len, char *out, size_t outsz)
{
	size_t i, o = 0;
	int hi, lo, c;

	if (outsz == 0 || len == 0 || uri[0] != '/')
		return -1;
	for (i = 0; i < len && uri[i] != '?' && uri[i] != '#'; i++) {
		c = (unsigned char)uri[i];
		if (c == '%') {
			if (i + 2 >= len || (hi = text_hex_value(uri[i + 1])) < 0 ||
			    (lo = text_hex_value(uri[i + 2])) < 0)
				return -1;
			c = hi << 4 | lo;
			if (c == '/')
				return -1;
			i += 2;
		}
		if (c < 0x20 || c == 0x7f || c == '\\')
			return -1;
		if (o + 1 >= outsz)
			return -1;
		out[o++] = (char)c;
	}
	if (o > 1 && out[o - 1] == '/')
		o--;
	out[o] = '\0';
	return 0;
}

int
path_match(const char *pattern, const char *path, int64_t *params,
    size_t *nparams)
{
	const char *p = pattern, *s = path, *pe, *se;
	size_t np = 0;
	int64_t v;

	while (*p != '\0' && *s != '\0') {
		if (*p != '/' || *s != '/')
			return 0;
		p++;
		s++;
		pe = p + strcspn(p, "/");
		se = s + strcspn(s, "/");
		if (pe - p == 4 && memcmp(p, "{id}", 4) == 0) {
			if ((v = text_parse_id(s, (size_t)(se - s))) < 0 ||
			    np == PATH_MAX_PARAMS)
				return 0;
			params[np++] = v;
		} else if (pe - p != se - s || memcmp(p, s, (size_t)(pe - p)) != 0)
			return 0;
		p = pe;
		s = se;
	}
	if (*p != '\0' || *s != '\0')
		return 0;
	*nparams = np;
	return 1;
}

/* 1 when path is prefix itself or continues it with '/' (or a query). */
static int
path_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(path, prefix, n) == 0 &&
	    (path[n] == '\0' || path[n] == '/' || path[n] == '?');
}

const char *
path_page_program(const char *path)
{
	static const struct { const char *prefix, *program; } pages[] = {
		/* Before "/account": first match wins. */
		{ "/account/sessions", "auth" },
		{ "/account/two-factor", "auth" },
		{ "/account", "users" },
		{ "/admin", "users" },
		{ "/posts", "posts" },
		{ "/login", "auth" },
		{ "/logout", "auth" },
		{ "/register", "auth" },
		{ "/reauth", "auth" },
		{ "/verify", "auth" },
		{ "/password", "auth" },
		{ "/email", "auth" },
	};
	const char *id;
	size_t i;

	if (path[0] == '/' && (path[1] == '\0' || path[1] == '?'))
		return "posts";
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (path_under(path, pages[i].prefix))
			return pages[i].program;
	if (path_under(path, "/users") && path[6] == '/' &&
	    (id = strchr(path + 7, '/')) != NULL && path_under(id, "/posts"))
		return "posts";
	return NULL;
}

const char *
path_program(const char *path)
{
	const char *id, *site;

	if ((site = path_page_program(path)) != NULL)
		return site;
	if (path_under(path, "/api/v1/posts"))
		return "posts";
	if (!path_under(path, "/api/v1/users"))
		return "auth";
	id = path + strlen("/api/v1/users");
	if (*id == '/') {
		id = strchr(id + 1, '/');
		if (id != NULL && path_under(id, "/posts"))
			return "posts";
	}
	return "users";
}

int
path_via_script(const char *script, const char *path, char *out,
    size_t outsz)
{
	const char *name = strrchr(script, '/'), *ext;
	int n;

	if (name == NULL)
		return -1;
	name++;
	ext = strrchr(name, '.');
	n = snprintf(out, outsz, "%.*s%s%s%s", (int)(name - script), script,
	    path_program(path), ext != NULL ? ext : "", path);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}
