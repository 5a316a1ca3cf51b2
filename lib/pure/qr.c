/*
 * qr: libqrencode makes the matrix (one byte a module, bit 0 dark); each
 * row's runs of dark modules become one "M x y h n v1 h-n z" of the path,
 * so the SVG stays a few kilobytes for the codes of otpauth URIs.
 */
#include <qrencode.h>

#include "pure/qr.h"

/* Appends the path of q's dark modules, offset by the quiet zone, to b. */
static int
qr_modules(struct buf *b, const QRcode *q)
{
	int x, y, run;

	for (y = 0; y < q->width; y++) {
		for (x = 0; x < q->width; x += run) {
			for (run = 0; x + run < q->width &&
			    (q->data[(size_t)y * (size_t)q->width +
			    (size_t)(x + run)] & 1); run++)
				continue;
			if (run == 0) {
				run = 1;
				continue;
			}
			if (buf_printf(b, "M%d %dh%dv1h-%dz", x + QR_QUIET,
			    y + QR_QUIET, run, run) == -1)
				return -1;
		}
	}
	return 0;
}

/* The QR code of n bytes of text, or NULL; see qr_svg for the limits. */
static QRcode *
qr_encode(const void *text, size_t n)
{
	if (n == 0 || n > QR_INPUT_MAX)
		return NULL;
	return QRcode_encodeData((int)n, text, 0, QR_ECLEVEL_M);
}

int
qr_path(struct buf *b, const void *text, size_t n, int *side)
{
	QRcode *q;
	int rc;

	if ((q = qr_encode(text, n)) == NULL)
		return -1;
	*side = q->width + 2 * QR_QUIET;
	rc = qr_modules(b, q);
	QRcode_free(q);
	return rc;
}

int
qr_svg(struct buf *b, const void *text, size_t n, int scale, int *width)
{
	QRcode *q;
	int side, rc = 0;

	if ((q = qr_encode(text, n)) == NULL)
		return -1;
	side = q->width + 2 * QR_QUIET;
	if (buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
	    "aria-label=\"QR code\" shape-rendering=\"crispEdges\">"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
	    "<path fill=\"#000\" d=\"", side, side, side * scale,
	    side * scale, side, side) == -1 || qr_modules(b, q) == -1 ||
	    buf_puts(b, "\"/></svg>") == -1)
		rc = -1;
	*width = q->width;
	QRcode_free(q);
	return rc;
}
