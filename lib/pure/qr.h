/*
 * qr: a QR code drawn as SVG on the server (Debian's libqrencode), so that
 * a page shows an otpauth:// URI to a phone's camera without any script.
 * The SVG holds no text of the input, only squares, so it needs no
 * escaping wherever it is put: inline in a page or served as a file.
 */
#ifndef QUILL_QR_H
#define QUILL_QR_H

#include <stddef.h>

#include "base/buf.h"

#define QR_QUIET	4	/* light modules around the code (ISO 18004) */
#define QR_INPUT_MAX	1024	/* the longest input taken, in bytes */

/*
 * Appends to b the QR code of n bytes of text (byte mode, error correction
 * level M, the smallest version that holds it) as one <svg> element: a
 * white square with the quiet zone and one black path, in a viewBox of one
 * unit a module, scale times as many pixels wide.  Sets *width to the
 * modules a side of the code itself.  Returns 0, or -1 when the text is
 * empty or longer than QR_INPUT_MAX, or memory ran out (b->oom then).
 */
int	qr_svg(struct buf *b, const void *text, size_t n, int scale,
	    int *width);

/*
 * Appends to b only the path data ("d") of the same code's dark modules,
 * offset by the quiet zone, for a page's template to place in an <svg>
 * of its own; *side is the modules a side with the quiet zone (the
 * viewBox).  The data is digits and the letters M, h, v and z, so it
 * needs no escaping in an attribute.  Returns 0 or -1, as qr_svg.
 */
int	qr_path(struct buf *b, const void *text, size_t n, int *side);

#endif
