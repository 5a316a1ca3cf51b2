/*
 * letter: the mails Quill sends, made from the templates of templates/mail/
 * (tools/templates.pl): the first line of a rendered mail is its subject
 * after "Subject: ", and the body follows the empty line.  A value cannot
 * add a line (tpl_plain), so none can add a header.
 */
#ifndef QUILL_LETTER_H
#define QUILL_LETTER_H

#include <stdint.h>

#include "base/error.h"
#include "pure/tpl.h"

struct arena;

/*
 * Renders mail t from d and queues it to to (mail_queue), then wipes what
 * it rendered (a mail may hold a live token).  Call inside a write
 * transaction.
 */
enum err letter_queue(const char *to, const struct tpl *t,
    const struct tpl_data *d, int64_t now);

/* A lifetime of s seconds as a mail says it: "45 minutes", "3 hours". */
const char *letter_duration(struct arena *a, long s);

/*
 * The link origin + page + "#token=" + token in a, for a mail: the token
 * after a #, which a browser never sends.  Wipe it with explicit_bzero
 * once queued.
 */
char	*letter_link(struct arena *a, const char *origin, const char *page,
    const char *token);

#endif
