/*
 * metrics: counters that every process of a site shares, in one file
 * (QUILL_METRICS_FILE) that each process maps at start-up.  The file
 * holds a slot per process: a process claims a free one (or one whose
 * owner is gone) and adds to it alone, with atomic additions and no lock,
 * so a request costs a few uncontended instructions.  A slot keeps its
 * counts when its process exits, is recycled or dies, and the next
 * process to claim it adds on, so the sums over all slots only grow.
 * Readers (GET /api/v1/metrics, `quillctl stats`) add up every slot; no
 * count ever goes through the database.
 *
 * The file also names what it counts: the programs, and each program's
 * route patterns.  Names are added under the file's lock at start-up and
 * never removed; a layout this build does not know is replaced by a
 * fresh file (a process still mapping the old one counts into it until
 * it is recycled).
 */
#ifndef QUILL_METRICS_H
#define QUILL_METRICS_H

#include <stddef.h>
#include <stdint.h>

#define METRICS_PROGRAMS	8	/* distinct program names */
#define METRICS_NAME_MAX	24	/* a program's name, NUL included */
#define METRICS_ROUTES		160	/* distinct (program, pattern) pairs */
#define METRICS_PATTERN_MAX	96	/* a route pattern, NUL included */
#define METRICS_METHODS		8	/* web/http.h's M__MAX */
#define METRICS_CLASSES		5	/* status classes 1xx to 5xx */
#define METRICS_BUCKETS		13	/* latency bounds, +Inf besides */

/* The route label of requests that no route of the program matched. */
#define METRICS_UNMATCHED	"unmatched"

/*
 * What is counted per program besides requests.  One row each in
 * metrics_counters, in this order; a family (name) may span several rows
 * that differ by one label.
 */
enum metric {
	MET_RATE_LIMITED_LOGIN,
	MET_RATE_LIMITED_REGISTER,
	MET_RATE_LIMITED_FORGOT,
	MET_RATE_LIMITED_FORGOT_ACCOUNT,
	MET_RATE_LIMITED_REFRESH,
	MET_RATE_LIMITED_WRITE,
	MET_RATE_LIMITED_LOGIN_ACCOUNT,
	MET_RATE_LIMITED_VERIFY,
	MET_RATE_LIMITED_VERIFY_ACCOUNT,
	MET_LOGIN_UNKNOWN_ACCOUNT,
	MET_LOGIN_WRONG_PASSWORD,
	MET_LOGIN_DISABLED,
	MET_LOGIN_REAUTH,
	MET_ARGON2_WAITS,
	MET_ARGON2_REFUSED,
	MET_DB_BUSY_WAITS,
	MET_DB_RETRIES,
	MET_DB_UNAVAILABLE,
	MET_PROCESS_STARTS,
	MET_PROCESS_RECYCLES,
	MET_PROCESS_DEATHS,
	MET_MAIL_SENT,
	MET_MAIL_FAILED,
	MET__MAX
};

/* A row of metrics_counters: the family, its help, one label or none. */
struct metrics_counter {
	const char	*family;	/* "quill_login_failures_total" */
	const char	*help;
	const char	*label;		/* "reason", or NULL */
	const char	*value;		/* "wrong_password" */
};

extern const struct metrics_counter metrics_counters[MET__MAX];

/* The upper bounds of the latency buckets, in microseconds and as text. */
extern const uint64_t metrics_bucket_us[METRICS_BUCKETS];
extern const char *const metrics_bucket_le[METRICS_BUCKETS];

/*
 * Maps the file at path (created when missing, mode 0600), names program
 * in it with the npatterns route patterns (duplicates allowed; index i of
 * patterns is the route of metrics_request), and claims a slot.  Call
 * before the process confines itself.  Returns 0, or -1 with a sentence
 * in err: the process then counts nothing (every call below is a no-op).
 */
int metrics_open(const char *path, const char *program,
    const char *const *patterns, size_t npatterns, char *err, size_t errsz);

/* Gives the slot back (its counts stay) and unmaps the file. */
void metrics_close(void);

/* 1 when this process counts into a file. */
int metrics_on(void);

/* Adds n to counter m of this process's program. */
void metrics_add(enum metric m, uint64_t n);

/* Adds one to counter m. */
void metrics_count(enum metric m);

/*
 * Counts one request answered: route is an index of the patterns given to
 * metrics_open, method below METRICS_METHODS, status the HTTP status, us
 * the time it took in microseconds.
 */
void metrics_request(size_t route, unsigned method, int status, uint64_t us);

/*
 * Adds n to counter m of program in the file at path, which must exist
 * already (a program made it, as its user); for a process that counts
 * only once, as a supervisor counting the death of its worker or
 * `quillctl mail` its deliveries.  Returns 0, or -1.
 */
int metrics_add_once(const char *path, const char *program, enum metric m,
    uint64_t n);

/* One route's sums. */
struct metrics_route_sum {
	unsigned	 program;	/* index into metrics_sum.programs */
	char		 pattern[METRICS_PATTERN_MAX];
	uint64_t	 requests[METRICS_METHODS][METRICS_CLASSES];
	uint64_t	 buckets[METRICS_BUCKETS + 1];	/* not cumulative */
	uint64_t	 sum_us;
};

/* Every slot added up. */
struct metrics_sum {
	size_t		 nprograms;
	char		 programs[METRICS_PROGRAMS][METRICS_NAME_MAX];
	uint64_t	 counts[METRICS_PROGRAMS][MET__MAX];
	size_t		 nroutes;
	struct metrics_route_sum routes[METRICS_ROUTES];
	size_t		 slots, slots_claimed;
};

/*
 * Adds up every slot of the file this process mapped into *s.  Returns
 * 0, or -1 when this process has no file.
 */
int metrics_sum_mapped(struct metrics_sum *s);

/*
 * The same for the file at path, opened read-only and never created
 * (`quillctl stats`).  Returns 0, or -1 with a sentence in err.
 */
int metrics_sum_file(const char *path, struct metrics_sum *s, char *err,
    size_t errsz);

#endif
