#include <string.h>

#include "base/principal.h"
#include "base/text.h"

const char *const principal_role_names[ROLE__MAX] = {
	[ROLE_USER] = "user",
	[ROLE_MODERATOR] = "moderator",
	[ROLE_ADMIN] = "admin",
};

const char *
principal_role_name(enum role r)
{
	return r >= 0 && r < ROLE__MAX ? principal_role_names[r] : "user";
}

int
principal_role_parse(const char *s, enum role *out)
{
	int i;

	if (s == NULL || (i = text_name_index(principal_role_names, ROLE__MAX,
	    s, strlen(s))) == -1)
		return -1;
	*out = (enum role)i;
	return 0;
}
