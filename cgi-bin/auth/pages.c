/*
 * The forms of auth.fcgi as pages: templates/login.html, register.html
 * and password_*.html, and the fields a refused post sends back.
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

static const struct site_field auth_password_change_fields[] = {
	{ "currentPassword", "Current password", 0, TK_current_password_error },
	{ "newPassword", "New password", 0, TK_new_password_error },
};

const struct site_form auth_password_change_form = {
	&tpl_password_change, "Change your password",
	auth_password_change_fields, sizeof(auth_password_change_fields) /
	sizeof(auth_password_change_fields[0]), NULL
};

static const struct site_field auth_password_forgot_fields[] = {
	{ "email", "Email of your account", TK_email, TK_email_error },
};

const struct site_form auth_password_forgot_form = {
	&tpl_password_forgot, "Forgot your password?",
	auth_password_forgot_fields, sizeof(auth_password_forgot_fields) /
	sizeof(auth_password_forgot_fields[0]), NULL
};

static const struct site_field auth_password_reset_fields[] = {
	{ "token", "Reset code", TK_token, TK_token_error },
	{ "password", "New password", 0, TK_password_error },
};

const struct site_form auth_password_reset_form = {
	&tpl_password_reset, "Choose a new password",
	auth_password_reset_fields, sizeof(auth_password_reset_fields) /
	sizeof(auth_password_reset_fields[0]), NULL
};
