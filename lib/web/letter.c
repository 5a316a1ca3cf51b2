#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "store/mail.h"
#include "web/letter.h"

#define SUBJECT	"Subject: "

enum err
letter_queue(const char *to, const struct tpl *t, const struct tpl_data *d,
    int64_t now)
{
	struct buf b = { 0 };
	char *subject, *end;
	enum err e = ERR_INTERNAL;

	if (tpl_render(&b, t, d) == 0 && buf_append(&b, "", 1) == 0 &&
	    strncmp(b.data, SUBJECT, strlen(SUBJECT)) == 0 &&
	    (end = strstr(b.data, "\n\n")) != NULL) {
		subject = b.data + strlen(SUBJECT);
		*end = '\0';
		e = mail_queue(to, subject, end + 2, now);
	}
	if (b.data != NULL)
		explicit_bzero(b.data, b.cap);
	buf_free(&b);
	return e;
}

const char *
letter_duration(struct arena *a, long s)
{
	if (s >= 7200)		/* two hours and more */
		return arena_printf(a, "%ld hours", (s + 3599) / 3600);
	return arena_printf(a, "%ld minutes", (s + 59) / 60);
}

char *
letter_link(struct arena *a, const char *origin, const char *page,
    const char *token)
{
	return arena_printf(a, "%s%s#token=%s", origin, page, token);
}
