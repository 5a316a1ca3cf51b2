#include "stmt.h"

#define USER_COLUMNS "id, email, name, password_hash, role, disabled, " \
	"token_version, created_at, updated_at"

const char *const stmt_sql[STMT__MAX] = {
	[STMT_PING] = "SELECT version FROM schema_migrations "
	    "ORDER BY version DESC LIMIT 1",
	[STMT_USER_INSERT] = "INSERT INTO users (email, name, password_hash, "
	    "role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
	[STMT_USER_BY_ID] = "SELECT " USER_COLUMNS " FROM users WHERE id = ?",
	[STMT_USER_BY_EMAIL] = "SELECT " USER_COLUMNS " FROM users "
	    "WHERE email = ?",
	[STMT_USER_AUTH] = "SELECT role, disabled, token_version FROM users "
	    "WHERE id = ?",
	[STMT_USER_SET_PASSWORD_HASH] = "UPDATE users SET password_hash = ? "
	    "WHERE id = ?",

/*
 * GET /users.  ?1 a role or NULL, ?2 a LIKE pattern (wildcards in the
 * client's text escaped with \) or NULL, ?3 and ?4 the cursor's key and id,
 * ?5 the row limit, ?6 the offset.  The filters are constant text, so each
 * sort order has its own statement and its own index.
 */
#define USER_FILTER "(?1 IS NULL OR role = ?1) AND (?2 IS NULL OR " \
	"name LIKE ?2 ESCAPE '\\' OR email LIKE ?2 ESCAPE '\\')"
#define USER_PAGE(order) "SELECT " USER_COLUMNS " FROM users WHERE " \
	USER_FILTER " ORDER BY " order " LIMIT ?5 OFFSET ?6"
/* Rows after (key, id) in the order key cmp, id cmp: a range on the index. */
#define USER_AFTER(key, cmp, order) "SELECT " USER_COLUMNS " FROM users " \
	"WHERE " USER_FILTER " AND " key " " cmp "= ?3 AND (" key " " cmp \
	" ?3 OR id " cmp " ?4) ORDER BY " order " LIMIT ?5"
#define NAME_KEY "name COLLATE NOCASE"

	/* NULL leaves a column as it is. */
	[STMT_USER_UPDATE] = "UPDATE users SET name = coalesce(?1, name), "
	    "email = coalesce(?2, email), role = coalesce(?3, role), "
	    "disabled = coalesce(?4, disabled), "
	    "token_version = token_version + ?5, updated_at = ?6 WHERE id = ?7",
	/* Posts and sessions go with the user: ON DELETE CASCADE. */
	[STMT_USER_DELETE] = "DELETE FROM users WHERE id = ?",
	[STMT_USER_OTHER_ADMINS] = "SELECT count(*) FROM users "
	    "WHERE role = 'admin' AND disabled = 0 AND id <> ?",
	[STMT_USER_COUNT] = "SELECT count(*) FROM users WHERE " USER_FILTER,
	[STMT_USER_PAGE_CREATED_ASC] = USER_PAGE("created_at, id"),
	[STMT_USER_PAGE_CREATED_DESC] = USER_PAGE("created_at DESC, id DESC"),
	[STMT_USER_PAGE_NAME_ASC] = USER_PAGE(NAME_KEY ", id"),
	[STMT_USER_PAGE_NAME_DESC] = USER_PAGE(NAME_KEY " DESC, id DESC"),
	[STMT_USER_PAGE_EMAIL_ASC] = USER_PAGE("email, id"),
	[STMT_USER_PAGE_EMAIL_DESC] = USER_PAGE("email DESC, id DESC"),
	[STMT_USER_AFTER_CREATED_ASC] = USER_AFTER("created_at", ">",
	    "created_at, id"),
	[STMT_USER_AFTER_CREATED_DESC] = USER_AFTER("created_at", "<",
	    "created_at DESC, id DESC"),
	[STMT_USER_AFTER_NAME_ASC] = USER_AFTER(NAME_KEY, ">", NAME_KEY ", id"),
	[STMT_USER_AFTER_NAME_DESC] = USER_AFTER(NAME_KEY, "<",
	    NAME_KEY " DESC, id DESC"),
	[STMT_USER_AFTER_EMAIL_ASC] = USER_AFTER("email", ">", "email, id"),
	[STMT_USER_AFTER_EMAIL_DESC] = USER_AFTER("email", "<",
	    "email DESC, id DESC"),

	/* sessions, reset tokens, mail, rate limits */

	/* posts */
};
