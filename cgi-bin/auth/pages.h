/*
 * The forms of auth.fcgi that a browser's refused post brings back,
 * filled as it was sent (lib/web/site).
 */
#ifndef QUILL_AUTH_PAGES_H
#define QUILL_AUTH_PAGES_H

#include "web/site.h"

/* Log in: the email kept, never the password. */
extern const struct site_form auth_login_form;

/* Create an account: the name and email kept, never the password. */
extern const struct site_form auth_register_form;

/* Change the password: both fields are passwords, so it comes back empty. */
extern const struct site_form auth_password_change_form;

/* Forgot the password: the email kept. */
extern const struct site_form auth_password_forgot_form;

/* Reset the password: the code of the mail kept, never the password. */
extern const struct site_form auth_password_reset_form;

#endif
