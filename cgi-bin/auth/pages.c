/*
 * The forms of auth.fcgi as pages: templates/login.html and
 * templates/register.html, and the fields a refused post sends back.
 */
#include "gen/templates.h"
#include "pages.h"

static const struct site_field auth_login_fields[] = {
	{ "email", "Email", TK_email, TK_email_error },
	{ "password", "Password", 0, TK_password_error },
};

const struct site_form auth_login_form = {
	&tpl_login, "Log in", auth_login_fields,
	sizeof(auth_login_fields) / sizeof(auth_login_fields[0]), NULL
};

static const struct site_field auth_register_fields[] = {
	{ "name", "Your name", TK_name, TK_name_error },
	{ "email", "Email", TK_email, TK_email_error },
	{ "password", "Password", 0, TK_password_error },
};

const struct site_form auth_register_form = {
	&tpl_register, "Create an account", auth_register_fields,
	sizeof(auth_register_fields) / sizeof(auth_register_fields[0]), NULL
};
