/*
 * man-settings: prints the settings of lib/base/config.c's table as an mdoc
 * list, which the build puts into quill.conf(5).  The manual is made from
 * the table the programs check their settings with, so the two cannot
 * disagree.
 */
#include <stdio.h>
#include <string.h>

#include "base/config.h"

/* Longest text line printed: mandoc -Tlint wants at most 80 bytes. */
#define LINE_MAX_BYTES 72

/* Prints n bytes of p as the start of a text line, escaped for mdoc. */
static void
put_line(const char *p, size_t n)
{
	size_t i;

	if (n > 0 && (p[0] == '.' || p[0] == '\''))
		fputs("\\&", stdout);
	for (i = 0; i < n; i++)
		if (p[i] == '\\')
			fputs("\\e", stdout);
		else
			putchar(p[i]);
	putchar('\n');
}

/*
 * Prints text as mdoc text lines: each sentence on a line of its own (a
 * full stop, a space and a capital end one), broken between words before
 * LINE_MAX_BYTES.
 */
static void
put_text(const char *text)
{
	const char *line = text, *p, *brk = NULL;

	for (p = text; *p != '\0'; p++) {
		if (*p != ' ')
			continue;
		if (p > line && p[-1] == '.' && p[1] >= 'A' && p[1] <= 'Z') {
			put_line(line, (size_t)(p - line));
			line = p + 1;
			brk = NULL;
			continue;
		}
		if ((size_t)(p - line) > LINE_MAX_BYTES && brk != NULL) {
			put_line(line, (size_t)(brk - line));
			line = brk + 1;
		}
		brk = p;
	}
	if (strlen(line) > LINE_MAX_BYTES && brk != NULL) {
		put_line(line, (size_t)(brk - line));
		line = brk + 1;
	}
	put_line(line, strlen(line));
}

int
main(void)
{
	struct config_doc d;
	char accepts[sizeof(d.range) + 16];
	size_t i;

	puts(".Bl -tag -width Ds");
	for (i = 0; config_doc(i, &d) == 0; i++) {
		printf(".It Ev %s\n", d.name);
		put_text(d.doc);
		puts(".br");
		if (d.def[0] != '\0') {
			puts("Default:");
			printf(".Ql ");
			put_line(d.def, strlen(d.def));
		} else
			puts("Default: none.");
		puts(".br");
		snprintf(accepts, sizeof(accepts), "Accepts %s.", d.range);
		put_text(accepts);
	}
	puts(".El");
	return ferror(stdout) ? 1 : 0;
}
