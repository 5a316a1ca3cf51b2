#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

static int
buf_grow(struct buf *b, size_t need)
{
	size_t cap;
	char *p;

	if (b->oom)
		return -1;
	if (need <= b->cap - b->len)
		return 0;
	if (need > SIZE_MAX / 2 - b->len) {
		b->oom = 1;
		return -1;
	}
	cap = b->cap ? b->cap : 4096;
	while (cap - b->len < need)
		cap *= 2;
	if ((p = realloc(b->data, cap)) == NULL) {
		b->oom = 1;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	if ((b->oom || n >= b->cap - b->len) && buf_grow(b, n + 1) == -1)
		return -1;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_grow(b, (size_t)n + 1) == -1)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

/* Bytes that JSON strings carry escaped: controls, quote, backslash, and
 * <>& so that JSON is safe to embed in HTML. */
static const unsigned char json_special[256] = {
	[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1,
	[0x06] = 1, [0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1,
	[0x0c] = 1, [0x0d] = 1, [0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1,
	[0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1,
	[0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1, [0x1c] = 1, [0x1d] = 1,
	[0x1e] = 1, [0x1f] = 1, ['"'] = 1, ['\\'] = 1, ['<'] = 1, ['>'] = 1,
	['&'] = 1,
};

size_t
buf_digits(char *dst, long long v, int base, int width)
{
	static const char digit[] = "0123456789abcdef";
	char tmp[BUF_DIGITS_MAX], *p = tmp + sizeof(tmp);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v;
	size_t n;

	if (width > BUF_DIGITS_MAX - 2)
		width = BUF_DIGITS_MAX - 2;
	do {
		*--p = digit[u % (unsigned)base];
		u /= (unsigned)base;
	} while (u != 0 || tmp + sizeof(tmp) - p < width);
	if (v < 0)
		*--p = '-';
	n = (size_t)(tmp + sizeof(tmp) - p);
	memcpy(dst, p, n);
	dst[n] = '\0';
	return n;
}

int
buf_int(struct buf *b, long long v, int width)
{
	char tmp[BUF_DIGITS_MAX];

	return buf_append(b, tmp, buf_digits(tmp, v, 10, width));
}

#ifdef __SSE2__
#include <emmintrin.h>

/* Bytes that need no escaping at the start of the n at p (16 at a time). */
static size_t
json_plain_run(const unsigned char *p, size_t n)
{
	const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
	const __m128i lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>');
	const __m128i amp = _mm_set1_epi8('&'), sp = _mm_set1_epi8(0x20);
	const __m128i sign = _mm_set1_epi8((char)0x80);
	__m128i v, hit;
	size_t i = 0;

	for (; i + 16 <= n; i += 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		/* Unsigned v < 0x20, by comparing with the sign bits flipped. */
		hit = _mm_cmplt_epi8(_mm_xor_si128(v, sign),
		    _mm_xor_si128(sp, sign));
		hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, q));
		hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, bs));
		hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, lt));
		hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, gt));
		hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, amp));
		if (_mm_movemask_epi8(hit) != 0)
			break;
	}
	return i;
}
#else
/* Eight bytes at once: 1 when any of them needs escaping in JSON. */
static inline int
json_special8(const unsigned char *p)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = ones * 0x80;
	uint64_t v, q, bs, lt, gt, amp, low;

	memcpy(&v, p, 8);
	q = v ^ (ones * '"');
	bs = v ^ (ones * '\\');
	lt = v ^ (ones * '<');
	gt = v ^ (ones * '>');
	amp = v ^ (ones * '&');
	/* A byte below 0x20 (a control), or one equal to a special. */
	low = (v - ones * 0x20) & ~v;
	q = (q - ones) & ~q;
	bs = (bs - ones) & ~bs;
	lt = (lt - ones) & ~lt;
	gt = (gt - ones) & ~gt;
	amp = (amp - ones) & ~amp;
	return ((low | q | bs | lt | gt | amp) & highs) != 0;
}

/* Bytes that need no escaping at the start of the n at p (8 at a time). */
static size_t
json_plain_run(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i + 8 <= n && !json_special8(p + i))
		i += 8;
	return i;
}
#endif

int
buf_json_escape(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i, start = 0;
	unsigned char c;
	char esc[6];

	for (i = 0; i < n; i++) {
		i += json_plain_run(u + i, n - i);
		if (i >= n)
			break;
		if (!json_special[u[i]])
			continue;
		c = u[i];
		if (buf_append(b, s + start, i - start) == -1)
			return -1;
		start = i + 1;
		switch (c) {
		case '"':  if (buf_append(b, "\\\"", 2)) return -1; break;
		case '\\': if (buf_append(b, "\\\\", 2)) return -1; break;
		case '\n': if (buf_append(b, "\\n", 2)) return -1; break;
		case '\r': if (buf_append(b, "\\r", 2)) return -1; break;
		case '\t': if (buf_append(b, "\\t", 2)) return -1; break;
		default:
			/* Control characters and <>& as \u00XX. */
			esc[0] = '\\';
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			if (buf_append(b, esc, 6) == -1)
				return -1;
		}
	}
	return buf_append(b, s + start, n - start);
}

int
buf_html_escape(struct buf *b, const char *s, size_t n)
{
	size_t i, start = 0;
	const char *rep;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':  rep = "&amp;"; break;
		case '<':  rep = "&lt;"; break;
		case '>':  rep = "&gt;"; break;
		case '"':  rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:   continue;
		}
		if (buf_append(b, s + start, i - start) == -1 ||
		    buf_puts(b, rep) == -1)
			return -1;
		start = i + 1;
	}
	return buf_append(b, s + start, n - start);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->oom = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}
