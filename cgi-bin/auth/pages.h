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

#endif
