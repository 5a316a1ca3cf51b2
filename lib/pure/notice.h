/*
 * notice: the one-time messages a page shows after a form succeeded ("Post
 * published", "Signed out").  The form's 303 sets a short-lived cookie
 * holding the notice's name; the next page the site renders looks the
 * name up here, shows its text and clears the cookie.  Only a name of this
 * table is ever shown, and only its fixed text: nothing of the cookie
 * reaches a page, so no one can make the site say what they choose.
 */
#ifndef QUILL_NOTICE_H
#define QUILL_NOTICE_H

#include <stddef.h>

/* The notice cookie: __Host-, like the session's, so no other host sets it. */
#define COOKIE_NOTICE "__Host-quill_notice"

/* How long an unread notice lives, in seconds: the next page, not later. */
#define NOTICE_TTL 60

enum notice {
	NOTICE_NONE,
	NOTICE_POST_PUBLISHED,
	NOTICE_DRAFT_SAVED,
	NOTICE_POST_SAVED,
	NOTICE_POST_DELETED,
	NOTICE_ACCOUNT_CREATED,
	NOTICE_SIGNED_IN,
	NOTICE_SIGNED_OUT,
	NOTICE_SIGNED_OUT_EVERYWHERE,
	NOTICE_PASSWORD_CHANGED,
	NOTICE_PASSWORD_RESET,
	NOTICE_RESET_SENT,
	NOTICE_SESSION_ENDED,
	NOTICE_SESSIONS_ENDED,
	NOTICE_NAME_SAVED,
	NOTICE_EMAIL_CHANGE_SENT,
	NOTICE_ACCOUNT_DELETED,
	NOTICE_ROLE_CHANGED,
	NOTICE_USER_DISABLED,
	NOTICE_USER_ENABLED,
	NOTICE_USER_DELETED,
	NOTICE_ADDRESS_CONFIRMED,
	NOTICE_VERIFY_SENT,
	NOTICE_EMAIL_CHANGE_CANCELLED,
	NOTICE__MAX
};

/* The name of each notice, as its cookie holds it; "" for NOTICE_NONE. */
extern const char *const notice_names[NOTICE__MAX];

/* The text of each notice, as a page shows it; "" for NOTICE_NONE. */
extern const char *const notice_texts[NOTICE__MAX];

/*
 * The notice named by the len bytes at s (a cookie's value, not
 * NUL-terminated), or NOTICE_NONE when it names none of them.
 */
enum notice notice_parse(const char *s, size_t len);

#endif
