#include <stdio.h>
#include <string.h>

#include "base/time.h"

/*
 * The civil date and time of Unix time t (proleptic Gregorian, UTC) in
 * v[]: year, month, day, hour, minute, second; and the weekday in *wday
 * (0 is Sunday).  Returns -1 when the year is outside 0000-9999.
 */
static int
civil(int64_t t, int v[6], int *wday)
{
	int64_t days, secs, era, doe, yoe, y, doy, mp, d, m;

	days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	secs = t - days * 86400;
	*wday = (int)(((days % 7) + 11) % 7);	/* 1970-01-01 was a Thursday */
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y = yoe + era * 400 + (m <= 2);
	if (y < 0 || y > 9999)
		return -1;
	v[0] = (int)y;
	v[1] = (int)m;
	v[2] = (int)d;
	v[3] = (int)(secs / 3600);
	v[4] = (int)(secs / 60 % 60);
	v[5] = (int)(secs % 60);
	return 0;
}

void
time_rfc3339(int64_t t, char *out, size_t outsz)
{
	char tmp[TIME_RFC3339_SIZE] = { 0 };
	int i, wday, v[6], w[6] = { 4, 2, 2, 2, 2, 2 };
	static const char sep[] = "--T::Z";
	char *p = tmp;

	if (civil(t, v, &wday) == -1 || outsz < sizeof(tmp)) {
		snprintf(out, outsz, "1970-01-01T00:00:00Z");
		return;
	}
	for (i = 0; i < 6; i++) {
		p += w[i];
		for (int k = 1; k <= w[i]; k++) {
			p[-k] = (char)('0' + v[i] % 10);
			v[i] /= 10;
		}
		*p++ = sep[i];
	}
	*p = '\0';
	memcpy(out, tmp, sizeof(tmp));
}

int
time_rfc5322(int64_t t, char *out, size_t outsz)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int v[6], wday, n;

	if (civil(t, v, &wday) == -1)
		return -1;
	n = snprintf(out, outsz, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    days[wday], v[2], months[v[1] - 1], v[0], v[3], v[4], v[5]);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

/* Reads exactly n decimal digits at *p into *v and advances *p. */
static int
digits(const char **p, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		*v = *v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return 0;
}

/* Reads one of chars at *p and advances *p. */
static int
expect(const char **p, const char *chars)
{
	if (**p == '\0' || strchr(chars, **p) == NULL)
		return -1;
	(*p)++;
	return 0;
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar. */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
time_parse_rfc3339(const char *s, int64_t *t, int *fraction)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	const char *p = s;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0, leap;

	*fraction = 0;
	if (digits(&p, 4, &y) || expect(&p, "-") || digits(&p, 2, &mo) ||
	    expect(&p, "-") || digits(&p, 2, &d) || expect(&p, "Tt") ||
	    digits(&p, 2, &h) || expect(&p, ":") || digits(&p, 2, &mi) ||
	    expect(&p, ":") || digits(&p, 2, &sec))
		return -1;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (*p == '.') {
		if (*++p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9'; p++)
			if (*p != '0')
				*fraction = 1;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (digits(&p, 2, &oh) || expect(&p, ":") || digits(&p, 2, &om) ||
		    oh > 23 || om > 59)
			return -1;
	} else
		return -1;
	if (*p != '\0')
		return -1;
	*t = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 +
	    (int64_t)mi * 60 + sec - (int64_t)sign * (oh * 3600 + om * 60);
	return 0;
}
