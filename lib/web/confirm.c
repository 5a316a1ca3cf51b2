#include <string.h>

#include "base/arena.h"
#include "base/config.h"
#include "store/user.h"
#include "store/verify.h"
#include "gen/templates.h"
#include "web/confirm.h"
#include "web/letter.h"

/*
 * Queues mail t to to (letter_queue): d holds its link for token on page,
 * and code, and the values every mail of confirmation has (the name of
 * u, the site, the lifetime ttl).  The link's copy is wiped after.
 */
static enum err
confirm_queue(struct arena *a, const struct user *u, const char *to,
    const struct tpl *t, const char *page, const char *token,
    const char *code, long ttl, int64_t now)
{
	struct tpl_data *d;
	char *link;
	enum err e;

	if ((d = tpl_data_new(a)) == NULL || (link = letter_link(a,
	    config.public_origin, page, token)) == NULL)
		return ERR_INTERNAL;
	tpl_str(d, TK_name, u->name);
	tpl_str(d, TK_email, to);
	tpl_str(d, TK_origin, config.public_origin);
	tpl_str(d, TK_lifetime, letter_duration(a, ttl));
	tpl_str(d, TK_link, link);
	tpl_str(d, TK_page, arena_printf(a, "%s%s", config.public_origin,
	    page));
	tpl_str(d, TK_code, code);
	e = letter_queue(to, t, d, now);
	explicit_bzero(link, strlen(link));
	return e;
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
	e = confirm_queue(a, u, u->email, &tpl_mail_confirm_address,
	    CONFIRM_PAGE, link.text, code.text, config.verify_ttl, now);
	explicit_bzero(&link, sizeof(link));
	explicit_bzero(&code, sizeof(code));
	return e;
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
	    (e = confirm_queue(a, u, to, &tpl_mail_confirm_change,
	    CONFIRM_PAGE, link.text, code.text, config.verify_ttl, now)) ==
	    ERR_NONE &&
	    (e = verify_issue(u->id, VERIFY_CANCEL, sid, u->email,
	    config.email_cancel_ttl, now, &cancel, NULL)) == ERR_NONE) {
		e = confirm_queue(a, u, u->email, &tpl_mail_change_notice,
		    CONFIRM_CANCEL_PAGE, cancel.text, cancel.text,
		    config.email_cancel_ttl, now);
		explicit_bzero(&cancel, sizeof(cancel));
	}
	explicit_bzero(&link, sizeof(link));
	explicit_bzero(&code, sizeof(code));
	return e;
}
