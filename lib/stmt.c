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

	/* sessions, reset tokens, mail, rate limits */

	/* posts */
};
