#include <stdio.h>
#include <string.h>

#include "base/config.h"
#include "base/secret.h"
#include "store/mail.h"
#include "web/scrape.h"

_Static_assert(M__MAX <= METRICS_METHODS, "every method needs its counters");

/* The method label: M_OTHER has no name of its own. */
static const char *
method_label(unsigned m)
{
	const char *s = http_method_name((enum method)m);

	return *s != '\0' ? s : "other";
}

int
scrape_allowed(const struct req *r)
{
	const char *h = http_authorization(r);
	size_t tlen = strlen(config.metrics_token);

	if (config_metrics_allowed(r->client))
		return 1;
	if (tlen == 0 || h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return 0;
	return secret_equal(h + 7, strlen(h + 7), config.metrics_token, tlen);
}

int
scrape_read(struct scrape_view *v, const char *path, int64_t now,
    char *err, size_t errsz)
{
	int64_t oldest;

	memset(v, 0, sizeof(*v));
	if (path != NULL) {
		if (metrics_sum_file(path, &v->sum, err, errsz) == -1)
			return -1;
	} else if (metrics_sum_mapped(&v->sum) == -1) {
		snprintf(err, errsz, "this process counts nothing: its start "
		    "was logged with the reason (metrics_unavailable)");
		return -1;
	}
	if (mail_pending(&v->outbox_depth, &oldest) == 0) {
		v->outbox_known = 1;
		v->outbox_oldest_age = oldest > 0 && now > oldest ? now - oldest :
		    0;
	}
	return 0;
}

/* Appends a label value, escaped as the text format wants. */
static void
label_value(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\\' || *s == '"')
			buf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			buf_puts(b, "\\n");
		else
			buf_append(b, s, 1);
}

/* Appends the HELP and TYPE lines of a family. */
static void
family(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The counters of metrics_counters, for every program, a family at once. */
static void
prom_counters(struct buf *b, const struct metrics_sum *s)
{
	const struct metrics_counter *c;
	size_t i, j, p;

	for (i = 0; i < MET__MAX; i = j) {
		c = &metrics_counters[i];
		family(b, c->family, "counter", c->help);
		for (j = i; j < MET__MAX &&
		    strcmp(metrics_counters[j].family, c->family) == 0; j++)
			continue;
		for (p = 0; p < s->nprograms; p++) {
			size_t k;

			for (k = i; k < j; k++) {
				buf_printf(b, "%s{program=\"", c->family);
				label_value(b, s->programs[p]);
				if (metrics_counters[k].label != NULL)
					buf_printf(b, "\",%s=\"%s",
					    metrics_counters[k].label,
					    metrics_counters[k].value);
				buf_printf(b, "\"} %llu\n", (unsigned long long)
				    s->counts[p][k]);
			}
		}
	}
}

/* Appends {program="p",route="r" and leaves the brace open. */
static void
route_labels(struct buf *b, const char *name, const struct metrics_sum *s,
    const struct metrics_route_sum *rt)
{
	buf_printf(b, "%s{program=\"", name);
	label_value(b, s->programs[rt->program]);
	buf_puts(b, "\",route=\"");
	label_value(b, rt->pattern);
	buf_puts(b, "\"");
}

/* The requests of each route by method and status class, where any. */
static void
prom_requests(struct buf *b, const struct metrics_sum *s)
{
	const struct metrics_route_sum *rt;
	size_t i, m, c;

	family(b, "quill_http_requests_total", "counter", "Requests answered, "
	    "by program, route pattern, method and status class.");
	for (i = 0; i < s->nroutes; i++) {
		rt = &s->routes[i];
		for (m = 0; m < METRICS_METHODS; m++)
			for (c = 0; c < METRICS_CLASSES; c++) {
				if (rt->requests[m][c] == 0)
					continue;
				route_labels(b, "quill_http_requests_total", s,
				    rt);
				buf_printf(b, ",method=\"%s\",status=\"%zuxx\"}"
				    " %llu\n", method_label((unsigned)m), c + 1,
				    (unsigned long long)rt->requests[m][c]);
			}
	}
}

/* How many requests a route answered: its histogram's count. */
static uint64_t
route_count(const struct metrics_route_sum *rt)
{
	uint64_t n = 0;
	size_t k;

	for (k = 0; k <= METRICS_BUCKETS; k++)
		n += rt->buckets[k];
	return n;
}

/* The latency histogram of each route that answered any request. */
static void
prom_latency(struct buf *b, const struct metrics_sum *s)
{
	static const char name[] = "quill_http_request_duration_seconds";
	const struct metrics_route_sum *rt;
	unsigned long long n;
	size_t i, k;

	family(b, name, "histogram", "Time from a request's arrival at the "
	    "program to its answer, by program and route pattern.");
	for (i = 0; i < s->nroutes; i++) {
		rt = &s->routes[i];
		if (route_count(rt) == 0)
			continue;
		for (n = 0, k = 0; k <= METRICS_BUCKETS; k++) {
			n += rt->buckets[k];
			route_labels(b, "quill_http_request_duration_seconds_bucket",
			    s, rt);
			buf_printf(b, ",le=\"%s\"} %llu\n", k < METRICS_BUCKETS ?
			    metrics_bucket_le[k] : "+Inf", n);
		}
		route_labels(b, "quill_http_request_duration_seconds_sum", s, rt);
		buf_printf(b, "} %llu.%06llu\n", (unsigned long long)(rt->sum_us /
		    1000000), (unsigned long long)(rt->sum_us % 1000000));
		route_labels(b, "quill_http_request_duration_seconds_count", s,
		    rt);
		buf_printf(b, "} %llu\n", n);
	}
}

int
scrape_prometheus(struct buf *out, const struct scrape_view *v)
{
	prom_requests(out, &v->sum);
	prom_latency(out, &v->sum);
	prom_counters(out, &v->sum);
	family(out, "quill_processes_counting", "gauge", "Processes that "
	    "hold a slot of the metrics file now (those killed outright "
	    "until another claims theirs).");
	buf_printf(out, "quill_processes_counting %zu\n", v->sum.slots_claimed);
	if (v->outbox_known) {
		family(out, "quill_mail_outbox_depth", "gauge", "Mails queued "
		    "and not yet delivered.");
		buf_printf(out, "quill_mail_outbox_depth %lld\n",
		    (long long)v->outbox_depth);
		family(out, "quill_mail_outbox_oldest_age_seconds", "gauge",
		    "How long the oldest undelivered mail has waited.");
		buf_printf(out, "quill_mail_outbox_oldest_age_seconds %lld\n",
		    (long long)v->outbox_oldest_age);
	}
	return out->oom ? -1 : 0;
}

/*
 * The bound in milliseconds below which fraction q of a route's requests
 * were answered, as text: "<= 25", or "> 10000" past the last bound.
 */
static void
quantile_text(const struct metrics_route_sum *rt, uint64_t n, double q,
    char *dst, size_t dstsz)
{
	uint64_t seen = 0;
	size_t k;

	for (k = 0; k < METRICS_BUCKETS; k++) {
		seen += rt->buckets[k];
		if ((double)seen >= q * (double)n) {
			snprintf(dst, dstsz, "<=%g", (double)metrics_bucket_us[k] /
			    1000.0);
			return;
		}
	}
	snprintf(dst, dstsz, ">%g", (double)metrics_bucket_us[METRICS_BUCKETS -
	    1] / 1000.0);
}

/* Requests by route, method and status class, then latency by route. */
static void
human_requests(struct buf *b, const struct metrics_sum *s)
{
	const struct metrics_route_sum *rt;
	char p50[16], p99[16];
	uint64_t n;
	size_t i, m, c;

	buf_printf(b, "requests\n%-8s %-8s %-36s %8s %8s %8s %8s %8s\n",
	    "program", "method", "route", "1xx", "2xx", "3xx", "4xx", "5xx");
	for (i = 0; i < s->nroutes; i++) {
		rt = &s->routes[i];
		for (m = 0; m < METRICS_METHODS; m++) {
			for (n = 0, c = 0; c < METRICS_CLASSES; c++)
				n += rt->requests[m][c];
			if (n == 0)
				continue;
			buf_printf(b, "%-8s %-8s %-36s", s->programs[rt->program],
			    method_label((unsigned)m), rt->pattern);
			for (c = 0; c < METRICS_CLASSES; c++)
				buf_printf(b, " %8llu", (unsigned long long)
				    rt->requests[m][c]);
			buf_puts(b, "\n");
		}
	}
	buf_printf(b, "\nlatency (ms)\n%-8s %-36s %8s %10s %8s %8s\n",
	    "program", "route", "count", "mean", "p50", "p99");
	for (i = 0; i < s->nroutes; i++) {
		rt = &s->routes[i];
		if ((n = route_count(rt)) == 0)
			continue;
		quantile_text(rt, n, 0.5, p50, sizeof(p50));
		quantile_text(rt, n, 0.99, p99, sizeof(p99));
		buf_printf(b, "%-8s %-36s %8llu %10.3f %8s %8s\n",
		    s->programs[rt->program], rt->pattern, (unsigned long long)n,
		    (double)rt->sum_us / 1000.0 / (double)n, p50, p99);
	}
}

int
scrape_human(struct buf *out, const struct scrape_view *v)
{
	const struct metrics_sum *s = &v->sum;
	const struct metrics_counter *c;
	size_t p, k;

	human_requests(out, s);
	buf_printf(out, "\ncounters (those above 0)\n%-8s %-36s %-16s %10s\n",
	    "program", "counter", "label", "count");
	for (p = 0; p < s->nprograms; p++)
		for (k = 0; k < MET__MAX; k++) {
			c = &metrics_counters[k];
			if (s->counts[p][k] == 0)
				continue;
			buf_printf(out, "%-8s %-36s %-16s %10llu\n",
			    s->programs[p], c->family, c->value != NULL ?
			    c->value : "-", (unsigned long long)s->counts[p][k]);
		}
	buf_printf(out, "\nprocesses counting now: %zu (of %zu slots)\n",
	    s->slots_claimed, s->slots);
	if (v->outbox_known)
		buf_printf(out, "outbox: %lld mail(s) waiting, the oldest for "
		    "%lld s\n", (long long)v->outbox_depth,
		    (long long)v->outbox_oldest_age);
	return out->oom ? -1 : 0;
}
