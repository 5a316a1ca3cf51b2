#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/metrics.h"

/*
 * The counters are shared between processes through a mapping, so their
 * atomic operations must be lock-free (a lock would live in one process).
 */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free");
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "int atomics must be lock-free");

#define METRICS_MAGIC	0x3154454d4c495551ULL	/* "QUILMET1" */
#define METRICS_VERSION	1
#define METRICS_SLOTS	64

const struct metrics_counter metrics_counters[MET__MAX] = {
#define RL "quill_rate_limited_total", "Requests refused by a rate limit, " \
	"by bucket (login_account: an account's back-off after failed " \
	"logins; forgot_account and verify_account are never shown to the " \
	"client)."
	[MET_RATE_LIMITED_LOGIN] = { RL, "bucket", "login" },
	[MET_RATE_LIMITED_REGISTER] = { RL, "bucket", "register" },
	[MET_RATE_LIMITED_FORGOT] = { RL, "bucket", "forgot" },
	[MET_RATE_LIMITED_FORGOT_ACCOUNT] = { RL, "bucket", "forgot_account" },
	[MET_RATE_LIMITED_REFRESH] = { RL, "bucket", "refresh" },
	[MET_RATE_LIMITED_WRITE] = { RL, "bucket", "write" },
	[MET_RATE_LIMITED_LOGIN_ACCOUNT] = { RL, "bucket", "login_account" },
	[MET_RATE_LIMITED_VERIFY] = { RL, "bucket", "verify" },
	[MET_RATE_LIMITED_VERIFY_ACCOUNT] = { RL, "bucket", "verify_account" },
#undef RL
#define LF "quill_login_failures_total", "Failed logins and password " \
	"confirmations, by reason (the client is told the same for each)."
	[MET_LOGIN_UNKNOWN_ACCOUNT] = { LF, "reason", "unknown_account" },
	[MET_LOGIN_WRONG_PASSWORD] = { LF, "reason", "wrong_password" },
	[MET_LOGIN_DISABLED] = { LF, "reason", "disabled" },
	[MET_LOGIN_REAUTH] = { LF, "reason", "reauth" },
#undef LF
	[MET_ARGON2_WAITS] = { "quill_argon2_waits_total", "Password "
	    "checks that found every Argon2 slot taken "
	    "(QUILL_ARGON2_CONCURRENCY) and waited, refused ones included.",
	    NULL, NULL },
	[MET_ARGON2_REFUSED] = { "quill_argon2_refused_total", "Password "
	    "checks refused (503) because no Argon2 slot came free within "
	    "QUILL_ARGON2_WAIT_MS.", NULL, NULL },
	[MET_DB_BUSY_WAITS] = { "quill_db_busy_waits_total", "Waits for a "
	    "database lock another process held.", NULL, NULL },
	[MET_DB_RETRIES] = { "quill_db_retries_total", "Write transactions "
	    "begun again after the database stayed busy.", NULL, NULL },
	[MET_DB_UNAVAILABLE] = { "quill_db_unavailable_total", "Database "
	    "operations that failed as unavailable (503): busy or locked past "
	    "QUILL_BUSY_TIMEOUT_MS, out of time, read-only, full or failing.",
	    NULL, NULL },
	[MET_PROCESS_STARTS] = { "quill_process_starts_total", "Processes "
	    "that started serving (a plain-CGI request is one).", NULL, NULL },
	[MET_PROCESS_RECYCLES] = { "quill_process_recycles_total", "Workers "
	    "replaced after QUILL_MAX_REQUESTS requests.", NULL, NULL },
	[MET_PROCESS_DEATHS] = { "quill_process_deaths_total", "Workers that "
	    "ended unasked: killed by a signal or failed.", NULL, NULL },
	[MET_MAIL_SENT] = { "quill_mail_sent_total", "Mails delivered by "
	    "quillctl mail.", NULL, NULL },
	[MET_MAIL_FAILED] = { "quill_mail_failed_total", "Mail deliveries "
	    "that failed (the mail stays queued).", NULL, NULL },
};

/* 1 ms to 10 s: a cached GET to a request that gave up waiting. */
const uint64_t metrics_bucket_us[METRICS_BUCKETS] = { 1000, 2500, 5000,
    10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000,
    10000000 };
const char *const metrics_bucket_le[METRICS_BUCKETS] = { "0.001", "0.0025",
    "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5",
    "10" };

/* What the file names: written under its lock, published by the counts. */
struct mhead {
	uint64_t	 magic;
	uint32_t	 version, slots, programs, routes, methods, classes,
			 buckets, counters;
	uint64_t	 size;
	_Atomic uint32_t nprograms, nroutes;
	char		 program[METRICS_PROGRAMS][METRICS_NAME_MAX];
	struct {
		uint32_t program;
		char	 pattern[METRICS_PATTERN_MAX];
	} route[METRICS_ROUTES];
};

struct mroute {
	_Atomic uint64_t requests[METRICS_METHODS][METRICS_CLASSES];
	_Atomic uint64_t buckets[METRICS_BUCKETS + 1];
	_Atomic uint64_t sum_us;
};

/* A slot, on cache lines of its own: the owner's line is the claimers'. */
struct mslot {
	_Alignas(64) _Atomic int owner;	/* process id, 0: free */
	_Atomic int	 used;		/* ever counted into: readers add it */
	_Alignas(64) _Atomic uint64_t counts[METRICS_PROGRAMS][MET__MAX];
	struct mroute	 route[METRICS_ROUTES];
};

struct mfile {
	struct mhead	 head;
	struct mslot	 slot[METRICS_SLOTS];
};

/* This process: its mapping, its slot, its program and routes. */
static struct {
	struct mfile	*file;
	struct mslot	*slot;
	int		 owned;		/* the slot is ours alone */
	unsigned	 program;
	uint32_t	*route;		/* index of metrics_open -> file's */
	size_t		 nroute;
} self;

/* The header a file of this build has. */
static void
head_init(struct mhead *h)
{
	h->version = METRICS_VERSION;
	h->slots = METRICS_SLOTS;
	h->programs = METRICS_PROGRAMS;
	h->routes = METRICS_ROUTES;
	h->methods = METRICS_METHODS;
	h->classes = METRICS_CLASSES;
	h->buckets = METRICS_BUCKETS;
	h->counters = MET__MAX;
	h->size = sizeof(struct mfile);
	atomic_store(&h->nprograms, 0);
	atomic_store(&h->nroutes, 0);
	h->magic = METRICS_MAGIC;
}

/* 1 when h is the header of a file of this build's layout. */
static int
head_ok(const struct mhead *h)
{
	struct mhead want;

	memset(&want, 0, sizeof(want));
	head_init(&want);
	return h->magic == want.magic && h->version == want.version &&
	    h->slots == want.slots && h->programs == want.programs &&
	    h->routes == want.routes && h->methods == want.methods &&
	    h->classes == want.classes && h->buckets == want.buckets &&
	    h->counters == want.counters && h->size == want.size &&
	    atomic_load(&h->nprograms) <= METRICS_PROGRAMS &&
	    atomic_load(&h->nroutes) <= METRICS_ROUTES;
}

static struct mfile *
file_map(int fd, int prot)
{
	void *p = mmap(NULL, sizeof(struct mfile), prot, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Sizes the new file fd and writes its header.  The blocks are allocated
 * now: a sparse file on a full disk would end a process with SIGBUS the
 * first time it touched a new page.  Returns 0, or -1 with errno set.
 */
static int
file_init(int fd)
{
	struct mfile *f;
	int rc;

	if ((rc = posix_fallocate(fd, 0, (off_t)sizeof(struct mfile))) != 0) {
		errno = rc;
		return -1;
	}
	if ((f = file_map(fd, PROT_READ | PROT_WRITE)) == NULL)
		return -1;
	head_init(&f->head);
	munmap(f, sizeof(*f));
	return 0;
}

/*
 * Puts a fresh file in the place of path, whose layout is another build's
 * (a process that maps the old one goes on with it).  Returns 0, or -1.
 */
static int
file_replace(const char *path)
{
	char tmp[1100];
	int fd, rc;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%ld.new", path,
	    (long)getpid()) >= sizeof(tmp))
		return -1;
	(void)unlink(tmp);
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1)
		return -1;
	rc = file_init(fd);
	close(fd);
	if (rc == 0 && rename(tmp, path) == 0)
		return 0;
	(void)unlink(tmp);
	return -1;
}

/* The index of name in the list of n, added when missing; -1 when full. */
static int
program_index(struct mhead *h, const char *name)
{
	uint32_t i, n = atomic_load(&h->nprograms);

	for (i = 0; i < n; i++)
		if (strncmp(h->program[i], name, METRICS_NAME_MAX) == 0)
			return (int)i;
	if (n == METRICS_PROGRAMS)
		return -1;
	snprintf(h->program[n], METRICS_NAME_MAX, "%s", name);
	atomic_store_explicit(&h->nprograms, n + 1, memory_order_release);
	return (int)n;
}

/* The same for a route pattern of program. */
static int
route_index(struct mhead *h, unsigned program, const char *pattern)
{
	uint32_t i, n = atomic_load(&h->nroutes);

	for (i = 0; i < n; i++)
		if (h->route[i].program == program &&
		    strncmp(h->route[i].pattern, pattern,
		    METRICS_PATTERN_MAX) == 0)
			return (int)i;
	if (n == METRICS_ROUTES)
		return -1;
	h->route[n].program = program;
	snprintf(h->route[n].pattern, METRICS_PATTERN_MAX, "%s", pattern);
	atomic_store_explicit(&h->nroutes, n + 1, memory_order_release);
	return (int)n;
}

/* 1 unless no process has the id pid (any more). */
static int
pid_alive(int pid)
{
	return kill((pid_t)pid, 0) == 0 || errno != ESRCH;
}

/*
 * Claims a slot for this process: a free one, else one whose owner is
 * gone, starting from one that depends on the process id.  When every
 * slot is taken, the process adds to one it shares: the additions are
 * atomic, so the sums stay right, only slower under contention.
 */
static void
slot_claim(struct mfile *f)
{
	int pid = (int)getpid(), cur, pass;
	size_t i, first = (size_t)pid % METRICS_SLOTS;
	struct mslot *s;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < METRICS_SLOTS; i++) {
			s = &f->slot[(first + i) % METRICS_SLOTS];
			cur = atomic_load(&s->owner);
			if (cur != 0 && (pass == 0 || pid_alive(cur)))
				continue;
			if (atomic_compare_exchange_strong(&s->owner, &cur,
			    pid)) {
				atomic_store(&s->used, 1);
				self.slot = s;
				self.owned = 1;
				return;
			}
		}
	self.slot = &f->slot[first];
	self.owned = 0;
	atomic_store(&self.slot->used, 1);
}

/*
 * Opens and maps the file at path for writing, creating or replacing it
 * as needed, and returns its descriptor with the file's lock held, or -1
 * with what failed in *what.
 */
static int
file_open_locked(const char *path, struct mfile **out, const char **what)
{
	struct stat st;
	int fd, tries;

	for (tries = 0; tries < 4; tries++) {
		*what = "cannot open";
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd == -1)
			return -1;
		*what = "cannot lock";
		if (flock(fd, LOCK_EX) == -1 || fstat(fd, &st) == -1)
			goto fail;
		/* Replaced while this process waited for the lock. */
		if (st.st_nlink == 0) {
			close(fd);
			continue;
		}
		*what = "cannot size";
		if (st.st_size == 0) {
			if (file_init(fd) == -1)
				goto fail;
			st.st_size = (off_t)sizeof(struct mfile);
		}
		if (st.st_size == (off_t)sizeof(struct mfile)) {
			*what = "cannot map";
			if ((*out = file_map(fd, PROT_READ | PROT_WRITE)) == NULL)
				goto fail;
			if (head_ok(&(*out)->head))
				return fd;
			munmap(*out, sizeof(struct mfile));
		}
		*what = "cannot replace (another layout)";
		if (file_replace(path) == -1)
			goto fail;
		close(fd);
	}
	errno = EAGAIN;
	*what = "cannot settle";
	return -1;
fail:
	close(fd);
	return -1;
}

int
metrics_open(const char *path, const char *program,
    const char *const *patterns, size_t npatterns, char *err, size_t errsz)
{
	struct mfile *f = NULL;
	const char *what;
	size_t i;
	int fd, p, ri;

	metrics_close();
	if ((self.route = calloc(npatterns + 1, sizeof(*self.route))) == NULL) {
		snprintf(err, errsz, "QUILL_METRICS_FILE: out of memory");
		return -1;
	}
	if ((fd = file_open_locked(path, &f, &what)) == -1) {
		snprintf(err, errsz, "QUILL_METRICS_FILE: %s %s: %s (the "
		    "programs and quillctl must be able to write it; see "
		    "docs/monitoring.md)", what, path, strerror(errno));
		free(self.route);
		self.route = NULL;
		return -1;
	}
	if ((p = program_index(&f->head, program)) == -1)
		goto full;
	for (i = 0; i < npatterns; i++) {
		if ((ri = route_index(&f->head, (unsigned)p, patterns[i])) == -1)
			goto full;
		self.route[i] = (uint32_t)ri;
	}
	self.program = (unsigned)p;
	self.nroute = npatterns;
	slot_claim(f);
	self.file = f;
	(void)flock(fd, LOCK_UN);
	close(fd);
	return 0;
full:
	snprintf(err, errsz, "QUILL_METRICS_FILE: %s names too many programs "
	    "or routes (%d, %d); delete it to start afresh", path,
	    METRICS_PROGRAMS, METRICS_ROUTES);
	munmap(f, sizeof(*f));
	close(fd);
	free(self.route);
	self.route = NULL;
	return -1;
}

void
metrics_close(void)
{
	int pid = (int)getpid();

	if (self.file != NULL) {
		if (self.owned)
			(void)atomic_compare_exchange_strong(&self.slot->owner,
			    &pid, 0);
		munmap(self.file, sizeof(*self.file));
	}
	free(self.route);
	memset(&self, 0, sizeof(self));
}

int
metrics_on(void)
{
	return self.file != NULL;
}

void
metrics_add(enum metric m, uint64_t n)
{
	if (self.file == NULL || (unsigned)m >= MET__MAX)
		return;
	atomic_fetch_add_explicit(&self.slot->counts[self.program][m], n,
	    memory_order_relaxed);
}

void
metrics_count(enum metric m)
{
	metrics_add(m, 1);
}

void
metrics_request(size_t route, unsigned method, int status, uint64_t us)
{
	struct mroute *c;
	unsigned cls, b;

	if (self.file == NULL || route >= self.nroute)
		return;
	c = &self.slot->route[self.route[route]];
	cls = status < 100 ? 0 : status > 599 ? 4 : (unsigned)(status / 100 - 1);
	if (method >= METRICS_METHODS)
		method = METRICS_METHODS - 1;
	for (b = 0; b < METRICS_BUCKETS && us > metrics_bucket_us[b]; b++)
		continue;
	atomic_fetch_add_explicit(&c->requests[method][cls], 1,
	    memory_order_relaxed);
	atomic_fetch_add_explicit(&c->buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&c->sum_us, us, memory_order_relaxed);
}

int
metrics_add_once(const char *path, const char *program, enum metric m,
    uint64_t n)
{
	struct mfile *f = NULL;
	struct mslot *s;
	const char *what;
	int fd, p;

	if (access(path, F_OK) == -1 ||
	    (fd = file_open_locked(path, &f, &what)) == -1)
		return -1;
	if ((p = program_index(&f->head, program)) != -1) {
		s = &f->slot[(size_t)getpid() % METRICS_SLOTS];
		atomic_store(&s->used, 1);
		atomic_fetch_add(&s->counts[p][m], n);
	}
	munmap(f, sizeof(*f));
	(void)flock(fd, LOCK_UN);
	close(fd);
	return p == -1 ? -1 : 0;
}

/* Adds up every slot of f that was ever counted into. */
static void
file_sum(const struct mfile *f, struct metrics_sum *s)
{
	const struct mslot *sl;
	const struct mroute *c;
	struct metrics_route_sum *o;
	size_t i, j, k, l;

	memset(s, 0, sizeof(*s));
	s->nprograms = atomic_load_explicit(&f->head.nprograms,
	    memory_order_acquire);
	s->nroutes = atomic_load_explicit(&f->head.nroutes,
	    memory_order_acquire);
	for (i = 0; i < s->nprograms; i++)
		snprintf(s->programs[i], METRICS_NAME_MAX, "%s",
		    f->head.program[i]);
	for (i = 0; i < s->nroutes; i++) {
		s->routes[i].program = f->head.route[i].program;
		snprintf(s->routes[i].pattern, METRICS_PATTERN_MAX, "%s",
		    f->head.route[i].pattern);
	}
	s->slots = METRICS_SLOTS;
	for (i = 0; i < METRICS_SLOTS; i++) {
		sl = &f->slot[i];
		if (atomic_load_explicit(&sl->owner, memory_order_relaxed) != 0)
			s->slots_claimed++;
		if (!atomic_load_explicit(&sl->used, memory_order_relaxed))
			continue;
		for (j = 0; j < s->nprograms; j++)
			for (k = 0; k < MET__MAX; k++)
				s->counts[j][k] += atomic_load_explicit(
				    &sl->counts[j][k], memory_order_relaxed);
		for (j = 0; j < s->nroutes; j++) {
			c = &sl->route[j];
			o = &s->routes[j];
			for (k = 0; k < METRICS_METHODS; k++)
				for (l = 0; l < METRICS_CLASSES; l++)
					o->requests[k][l] += atomic_load_explicit(
					    &c->requests[k][l],
					    memory_order_relaxed);
			for (k = 0; k <= METRICS_BUCKETS; k++)
				o->buckets[k] += atomic_load_explicit(
				    &c->buckets[k], memory_order_relaxed);
			o->sum_us += atomic_load_explicit(&c->sum_us,
			    memory_order_relaxed);
		}
	}
}

int
metrics_sum_mapped(struct metrics_sum *s)
{
	if (self.file == NULL)
		return -1;
	file_sum(self.file, s);
	return 0;
}

int
metrics_sum_file(const char *path, struct metrics_sum *s, char *err,
    size_t errsz)
{
	struct mfile *f;
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		snprintf(err, errsz, "cannot open %s: %s%s", path,
		    strerror(errno), errno == ENOENT ? " (no program has "
		    "started with these settings yet)" : "");
		return -1;
	}
	if (fstat(fd, &st) == -1 || st.st_size != (off_t)sizeof(struct mfile) ||
	    (f = file_map(fd, PROT_READ)) == NULL) {
		close(fd);
		snprintf(err, errsz, "%s is not a metrics file of this build "
		    "(the programs replace it when they start)", path);
		return -1;
	}
	close(fd);
	if (!head_ok(&f->head)) {
		munmap(f, sizeof(*f));
		snprintf(err, errsz, "%s is not a metrics file of this build "
		    "(the programs replace it when they start)", path);
		return -1;
	}
	file_sum(f, s);
	munmap(f, sizeof(*f));
	return 0;
}
