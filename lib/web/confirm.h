/*
 * confirm: the mails that prove an address (docs/auth.md), issued and
 * queued inside the write transaction of the request that asks for them.
 * Each link opens a page of the site (htdocs/) with its token after a #,
 * which a browser never sends, so no access log and no Referer holds it;
 * the page posts it back in a form's body.  The short code printed beside
 * it can be typed on the same page instead.  Links are built from
 * QUILL_PUBLIC_ORIGIN only, never from a request's Host.
 */
#ifndef QUILL_CONFIRM_H
#define QUILL_CONFIRM_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct arena;
struct user;

/* The page of the confirmation links, and that of the cancel link. */
#define CONFIRM_PAGE		"/verify"
#define CONFIRM_CANCEL_PAGE	"/email/cancel"

/*
 * Issues a confirmation token for u's own address (any earlier one void)
 * and queues the mail that carries it.  Call inside a write transaction.
 */
enum err confirm_send_address(struct arena *a, const struct user *u,
    int64_t now);

/*
 * Records an email change of u, asked for by session sid, to the address
 * email (len bytes): issues
 * the token that confirms it and mails it to that address, and issues the
 * token that cancels it and mails it, in a notice that names no new
 * address, to u's current one.  Earlier changes still waiting are void.
 * Call inside a write transaction.
 */
enum err confirm_send_change(struct arena *a, const struct user *u,
    int64_t sid, const char *email, size_t len, int64_t now);

#endif
