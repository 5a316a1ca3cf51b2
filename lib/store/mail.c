#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "store/db.h"
#include "base/log.h"
#include "store/mail.h"
#include "base/time.h"

/* Words in QUILL_SENDMAIL, the command included. */
#define SENDMAIL_ARGS	16

/* The sendmail of a Debian system, used when QUILL_SENDMAIL is not set. */
#define SENDMAIL_PATH	"/usr/sbin/sendmail"
#define SENDMAIL_DEFAULT SENDMAIL_PATH " -t -i"

/* Why a delivery failed, as the log tells it. */
#define WHY_SIZE	2048

/* One queued mail, its text in the arena of its delivery. */
struct mail {
	int64_t		 id;
	int64_t		 created_at;
	const char	*to;
	const char	*subject;
	const char	*body;
};

enum err
mail_queue(const char *to, const char *subject, const char *body,
    int64_t now)
{
	struct db_stmt *st = db_prepare(STMT_MAIL_INSERT);

	db_bind_str(st, 1, to);
	db_bind_str(st, 2, subject);
	db_bind_str(st, 3, body);
	db_bind_int(st, 4, now);
	return db_done(st, "mail_queue");
}

/*
 * Loads the first queued mail after id after, its text copied into a:
 * 1 found, 0 none, -1 on a database error or without memory.
 */
static int
mail_next(struct arena *a, int64_t after, struct mail *m)
{
	struct db_stmt *st = db_prepare(STMT_MAIL_NEXT);
	int found;

	db_bind_int(st, 1, after);
	if ((found = db_next(st)) == 1) {
		m->id = db_int(st, 0);
		m->to = db_text(st, a, 1);
		m->subject = db_text(st, a, 2);
		m->body = db_text(st, a, 3);
		m->created_at = db_int(st, 4);
	}
	return db_finish(st, "mail_next") == ERR_NONE ? found : -1;
}

/* The host of QUILL_PUBLIC_ORIGIN, without scheme or port; *n its length. */
static const char *
origin_host(size_t *n)
{
	const char *host = strstr(config.public_origin, "://");

	host = host != NULL ? host + 3 : config.public_origin;
	/* A bracketed IPv6 literal keeps its colons. */
	*n = host[0] == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":");
	return host;
}

/* Appends the From address: QUILL_MAIL_FROM, else noreply@ the site's host. */
static void
from_address(struct buf *b)
{
	const char *host;
	size_t n;

	if (config.mail_from[0] != '\0') {
		buf_puts(b, config.mail_from);
		return;
	}
	host = origin_host(&n);
	buf_puts(b, "noreply@");
	buf_append(b, host, n);
}

/*
 * 1 when the n bytes at s are a domain name: labels of letters, digits and
 * hyphens, 1 to 63 bytes each and not starting or ending with a hyphen,
 * joined by dots.  Such a name is a dot-atom, as a Message-ID wants.
 */
static int
domain_ok(const char *s, size_t n)
{
	size_t i, label = 0;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
		} else if (isalnum((unsigned char)s[i]) ||
		    (s[i] == '-' && label > 0)) {
			if (++label > 63)
				return 0;
		} else
			return 0;
	}
	return label > 0 && s[n - 1] != '-';
}

/*
 * Appends the domain of the Message-ID: that of the From address when it is
 * a well-formed domain name (QUILL_MAIL_FROM may be "Name <a@b>", or hold
 * anything), else the public origin's host, else this host's name.  So
 * the Message-ID is always <left@domain> with one @.
 */
static void
message_id_domain(struct buf *b)
{
	const char *p = config.mail_from, *at, *end;
	char host[256];
	size_t n;

	/* Name <address>: the address is in the last angle brackets. */
	if (strrchr(p, '<') != NULL)
		p = strrchr(p, '<') + 1;
	end = p + strcspn(p, ">");
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	for (at = end; at > p && at[-1] != '@'; at--)
		continue;
	at = at > p ? at - 1 : NULL;
	if (at != NULL && domain_ok(at + 1, (size_t)(end - at - 1))) {
		buf_append(b, at + 1, (size_t)(end - at - 1));
		return;
	}
	p = origin_host(&n);
	if (domain_ok(p, n)) {
		buf_append(b, p, n);
		return;
	}
	if (gethostname(host, sizeof(host)) == 0 &&
	    domain_ok(host, strnlen(host, sizeof(host))) &&
	    strnlen(host, sizeof(host)) < sizeof(host)) {
		buf_puts(b, host);
		return;
	}
	buf_puts(b, "localhost");
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
	/* The same for every attempt: a receiver can drop a repeat. */
	buf_printf(b, "Message-ID: <quill.%lld.%lld@", (long long)m->id,
	    (long long)m->created_at);
	message_id_domain(b);
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
	if (config_given("QUILL_SENDMAIL"))
		return config.sendmail[0] != '\0' ? config.sendmail : NULL;
	return access(SENDMAIL_PATH, X_OK) == 0 ? SENDMAIL_DEFAULT : NULL;
}

/* Copies the first line of what f holds, from its start, into line. */
static void
first_line(FILE *f, char *line, size_t sz)
{
	line[0] = '\0';
	if (f == NULL || fseek(f, 0, SEEK_SET) == -1 ||
	    fgets(line, (int)sz, f) == NULL)
		line[0] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
}

/*
 * Hands msg to the sendmail command; 0 when it exits with status 0, else
 * -1 with why set: its exit status or signal and the first line it wrote
 * on standard error.  Its standard error goes to an unlinked temporary
 * file rather than a pipe: a file never fills up and stalls the command,
 * and a process it leaves behind cannot keep us waiting for the end.
 */
static int
deliver_sendmail(const struct buf *msg, char *why, size_t whysz)
{
	char cmd[sizeof(config.sendmail)], *argv[SENDMAIL_ARGS + 1], *save;
	char line[160];
	int sv[2], status, rc;
	size_t n = 0;
	FILE *err;
	pid_t pid;

	snprintf(cmd, sizeof(cmd), "%s", mail_sendmail_command());
	for (argv[n] = strtok_r(cmd, " \t", &save);
	    n < SENDMAIL_ARGS && argv[n] != NULL;
	    argv[n] = strtok_r(NULL, " \t", &save))
		n++;
	argv[n] = NULL;
	if (n == 0) {
		snprintf(why, whysz, "QUILL_SENDMAIL names no command");
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		snprintf(why, whysz, "cannot start %s: %s", argv[0],
		    strerror(errno));
		return -1;
	}
	if ((err = tmpfile()) != NULL &&
	    fcntl(fileno(err), F_SETFD, FD_CLOEXEC) == -1) {
		fclose(err);
		err = NULL;
	}
	if ((pid = fork()) == -1) {
		snprintf(why, whysz, "cannot start %s: %s", argv[0],
		    strerror(errno));
		close(sv[0]);
		close(sv[1]);
		if (err != NULL)
			fclose(err);
		return -1;
	}
	if (pid == 0) {
		if (dup2(sv[1], STDIN_FILENO) == -1 || (err != NULL &&
		    dup2(fileno(err), STDERR_FILENO) == -1))
			_exit(127);
		execvp(argv[0], argv);
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	close(sv[1]);
	rc = write_all(sv[0], 1, msg->data, msg->len);
	close(sv[0]);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			snprintf(why, whysz, "cannot wait for %s: %s", argv[0],
			    strerror(errno));
			if (err != NULL)
				fclose(err);
			return -1;
		}
	first_line(err, line, sizeof(line));
	if (err != NULL)
		fclose(err);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && rc == 0)
		return 0;
	if (WIFSIGNALED(status))
		snprintf(why, whysz, "%s was killed by signal %d (%s)%s%s",
		    argv[0], WTERMSIG(status), strsignal(WTERMSIG(status)),
		    line[0] != '\0' ? ": " : "", line);
	else if (WEXITSTATUS(status) != 0)
		snprintf(why, whysz, "%s exited with status %d%s%s", argv[0],
		    WEXITSTATUS(status), line[0] != '\0' ? ": " : "", line);
	else
		snprintf(why, whysz, "%s stopped reading before the end of the "
		    "message%s%s", argv[0], line[0] != '\0' ? ": " : "", line);
	return -1;
}

/*
 * Writes msg as <spool>/<id>.eml, by way of a temporary file and a rename,
 * so a reader never sees half a mail.  0, or -1 with why set.
 */
static int
deliver_spool(int64_t id, const struct buf *msg, char *why, size_t whysz)
{
	char tmp[sizeof(config.mail_spool) + 32], dst[sizeof(tmp)];
	int fd, rc;

	if (mkdir(config.mail_spool, 0700) == -1 && errno != EEXIST) {
		snprintf(why, whysz, "cannot create the spool %s: %s",
		    config.mail_spool, strerror(errno));
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s/.%lld.tmp", config.mail_spool,
	    (long long)id);
	snprintf(dst, sizeof(dst), "%s/%lld.eml", config.mail_spool,
	    (long long)id);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		snprintf(why, whysz, "cannot create %s: %s", tmp,
		    strerror(errno));
		return -1;
	}
	rc = write_all(fd, 0, msg->data, msg->len);
	if (fsync(fd) == -1)
		rc = -1;
	if (close(fd) == -1)
		rc = -1;
	if (rc == 0 && rename(tmp, dst) == 0)
		return 0;
	snprintf(why, whysz, "cannot write %s: %s", dst, strerror(errno));
	unlink(tmp);
	return -1;
}

/* Marks mail id sent (ok) or counts a failed attempt. */
static int
mail_mark(int64_t id, int ok, int64_t now)
{
	struct db_stmt *st = db_prepare(ok ? STMT_MAIL_SENT : STMT_MAIL_FAILED);

	db_bind_int(st, 1, id);
	if (ok)
		db_bind_int(st, 2, now);
	return db_done(st, "mail_mark") == ERR_NONE ? 0 : -1;
}

int
mail_deliver(int64_t now, int *sent, int *failed)
{
	struct buf msg = { 0 };
	struct arena *a;
	struct mail m;
	int64_t after = 0;
	const char *sendmail = mail_sendmail_command();
	int found, ok, rc = 0;
	char idtext[24], why[WHY_SIZE];

	*sent = *failed = 0;
	if ((a = arena_new()) == NULL)
		return -1;
	memset(&m, 0, sizeof(m));
	while ((found = mail_next(a, after, &m)) == 1) {
		after = m.id;
		if (message_build(&m, &msg) == -1) {
			snprintf(why, sizeof(why), msg.oom ? "out of memory" :
			    "a header would hold a line break (QUILL_MAIL_FROM, "
			    "the recipient or the subject)");
			ok = 0;
		} else
			ok = (sendmail != NULL ? deliver_sendmail(&msg, why,
			    sizeof(why)) : deliver_spool(m.id, &msg, why,
			    sizeof(why))) == 0;
		if (!ok) {
			snprintf(idtext, sizeof(idtext), "%lld", (long long)m.id);
			log_event(LOG_ERROR, "mail_failed", NULL, "mailId", idtext,
			    "via", sendmail != NULL ? "sendmail" : "spool",
			    "reason", why, NULL);
		}
		*(ok ? sent : failed) += 1;
		arena_reset(a);
		if (mail_mark(after, ok, now) == -1) {
			rc = -1;
			break;
		}
	}
	if (found == -1)
		rc = -1;
	arena_free(a);
	buf_free(&msg);
	return rc;
}

int
mail_pending(int64_t *count, int64_t *oldest)
{
	struct db_stmt *st = db_prepare(STMT_MAIL_PENDING);
	int found;

	*count = *oldest = 0;
	if ((found = db_next(st)) == 1) {
		*count = db_int(st, 0);
		*oldest = db_int(st, 1);
	}
	return db_finish(st, "mail_pending") == ERR_NONE && found ? 0 : -1;
}
