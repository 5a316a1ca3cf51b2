/*
 * scrape: what Prometheus (GET /api/v1/metrics) and `quillctl stats` read
 * of the counters every process shares (base/metrics.h): the sums of all
 * slots, with the outbox's depth read from the database, as the
 * Prometheus text format or as a table for a person.  Who may read them:
 * an address in QUILL_METRICS_ALLOW, or a caller with QUILL_METRICS_TOKEN.
 */
#ifndef QUILL_SCRAPE_H
#define QUILL_SCRAPE_H

#include <stdint.h>

#include "base/buf.h"
#include "base/metrics.h"
#include "web/http.h"

/* The Content-Type of the Prometheus text format. */
#define SCRAPE_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* What a reading shows: the sums, and the outbox when it could be read. */
struct scrape_view {
	struct metrics_sum sum;
	int		 outbox_known;
	int64_t		 outbox_depth;
	int64_t		 outbox_oldest_age;	/* seconds, 0 when empty */
};

/*
 * 1 when r may read the metrics: its client (after QUILL_TRUSTED_PROXIES)
 * is in QUILL_METRICS_ALLOW, or it sends Authorization: Bearer with
 * QUILL_METRICS_TOKEN (compared in constant time).
 */
int scrape_allowed(const struct req *r);

/*
 * Fills v from the file this process mapped, or from the file at path
 * when path is not NULL, and the outbox from the open database at now.
 * Returns 0, or -1 with a sentence in err.
 */
int scrape_read(struct scrape_view *v, const char *path, int64_t now,
    char *err, size_t errsz);

/* Appends v in the Prometheus text format to out; 0, or -1 out of memory. */
int scrape_prometheus(struct buf *out, const struct scrape_view *v);

/* Appends v as tables for a person to out; 0, or -1 out of memory. */
int scrape_human(struct buf *out, const struct scrape_view *v);

#endif
