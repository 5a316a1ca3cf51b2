/*
 * metrics-cost: what counting one request costs (base/metrics.h), for the
 * benchmark: maps a metrics file in the directory given, counts
 * BENCH_METRICS_CALLS requests (default 10,000,000) the way app.c does,
 * and prints the nanoseconds each took.  `make bench` sets it beside the
 * CPU time a GET costs the programs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/metrics.h"

int
main(int argc, char **argv)
{
	static const char *const patterns[] = { "/api/v1/posts/{id}",
	    "/api/v1/posts" };
	const char *calls_s = getenv("BENCH_METRICS_CALLS");
	long calls = calls_s != NULL ? atol(calls_s) : 10000000L, i;
	struct timespec t0, t1;
	char path[1024], err[1400];
	double ns;

	if (argc != 2 || calls < 1) {
		fprintf(stderr, "usage: metrics-cost DIRECTORY\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/bench.metrics", argv[1]);
	if (metrics_open(path, "bench", patterns, 2, err, sizeof(err)) == -1) {
		fprintf(stderr, "metrics-cost: %s\n", err);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* The times spread over the buckets; app.c has read the clock. */
	for (i = 0; i < calls; i++)
		metrics_request((size_t)(i & 1), 0, 200,
		    (uint64_t)(i * 7919 % 20000));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
	    (double)(t1.tv_nsec - t0.tv_nsec)) / (double)calls;
	metrics_close();
	printf("%.1f\n", ns);
	return 0;
}
