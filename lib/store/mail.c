#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/config.h"
#include "store/db_raw.h"
#include "base/log.h"
#include "store/mail.h"
#include "base/time.h"

/* Words in QUILL_SENDMAIL, the command included. */
#define SENDMAIL_ARGS	16

/* One queued mail, copied out of the statement. */
struct mail {
	int64_t	 id;
	int64_t	 created_at;
	char	*to;
	char	*subject;
	char	*body;
};

enum err
mail_queue(const char *to, const char *subject, const char *body,
    int64_t now)
{
	sqlite3_stmt *s = db_stmt(STMT_MAIL_INSERT);

	sqlite3_bind_text(s, 1, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, now);
	return db_step_done(s, "mail_queue");
}

static void
mail_free(struct mail *m)
{
	free(m->to);
	free(m->subject);
	free(m->body);
	memset(m, 0, sizeof(*m));
}

/* A copy of a text column, or NULL when out of memory. */
static char *
column_dup(sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	return strdup(t != NULL ? (const char *)t : "");
}

/* Loads the first queued mail after id after; 1 found, 0 none, -1 error. */
static int
mail_next(int64_t after, struct mail *m)
{
	sqlite3_stmt *s = db_stmt(STMT_MAIL_NEXT);
	int rc, found = 0;

	sqlite3_bind_int64(s, 1, after);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		m->id = sqlite3_column_int64(s, 0);
		m->to = column_dup(s, 1);
		m->subject = column_dup(s, 2);
		m->body = column_dup(s, 3);
		m->created_at = sqlite3_column_int64(s, 4);
		found = 1;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		db_fail(rc, "mail_next");
		return -1;
	}
	if (found && (m->to == NULL || m->subject == NULL || m->body == NULL)) {
		mail_free(m);
		return -1;
	}
	return found;
}

/* Appends the From address: QUILL_MAIL_FROM, else noreply@ the site's host. */
static void
from_address(struct buf *b)
{
	const char *host = strstr(config.public_origin, "://");
	size_t n;

	if (config.mail_from[0] != '\0') {
		buf_puts(b, config.mail_from);
		return;
	}
	host = host != NULL ? host + 3 : config.public_origin;
	/* Without the port; a bracketed IPv6 literal keeps its colons. */
	n = host[0] == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":");
	buf_puts(b, "noreply@");
	buf_append(b, host, n);
}

/* Writes the whole message of m into b; -1 when a header would break. */
static int
message_build(const struct mail *m, struct buf *b)
{
	char date[64];

	if (strpbrk(m->to, "\r\n") != NULL ||
	    strpbrk(m->subject, "\r\n") != NULL ||
	    strpbrk(config.mail_from, "\r\n") != NULL ||
	    time_rfc5322(m->created_at, date, sizeof(date)) == -1)
		return -1;
	buf_reset(b);
	buf_puts(b, "From: ");
	from_address(b);
	buf_printf(b, "\nTo: %s\nSubject: %s\nDate: %s\n", m->to, m->subject,
	    date);
	buf_printf(b, "Message-ID: <quill.%lld.%lld@", (long long)m->id,
	    (long long)m->created_at);
	from_address(b);
	buf_puts(b, ">\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n"
	    "Auto-Submitted: auto-generated\n\n");
	buf_puts(b, m->body);
	return b->oom ? -1 : 0;
}

/*
 * Writes all n bytes of p to fd; a socket is written with send(), so a
 * reader that went away is an error rather than a SIGPIPE.  0 or -1.
 */
static int
write_all(int fd, int sock, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = sock ? send(fd, p, n, MSG_NOSIGNAL) : write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

const char *
mail_sendmail_command(void)
{
	return config.sendmail[0] != '\0' ? config.sendmail : NULL;
}

/* Hands msg to the sendmail command; 0 when it exits with status 0. */
static int
deliver_sendmail(const struct buf *msg)
{
	char cmd[sizeof(config.sendmail)], *argv[SENDMAIL_ARGS + 1], *save;
	int sv[2], status, rc;
	size_t n = 0;
	pid_t pid;

	snprintf(cmd, sizeof(cmd), "%s", mail_sendmail_command());
	for (argv[n] = strtok_r(cmd, " \t", &save);
	    n < SENDMAIL_ARGS && argv[n] != NULL;
	    argv[n] = strtok_r(NULL, " \t", &save))
		n++;
	argv[n] = NULL;
	if (n == 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		if (dup2(sv[1], STDIN_FILENO) == -1)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(sv[1]);
	rc = write_all(sv[0], 1, msg->data, msg->len);
	close(sv[0]);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	if (rc == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	return 0;
}

/*
 * Writes msg as <spool>/<id>.eml, by way of a temporary file and a rename,
 * so a reader never sees half a mail.
 */
static int
deliver_spool(int64_t id, const struct buf *msg)
{
	char tmp[sizeof(config.mail_spool) + 32], dst[sizeof(tmp)];
	int fd, rc;

	if (mkdir(config.mail_spool, 0700) == -1 && errno != EEXIST)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s/.%lld.tmp", config.mail_spool,
	    (long long)id);
	snprintf(dst, sizeof(dst), "%s/%lld.eml", config.mail_spool,
	    (long long)id);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1)
		return -1;
	rc = write_all(fd, 0, msg->data, msg->len);
	if (fsync(fd) == -1)
		rc = -1;
	if (close(fd) == -1)
		rc = -1;
	if (rc == 0 && rename(tmp, dst) == 0)
		return 0;
	unlink(tmp);
	return -1;
}

/* Marks mail id sent (ok) or counts a failed attempt. */
static int
mail_mark(int64_t id, int ok, int64_t now)
{
	sqlite3_stmt *s = db_stmt(ok ? STMT_MAIL_SENT : STMT_MAIL_FAILED);

	sqlite3_bind_int64(s, 1, id);
	if (ok)
		sqlite3_bind_int64(s, 2, now);
	return db_step_done(s, "mail_mark") == ERR_NONE ? 0 : -1;
}

int
mail_deliver(int64_t now, int *sent, int *failed)
{
	struct buf msg = { 0 };
	struct mail m;
	int64_t after = 0;
	int found, ok, rc = 0;
	char idtext[24];

	*sent = *failed = 0;
	memset(&m, 0, sizeof(m));
	while ((found = mail_next(after, &m)) == 1) {
		after = m.id;
		ok = message_build(&m, &msg) == 0 &&
		    (mail_sendmail_command() != NULL ? deliver_sendmail(&msg) :
		    deliver_spool(m.id, &msg)) == 0;
		if (!ok) {
			snprintf(idtext, sizeof(idtext), "%lld", (long long)m.id);
			log_event(LOG_ERROR, "mail_failed", NULL, "mailId", idtext,
			    "via", mail_sendmail_command() != NULL ? "sendmail" :
			    "spool", NULL);
		}
		*(ok ? sent : failed) += 1;
		mail_free(&m);
		if (mail_mark(after, ok, now) == -1) {
			rc = -1;
			break;
		}
	}
	if (found == -1)
		rc = -1;
	buf_free(&msg);
	return rc;
}
