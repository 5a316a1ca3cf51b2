/*
 * mail: outgoing mail, by way of an outbox table.  A request queues its
 * mail inside its own write transaction, so a mail exists exactly when the
 * change it tells of was committed; `quillctl mail` delivers it later,
 * through sendmail (QUILL_SENDMAIL) or as files in a spool directory
 * (QUILL_MAIL_SPOOL).
 */
#ifndef QUILL_MAIL_H
#define QUILL_MAIL_H

#include <stdint.h>

#include "base/error.h"

/*
 * Queues a plain-text mail to one address.  to must be a validated email
 * and subject a single line.  Call inside a write transaction.
 */
enum err mail_queue(const char *to, const char *subject, const char *body,
    int64_t now);

/*
 * The sendmail command mail_deliver hands mail to: QUILL_SENDMAIL when it
 * is set, else "/usr/sbin/sendmail -t -i" when that file exists; NULL when
 * mail goes into the spool instead (QUILL_SENDMAIL set but empty, or no
 * /usr/sbin/sendmail).
 */
const char *mail_sendmail_command(void);

/*
 * Delivers every queued mail, oldest first: to mail_sendmail_command()
 * when there is one (the message on its standard input, exit status 0
 * meaning accepted), else as a file <id>.eml in config.mail_spool (created,
 * mode 0700, when missing).  A delivered mail is marked sent and its body
 * emptied; a failed one stays queued.  *sent and *failed receive the
 * counts; each failure is logged with its reason (the command's exit
 * status and first line of standard error).  Returns 0, or -1 on a
 * database error.
 */
int mail_deliver(int64_t now, int *sent, int *failed);

/*
 * How many mails wait in the outbox, into *count, and when the oldest of
 * them was queued, into *oldest (0 when none).  Reads only.  Returns 0, or
 * -1 on a database error.
 */
int mail_pending(int64_t *count, int64_t *oldest);

#endif
