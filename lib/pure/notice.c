#include <string.h>

#include "pure/notice.h"

const char *const notice_names[NOTICE__MAX] = {
	[NOTICE_NONE] = "",
	[NOTICE_POST_PUBLISHED] = "post-published",
	[NOTICE_DRAFT_SAVED] = "draft-saved",
	[NOTICE_POST_SAVED] = "post-saved",
	[NOTICE_POST_DELETED] = "post-deleted",
	[NOTICE_ACCOUNT_CREATED] = "account-created",
	[NOTICE_SIGNED_IN] = "signed-in",
	[NOTICE_SIGNED_OUT] = "signed-out",
	[NOTICE_SIGNED_OUT_EVERYWHERE] = "signed-out-everywhere",
	[NOTICE_PASSWORD_CHANGED] = "password-changed",
	[NOTICE_PASSWORD_RESET] = "password-reset",
	[NOTICE_RESET_SENT] = "reset-sent",
	[NOTICE_SESSION_ENDED] = "session-ended",
	[NOTICE_SESSIONS_ENDED] = "sessions-ended",
	[NOTICE_NAME_SAVED] = "name-saved",
	[NOTICE_EMAIL_CHANGE_SENT] = "email-change-sent",
	[NOTICE_ACCOUNT_DELETED] = "account-deleted",
	[NOTICE_ROLE_CHANGED] = "role-changed",
	[NOTICE_USER_DISABLED] = "user-disabled",
	[NOTICE_USER_ENABLED] = "user-enabled",
	[NOTICE_USER_DELETED] = "user-deleted",
	[NOTICE_ADDRESS_CONFIRMED] = "address-confirmed",
	[NOTICE_VERIFY_SENT] = "verify-sent",
	[NOTICE_EMAIL_CHANGE_CANCELLED] = "email-change-cancelled",
};

/*
 * Each text is named by its designated initializer, so a comma missing
 * between two of them does not compile: the long ones are split freely.
 */
/* NOLINTBEGIN(bugprone-suspicious-missing-comma) */
const char *const notice_texts[NOTICE__MAX] = {
	[NOTICE_NONE] = "",
	[NOTICE_POST_PUBLISHED] = "Post published.",
	[NOTICE_DRAFT_SAVED] = "Draft saved. Only you can see it until you "
	    "publish it.",
	[NOTICE_POST_SAVED] = "Your changes are saved.",
	[NOTICE_POST_DELETED] = "Post deleted.",
	[NOTICE_ACCOUNT_CREATED] = "Your account is ready. Log in to start.",
	[NOTICE_SIGNED_IN] = "You are logged in.",
	[NOTICE_SIGNED_OUT] = "You are logged out.",
	[NOTICE_SIGNED_OUT_EVERYWHERE] = "You are logged out on every device.",
	[NOTICE_PASSWORD_CHANGED] = "Password changed. Your other sessions "
	    "have ended.",
	[NOTICE_PASSWORD_RESET] = "Password reset. Log in with the new one.",
	[NOTICE_RESET_SENT] = "If an account has that email, a message with "
	    "a reset link is on its way.",
	[NOTICE_SESSION_ENDED] = "That session has ended.",
	[NOTICE_SESSIONS_ENDED] = "Your other sessions have ended.",
	[NOTICE_NAME_SAVED] = "Name saved.",
	[NOTICE_EMAIL_CHANGE_SENT] =
	    "Almost done: follow the link mailed to your new address.",
	[NOTICE_ACCOUNT_DELETED] = "Your account and your posts are deleted.",
	[NOTICE_ROLE_CHANGED] = "Role changed.",
	[NOTICE_USER_DISABLED] = "Account disabled. Its sessions have ended.",
	[NOTICE_USER_ENABLED] = "Account enabled.",
	[NOTICE_USER_DELETED] = "User deleted, with their posts.",
	[NOTICE_ADDRESS_CONFIRMED] = "Your email address is confirmed.",
	[NOTICE_VERIFY_SENT] = "If an account with this address waits for "
	    "its confirmation, a new link is on its way.",
	[NOTICE_EMAIL_CHANGE_CANCELLED] = "The email change is cancelled, and "
	    "every device is logged out of the account. Log in again.",
};
/* NOLINTEND(bugprone-suspicious-missing-comma) */

enum notice
notice_parse(const char *s, size_t len)
{
	int n;

	/* NOTICE_NONE's empty name is no notice to find. */
	for (n = NOTICE_NONE + 1; n < NOTICE__MAX; n++)
		if (strlen(notice_names[n]) == len &&
		    memcmp(notice_names[n], s, len) == 0)
			return (enum notice)n;
	return NOTICE_NONE;
}
