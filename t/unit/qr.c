/*
 * Unit tests for lib/pure/qr.c: the SVG is read back into a matrix of
 * modules, which must be libqrencode's own matrix for the same input,
 * module for module, inside a quiet zone; the sizes of known inputs; and
 * no byte of the input, however hostile, reaches the SVG.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "base/buf.h"
#include "pure/qr.h"
#include "tap.h"

#define SIDE_MAX	(177 + 2 * QR_QUIET)	/* version 40 */

/*
 * Reads the path of svg into m (side x side, 1 for dark); returns the
 * side from the viewBox, or -1 when the SVG is not of the expected form
 * or a square falls outside it.
 */
static int
read_svg(const char *svg, unsigned char *m)
{
	const char *p;
	int side, side2, x, y, run, back, used, i;

	if (sscanf(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\"", &side, &side2) != 2 || side != side2 ||
	    side <= 0 || side > SIDE_MAX)
		return -1;
	memset(m, 0, (size_t)side * (size_t)side);
	if ((p = strstr(svg, " d=\"")) == NULL)
		return -1;
	for (p += 4; *p == 'M'; p += used) {
		if (sscanf(p, "M%d %dh%dv1h-%dz%n", &x, &y, &run, &back,
		    &used) != 4 || run != back || run <= 0 || x < 0 || y < 0 ||
		    x + run > side || y >= side)
			return -1;
		for (i = 0; i < run; i++) {
			if (m[y * side + x + i])
				return -1;	/* drawn twice */
			m[y * side + x + i] = 1;
		}
	}
	if (strcmp(p, "\"/></svg>") != 0)
		return -1;
	return side;
}

/* The SVG of text matches libqrencode's matrix of it; returns the width. */
static int
check(const char *text, const char *what)
{
	static unsigned char m[SIDE_MAX * SIDE_MAX];
	struct buf b = { 0 };
	QRcode *q;
	int width = -1, side, x, y, same = 1, quiet = 1;

	if (!ok(qr_svg(&b, text, strlen(text), 4, &width) == 0,
	    "%s: the SVG is drawn", what)) {
		buf_free(&b);
		return -1;
	}
	q = QRcode_encodeData((int)strlen(text), (const unsigned char *)text,
	    0, QR_ECLEVEL_M);
	ok(q != NULL, "%s: libqrencode encodes it too", what);
	if (q == NULL) {
		buf_free(&b);
		return -1;
	}
	is_int(width, q->width, "%s: as wide as libqrencode's (%d)", what,
	    q->width);
	side = read_svg(b.data, m);
	is_int(side, q->width + 2 * QR_QUIET,
	    "%s: the SVG reads back, with a quiet zone of %d", what, QR_QUIET);
	if (side == q->width + 2 * QR_QUIET) {
		for (y = 0; y < side; y++)
			for (x = 0; x < side; x++) {
				int in = x >= QR_QUIET && y >= QR_QUIET &&
				    x < QR_QUIET + q->width &&
				    y < QR_QUIET + q->width;

				if (!in)
					quiet &= !m[y * side + x];
				else
					same &= m[y * side + x] ==
					    (q->data[(y - QR_QUIET) * q->width +
					    x - QR_QUIET] & 1);
			}
		ok(quiet, "%s: the quiet zone is light", what);
		ok(same, "%s: every module is libqrencode's", what);
	}
	QRcode_free(q);
	buf_free(&b);
	return width;
}

int
main(void)
{
	static const char uri[] = "otpauth://totp/Quill:ann%40example.com"
	    "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Quill"
	    "&algorithm=SHA1&digits=6&period=30";
	static const char evil[] = "</svg><script>alert(1)</script>&\"'";
	char hundred[101], big[QR_INPUT_MAX + 2];
	struct buf b = { 0 }, path = { 0 };
	int width, side;

	is_int(check("HELLO", "\"HELLO\""), 21,
	    "five bytes are a version 1 code, 21 modules");
	memset(hundred, 'a', 100);
	hundred[100] = '\0';
	is_int(check(hundred, "100 bytes"), 41,
	    "100 bytes at level M are version 6, 41 modules");
	ok(check(uri, "an otpauth URI") > 0, "an otpauth URI is drawn");

	ok(qr_svg(&b, evil, strlen(evil), 4, &width) == 0,
	    "markup in the input is drawn");
	ok(strstr(b.data, "script") == NULL && strchr(b.data, '&') == NULL &&
	    strchr(b.data, '\'') == NULL,
	    "and none of it reaches the SVG");
	ok(strstr(b.data, "</svg>") == b.data + b.len - 6,
	    "which has one end, its own");
	buf_reset(&b);
	ok(qr_svg(&b, uri, strlen(uri), 4, &width) == 0 &&
	    qr_path(&path, uri, strlen(uri), &side) == 0 &&
	    buf_append(&b, "", 1) == 0 && buf_append(&path, "", 1) == 0,
	    "an otpauth URI has a path alone too");
	is_int(side, width + 2 * QR_QUIET, "its side holds the quiet zone");
	ok(path.len > 1 && strspn(path.data, "0123456789 Mhvz-") ==
	    path.len - 1 && strstr(b.data, path.data) != NULL,
	    "and it is the SVG's path, digits and M h v z only");
	is_int(qr_path(&path, "", 0, &side), -1, "an empty path is refused");
	buf_free(&path);
	buf_reset(&b);
	is_int(qr_svg(&b, "", 0, 4, &width), -1, "an empty input is refused");
	memset(big, 'x', sizeof(big));
	is_int(qr_svg(&b, big, QR_INPUT_MAX + 1, 4, &width), -1,
	    "so is one over QR_INPUT_MAX");
	ok(qr_svg(&b, big, QR_INPUT_MAX, 4, &width) == 0 && width <= 177,
	    "QR_INPUT_MAX bytes fit a code (%d modules)", width);
	buf_free(&b);
	return done_testing();
}
