/*
 * Unit tests for lib/base/principal.c, the one table of role names, and
 * for log_level_parse, the one reader of log level names: every name
 * parses to its own value and back, and near misses are refused.
 */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/principal.h"
#include "tap.h"

static void
test_roles(void)
{
	static const char *const bad[] = { "", "Admin", "admin ", "users",
	    "moderato", "root" };
	enum role r;
	size_t i;
	int v;

	for (v = 0; v < ROLE__MAX; v++) {
		r = ROLE__MAX;
		ok(principal_role_parse(principal_role_names[v], &r) == 0 &&
		    (int)r == v, "role '%s' parses to %d",
		    principal_role_names[v], v);
		is_str(principal_role_name((enum role)v),
		    principal_role_names[v], "role %d is named by the table", v);
	}
	is_str(principal_role_names[ROLE_USER], "user", "ROLE_USER is 'user'");
	is_str(principal_role_names[ROLE_MODERATOR], "moderator",
	    "ROLE_MODERATOR is 'moderator'");
	is_str(principal_role_names[ROLE_ADMIN], "admin",
	    "ROLE_ADMIN is 'admin', as the schema's CHECK spells it");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = ROLE_ADMIN;
		ok(principal_role_parse(bad[i], &r) == -1 && r == ROLE_ADMIN,
		    "'%s' is no role, and *out is left alone", bad[i]);
	}
	ok(principal_role_parse(NULL, &r) == -1, "NULL is no role");
	is_str(principal_role_name(ROLE__MAX), "user",
	    "a value past the enum is named 'user'");
	is_str(principal_role_name((enum role)-1), "user",
	    "a negative value is named 'user'");
}

static void
test_log_levels(void)
{
	static const char *const names[] = { "debug", "info", "warn",
	    "error" };
	static const char *const bad[] = { "", "Info", "warning", "err",
	    "fatal" };
	enum log_level l;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		l = LOG__MAX;
		ok(log_level_parse(names[i], &l) == 0 && (size_t)l == i,
		    "log level '%s' parses to %zu", names[i], i);
	}
	is_int(LOG__MAX, 4, "four log levels");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		l = LOG_ERROR;
		ok(log_level_parse(bad[i], &l) == -1 && l == LOG_ERROR,
		    "'%s' is no log level", bad[i]);
	}
}

int
main(void)
{
	test_roles();
	test_log_levels();
	return done_testing();
}
