#include <string.h>

#include "base/arena.h"
#include "base/config.h"
#include "store/mail.h"
#include "store/user.h"
#include "store/verify.h"
#include "web/confirm.h"

/* Whole minutes or hours of a lifetime, as a mail says it. */
static char *
confirm_duration(struct arena *a, long s)
{
	if (s >= 7200)		/* two hours and more */
		return arena_printf(a, "%ld hours", (s + 3599) / 3600);
	return arena_printf(a, "%ld minutes", (s + 59) / 60);
}

/*
 * Queues a mail to to whose body is text, then wipes the body's copy
 * (it holds a live token).
 */
static enum err
confirm_queue(const char *to, const char *subject, char *text, int64_t now)
{
	enum err e;

	if (text == NULL)
		return ERR_INTERNAL;
	e = mail_queue(to, subject, text, now);
	explicit_bzero(text, strlen(text));
	return e;
}

/* The body of a mail that asks to confirm to, for purpose p. */
static char *
confirm_body(struct arena *a, const struct user *u, const char *to,
    enum verify_purpose p, const struct secret *link,
    const struct secret_recovery *code)
{
	const char *why = p == VERIFY_ADDRESS ?
	    "someone, hopefully you, made an account with this address at\n"
	    "%s.  To confirm that the address is yours, open this link\n"
	    "within %s and press \"Confirm my address\":\n\n" :
	    "someone, hopefully you, asked to use this address for an\n"
	    "account at %s.  To confirm it, open this link within\n"
	    "%s and press \"Confirm my address\":\n\n";
	char *head;

	if ((head = arena_printf(a, why, config.public_origin,
	    confirm_duration(a, config.verify_ttl))) == NULL)
		return NULL;
	return arena_printf(a,
	    "Hello %s,\n\n%s"
	    "%s" CONFIRM_PAGE "#token=%s\n\n"
	    "If the link does not open, go to %s" CONFIRM_PAGE "\n"
	    "and type this code with the address %s:\n\n"
	    "%s\n\n"
	    "They work once.  If you did not ask for this, ignore this mail:\n"
	    "nothing changes without it.\n",
	    u->name, head, config.public_origin, link->text,
	    config.public_origin, to, code->text);
}

enum err
confirm_send_address(struct arena *a, const struct user *u, int64_t now)
{
	struct secret link;
	struct secret_recovery code;
	enum err e;

	if ((e = verify_issue(u->id, VERIFY_ADDRESS, 0, u->email,
	    config.verify_ttl, now, &link, &code)) != ERR_NONE)
		return e;
	e = confirm_queue(u->email, "Confirm your Quill address",
	    confirm_body(a, u, u->email, VERIFY_ADDRESS, &link, &code), now);
	explicit_bzero(&link, sizeof(link));
	explicit_bzero(&code, sizeof(code));
	return e;
}

/* The notice to u's old address, with the link that cancels a change. */
static char *
confirm_notice(struct arena *a, const struct user *u,
    const struct secret *cancel)
{
	return arena_printf(a,
	    "Hello %s,\n\n"
	    "someone signed in to your account at %s asked to\n"
	    "move it to another email address.  The move happens when that\n"
	    "address confirms it; from then on this one no longer signs in.\n\n"
	    "If it was not you, open this link within %s and press\n"
	    "\"Cancel the change\": the move is undone, even if it already\n"
	    "happened, and every device signed in to the account is signed\n"
	    "out.  Then change your password:\n\n"
	    "%s" CONFIRM_CANCEL_PAGE "#token=%s\n\n"
	    "If the link does not open, go to %s" CONFIRM_CANCEL_PAGE "\n"
	    "and paste this code:\n\n"
	    "%s\n\n"
	    "If it was you, there is nothing to do.\n",
	    u->name, config.public_origin,
	    confirm_duration(a, config.email_cancel_ttl),
	    config.public_origin, cancel->text, config.public_origin,
	    cancel->text);
}

enum err
confirm_send_change(struct arena *a, const struct user *u, int64_t sid,
    const char *email, size_t len, int64_t now)
{
	struct secret link, cancel;
	struct secret_recovery code;
	char *to;
	enum err e;

	if ((to = arena_strndup(a, email, len)) == NULL)
		return ERR_INTERNAL;
	if ((e = verify_issue(u->id, VERIFY_CHANGE, sid, to, config.verify_ttl, now,
	    &link, &code)) == ERR_NONE &&
	    (e = confirm_queue(to, "Confirm your new Quill address",
	    confirm_body(a, u, to, VERIFY_CHANGE, &link, &code), now)) ==
	    ERR_NONE &&
	    (e = verify_issue(u->id, VERIFY_CANCEL, sid, u->email,
	    config.email_cancel_ttl, now, &cancel, NULL)) == ERR_NONE) {
		e = confirm_queue(u->email, "Your Quill email address is "
		    "being changed", confirm_notice(a, u, &cancel), now);
		explicit_bzero(&cancel, sizeof(cancel));
	}
	explicit_bzero(&link, sizeof(link));
	explicit_bzero(&code, sizeof(code));
	return e;
}
