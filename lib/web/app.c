#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "web/app.h"
#include "pure/addr.h"
#include "base/arena.h"
#include "base/buf.h"
#include "web/auth.h"
#include "base/config.h"
#include "store/db.h"
#include "pure/header.h"
#include "web/html.h"
#include "web/limit.h"
#include "web/moved.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/password.h"
#include "pure/path.h"
#include "store/ratelimit.h"
#include "web/reply.h"
#include "web/sandbox.h"
#include "web/site.h"
#include "web/scrape.h"
#include "pure/token.h"
#include "web/worker.h"

extern char **environ;

#define APP_PATH_MAX 2048
#define BLOCKLIST_DEFAULT "etc/common-passwords.txt"

struct io {
	FCGX_Request	*fcgi;	/* NULL in plain-CGI mode */
	unsigned long long got;	/* bytes of the request's body read */
};

static volatile sig_atomic_t app_stopping;
static char app_rid_prefix[13];
static unsigned long app_rid_counter;

/*
 * The route a request is counted under (base/metrics.h): an index of the
 * route table, or one of the paths every program answers, after it.
 */
enum { APP_COUNT_HEALTH, APP_COUNT_METRICS, APP_COUNT_UNMATCHED,
    APP_COUNT__MAX };
static size_t app_counted;

/* SIGTERM and SIGUSR1: finish the current request, then leave. */
static void
app_on_signal(int sig)
{
	(void)sig;
	app_stopping = 1;
	FCGX_ShutdownPending();
}

/*
 * Makes sure descriptors 0-2 exist, so no file we open becomes stdout.
 * They are the one exception to close-on-exec: the standard descriptors
 * must survive the execve of a recycle like those the program was given.
 */
static void
app_sanitise_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		/* NOLINTNEXTLINE(android-cloexec-open): kept across exec */
		if (open("/dev/null", O_RDWR) == -1)
			_exit(1);
	}
}

static int
io_read(void *p, char *dst, size_t n)
{
	struct io *io = p;
	size_t got;
	int k;

	if (n > INT_MAX)
		n = INT_MAX;
	if (io->fcgi != NULL) {
		k = FCGX_GetStr(dst, (int)n, io->fcgi->in);
		if (k > 0)
			io->got += (unsigned long long)k;
		return k;
	}
	got = fread(dst, 1, n, stdin);
	return (int)got;
}

/*
 * Lets FCGX_Finish_r close the connection to the web server at once.
 * libfcgi's close (OS_Close) shuts its sending half down and then reads
 * until the web server closes its end (or 2 s pass in silence), so that
 * no byte the web server sent is left unread: over TCP, a socket closed
 * with unread input sends a reset, which can discard the answer before
 * the web server has read it.  That costs every request a wait for the
 * web server, the process idle.  Once the request's input is read to its
 * end (the body its CONTENT_LENGTH declares, then the empty FCGI_STDIN
 * record, which the web server sends right after the body) nothing is
 * left to discard: the request is detached (FCGX_Detach), which makes
 * libfcgi close the socket without the wait, once the answer is flushed.
 * A body not read to its end (a request refused before reading it) and a
 * connection the web server keeps (FCGI_KEEP_CONN) are left to libfcgi.
 */
static void
app_release(FCGX_Request *fr, const struct io *io)
{
	const char *clen;
	unsigned long long want = 0;

	if (fr->keepConnection)
		return;
	if ((clen = FCGX_GetParam("CONTENT_LENGTH", fr->envp)) != NULL &&
	    *clen != '\0')
		want = strtoull(clen, NULL, 10);
	if (io->got == want && FCGX_GetChar(fr->in) == EOF &&
	    FCGX_HasSeenEOF(fr->in) && FCGX_GetError(fr->in) == 0)
		(void)FCGX_Detach(fr);
}

/*
 * Plain CGI: reads and drops what is left of the request body.  Apache's
 * mod_cgi(d) writes the whole body to the program before it reads the
 * answer, so a program that refuses a body unread (413, or a 404 for a
 * path it does not know) and exits would make it fail with a reset
 * connection instead of the answer.  A chunked body (no CONTENT_LENGTH)
 * is read to its end, which mod_cgid marks.  Bounded by the declared
 * length and by CGI_DRAIN_MAX, so nothing waits on a terminal.
 */
#define CGI_DRAIN_MAX (16L << 20)
static void
io_drain_stdin(const struct req *r)
{
	const char *clen = http_env(r, "CONTENT_LENGTH");
	const char *te = http_env(r, "HTTP_TRANSFER_ENCODING");
	char sink[8192];
	long left;
	size_t got;

	if (clen != NULL)
		left = strtol(clen, NULL, 10);
	else
		left = te != NULL && *te != '\0' ? CGI_DRAIN_MAX : 0;
	if (left <= 0)
		return;
	if (left > CGI_DRAIN_MAX)
		left = CGI_DRAIN_MAX;
	while (left > 0 && (got = fread(sink, 1, left < (long)sizeof(sink) ?
	    (size_t)left : sizeof(sink), stdin)) > 0)
		left -= (long)got;
}

/* Writes the response; HEAD answers carry no body. */
static void
io_write(struct io *io, const struct buf *head, const struct req *r)
{
	size_t blen = r->method == M_HEAD ? 0 : r->out->len;

	if (io->fcgi != NULL) {
		FCGX_PutStr(head->data, (int)head->len, io->fcgi->out);
		if (blen > 0)
			FCGX_PutStr(r->out->data, (int)blen, io->fcgi->out);
		return;
	}
	io_drain_stdin(r);
	fwrite(head->data, 1, head->len, stdout);
	if (blen > 0)
		fwrite(r->out->data, 1, blen, stdout);
	fflush(stdout);
}

/* 1 when the client's X-Request-Id is safe to echo and log. */
static int
request_id_sane(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= HTTP_REQUEST_ID_MAX)
			return 0;
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr("-_.:", s[i]) != NULL))
			return 0;
	}
	return i > 0;
}

/* Sets r->request_id from the client's header or a fresh one. */
static void
request_id_assign(struct req *r)
{
	const char *h = http_env(r, "HTTP_X_REQUEST_ID");

	if (h != NULL && request_id_sane(h)) {
		snprintf(r->request_id, sizeof(r->request_id), "%s", h);
		return;
	}
	/* prefix-counter: 12 + 1 + at most 16 hex digits, NUL. */
	memcpy(r->request_id, app_rid_prefix, 12);
	r->request_id[12] = '-';
	buf_digits(r->request_id + 13, (long long)++app_rid_counter, 16, 6);
}

/* Appends the methods that routes allow on path to b ("GET, HEAD, POST"). */
static void
allow_list(const struct route *routes, size_t n, const char *path,
    struct buf *b)
{
	int64_t p[PATH_MAX_PARAMS];
	size_t np, i;
	int m, seen[M__MAX] = { 0 };

	for (i = 0; i < n; i++)
		if (path_match(routes[i].pattern, path, p, &np)) {
			seen[routes[i].method] = 1;
			if (routes[i].method == M_GET)
				seen[M_HEAD] = 1;
		}
	for (m = 0; m < M__MAX; m++)
		if (seen[m]) {
			if (b->len > 0)
				buf_puts(b, ", ");
			buf_puts(b, http_method_name((enum method)m));
		}
}

/* The Origin header when it is a configured CORS origin, else NULL. */
static const char *
cors_origin(const struct req *r)
{
	const char *o = http_env(r, "HTTP_ORIGIN");

	if (o == NULL || !config_cors_allowed(o, strlen(o)))
		return NULL;
	return o;
}

/*
 * Answers a CORS preflight for a known path, or 405 with Allow.  app_cors
 * has named the origin already: a second Access-Control-Allow-Origin would
 * make browsers refuse the preflight.
 */
static enum err
app_options(struct req *r, const char *allow)
{
	reply_header(r, "Allow", allow);
	if (cors_origin(r) == NULL ||
	    http_env(r, "HTTP_ACCESS_CONTROL_REQUEST_METHOD") == NULL)
		return ERR_METHOD_NOT_ALLOWED;
	reply_header(r, "Access-Control-Allow-Methods", allow);
	reply_header(r, "Access-Control-Allow-Headers",
	    "Authorization, Content-Type, If-Match, If-None-Match, X-Request-Id, "
	    "X-HTTP-Method-Override");
	reply_header(r, "Access-Control-Max-Age", "600");
	return reply_empty(r);
}

/* GET /api/v1/health: 200 when the database answers, else 503. */
static enum err
app_health(struct req *r)
{
	cJSON *d;

	if (r->method != M_GET && r->method != M_HEAD) {
		reply_header(r, "Allow", "GET, HEAD");
		return ERR_METHOD_NOT_ALLOWED;
	}
	if (!db_ping())
		return http_fail(r, ERR_UNAVAILABLE, "The database is unreachable.");
	if ((d = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(d, "status", "ok") == NULL) {
		cJSON_Delete(d);
		return ERR_INTERNAL;
	}
	return reply_data(r, 200, d);
}

/*
 * GET /api/v1/metrics: the counters of every process in the Prometheus
 * text format, for the callers scrape_allowed lets in; to anyone else
 * the path does not exist.  Never cached (the default Cache-Control).
 */
static enum err
app_metrics(struct req *r)
{
	struct scrape_view *v;
	char err[256];

	if (!scrape_allowed(r))
		return ERR_NOT_FOUND;
	if (r->method != M_GET && r->method != M_HEAD) {
		reply_header(r, "Allow", "GET, HEAD");
		return ERR_METHOD_NOT_ALLOWED;
	}
	if ((v = arena_alloc(r->arena, sizeof(*v))) == NULL)
		return ERR_INTERNAL;
	if (scrape_read(v, NULL, (int64_t)time(NULL), err, sizeof(err)) == -1)
		return http_fail(r, ERR_UNAVAILABLE, "The metrics are not "
		    "kept: see the start line of this program in the log.");
	if (scrape_prometheus(r->out, v) == -1)
		return ERR_INTERNAL;
	r->content_type = SCRAPE_CONTENT_TYPE;
	return ERR_NONE;
}

/* Finds the route for r; ERR_NOT_FOUND or ERR_METHOD_NOT_ALLOWED if none. */
static enum err
app_route(struct req *r, const struct route *routes, size_t n,
    const struct route **found)
{
	struct buf allow = { 0 };
	enum method want = r->method == M_HEAD ? M_GET : r->method;
	size_t i, np;
	int known = 0;
	enum err e;

	for (i = 0; i < n; i++) {
		if (!path_match(routes[i].pattern, r->path, r->params, &np))
			continue;
		/* A 405 or a preflight counts under the path's route. */
		if (!known)
			app_counted = i;
		known = 1;
		if (routes[i].method == want) {
			r->nparams = np;
			*found = &routes[i];
			app_counted = i;
			return ERR_NONE;
		}
	}
	if (!known)
		return ERR_NOT_FOUND;
	allow_list(routes, n, r->path, &allow);
	if (allow.oom)
		e = ERR_INTERNAL;
	else if (r->method == M_OPTIONS)
		e = app_options(r, allow.data);
	else {
		reply_header(r, "Allow", allow.data);
		e = ERR_METHOD_NOT_ALLOWED;
	}
	buf_free(&allow);
	return e;
}

/*
 * Replaces r->client by the address a trusted proxy forwarded for, when the
 * peer is one of QUILL_TRUSTED_PROXIES; anyone else's X-Forwarded-For is
 * ignored, so it cannot dodge the per-address rate limits.
 */
static enum err
app_client(struct req *r)
{
	const char *xff;
	char *addr;

	if (!config_proxy_trusted(r->client) ||
	    (xff = http_env(r, "HTTP_X_FORWARDED_FOR")) == NULL)
		return ERR_NONE;
	if ((addr = arena_alloc(r->arena, ADDR_MAX)) == NULL)
		return ERR_INTERNAL;
	if (header_forwarded_client(xff, strlen(xff), config_proxy_trusted, addr,
	    ADDR_MAX) == 0)
		r->client = addr;
	return ERR_NONE;
}

/*
 * The path of the API or of a page of the site when the program was
 * called by its own name with the path after it, as on a host without
 * mod_rewrite the shared-hosting bundle's /cgi/auth.fcgi/api/v1/auth/login
 * and /cgi/posts.fcgi/posts/7 are: the part after SCRIPT_NAME when that
 * starts with /api/, or is a page's and SCRIPT_NAME names a program
 * outside /api/ (lighttpd's SCRIPT_NAME of /api/v1/auth/login is
 * /api/v1/auth), and r->script is set, so answers name the paths such a
 * client reaches.  Otherwise path as it is.
 */
static const char *
app_script_path(struct req *r, const char *path)
{
	const char *sn = http_env(r, "SCRIPT_NAME"), *base, *page;
	size_t n, len;

	if (sn == NULL || (n = strlen(sn)) < 2 || sn[n - 1] == '/' ||
	    strncmp(path, sn, n) != 0)
		return path;
	page = path + n;
	if (strncmp(page, "/api/", 5) != 0) {
		base = strrchr(sn, '/') + 1;
		len = strcspn(base, ".");
		/*
		 * A program file's name alone ("/cgi/posts.fcgi/", its slash
		 * gone) is the site's "/", where path_via_script sends a
		 * client for the home page.
		 */
		if (*page == '\0' && base[len] == '.')
			page = "/";
		if (strncmp(sn, "/api/", 5) == 0 ||
		    path_page_program(page) == NULL ||
		    !((len == 4 && strncmp(base, "auth", 4) == 0) ||
		    (len == 5 && (strncmp(base, "users", 5) == 0 ||
		    strncmp(base, "posts", 5) == 0))))
			return path;
	}
	r->script = sn;
	return page;
}

/* Parses the CGI variables into r; ERR_BAD_REQUEST for an unusable path. */
static enum err
app_parse(struct req *r)
{
	const char *uri, *q;
	char *path;
	enum err e;

	r->method_name = http_env(r, "REQUEST_METHOD");
	if (r->method_name == NULL)
		r->method_name = "";
	r->method = http_method(r->method_name);
	r->client = http_env(r, "REMOTE_ADDR");
	if (r->client == NULL)
		r->client = "";
	if ((e = app_client(r)) != ERR_NONE)
		return e;
	q = http_env(r, "QUERY_STRING");
	r->query = q != NULL ? q : "";
	request_id_assign(r);
	r->path = "";
	if ((uri = http_env(r, "REQUEST_URI")) == NULL || *uri == '\0') {
		const char *sn = http_env(r, "SCRIPT_NAME");
		const char *pi = http_env(r, "PATH_INFO");

		uri = arena_printf(r->arena, "%s%s", sn ? sn : "", pi ? pi : "");
		if (uri == NULL)
			return ERR_INTERNAL;
	}
	if ((path = arena_alloc(r->arena, APP_PATH_MAX)) == NULL)
		return ERR_INTERNAL;
	if (path_normalise(uri, strlen(uri), path, APP_PATH_MAX) == -1)
		return http_fail(r, ERR_BAD_REQUEST, "The request path is malformed.");
	r->path = app_script_path(r, path);
	/* The site's pages are HTML, to whatever client asks. */
	r->browser = strncmp(r->path, "/api/", 5) != 0 || http_browser(r);
	return ERR_NONE;
}

/*
 * A POST may stand for PUT, PATCH or DELETE, for clients behind hosts
 * (mod_security rules, proxies) that let only GET and POST through: an API
 * client says so in X-HTTP-Method-Override, and an HTML form, which can
 * only GET or POST, in ?_method= (the post page's edit and delete forms;
 * they pass the origin check anyway).  Only on a POST, only those three;
 * anything else asked for is a 400.  Other methods' override headers, and
 * its kin (X-HTTP-Method, X-Method-Override), are ignored.
 */
static enum err
app_method_override(struct req *r)
{
	const char *m, *bad;
	enum method want;
	enum err e;

	if (r->method != M_POST)
		return ERR_NONE;
	if ((m = http_env(r, "HTTP_X_HTTP_METHOD_OVERRIDE")) != NULL)
		bad = "The X-HTTP-Method-Override header must be PUT, PATCH "
		    "or DELETE.";
	else if (!http_form_sent(r))
		return ERR_NONE;
	else if ((e = http_query(r, "_method", &m)) != ERR_NONE || m == NULL)
		return e;
	else
		bad = "The _method parameter must be PUT, PATCH or DELETE.";
	want = http_method(m);
	if (want != M_PUT && want != M_PATCH && want != M_DELETE)
		return http_fail(r, ERR_BAD_REQUEST, bad);
	r->method = want;
	r->method_name = http_method_name(want);
	return ERR_NONE;
}

/*
 * A browser's form that succeeded goes on to another page, so reloading
 * it does not post again: 303 to the form's returnTo when it is a path on
 * this site, else to what a 201 created, else QUILL_FORM_DEFAULT_REDIRECT.
 */
static enum err
app_form_done(struct req *r)
{
	const char *to = http_form_path(r, "returnTo");

	/* A page the route answered itself is the form's next step. */
	if (r->status < 200 || r->status > 299 || (r->content_type != NULL &&
	    strcmp(r->content_type, HTML_CONTENT_TYPE) == 0))
		return ERR_NONE;
	if (to == NULL)
		to = r->status == 201 && r->location != NULL ? r->location :
		    config.form_redirect;
	return reply_see_other(r, to);
}

/* Adds the CORS headers of an actual (not preflight) request. */
static void
app_cors(struct req *r)
{
	const char *o;

	if (config.ncors == 0)
		return;
	reply_header(r, "Vary", "Origin");
	if ((o = cors_origin(r)) == NULL)
		return;
	reply_header(r, "Access-Control-Allow-Origin", o);
	reply_header(r, "Access-Control-Expose-Headers",
	    "ETag, Link, Location, Retry-After, X-Request-Id");
}

/*
 * The error a web server asks this program to render: Apache refuses some
 * requests itself (a body over LimitRequestBody, TRACE) and, through
 * ErrorDocument, makes an internal GET to a program with REDIRECT_STATUS
 * set to its status, so that the client still gets the API's envelope.
 * ERR_NONE for an ordinary request (no REDIRECT_STATUS, or 200 after a
 * rewrite) and for statuses this list does not hold.
 */
static enum err
app_server_error(struct req *r)
{
	static const enum err errs[] = { ERR_BAD_REQUEST,
	    ERR_METHOD_NOT_ALLOWED, ERR_LENGTH_REQUIRED, ERR_PAYLOAD_TOO_LARGE,
	    ERR_INTERNAL, ERR_UNAVAILABLE };
	const char *s = http_env(r, "REDIRECT_STATUS");
	const char *m = http_env(r, "REDIRECT_REQUEST_METHOD");
	size_t i;

	if (s == NULL || strlen(s) != 3)
		return ERR_NONE;
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		if (atoi(s) == error_status(errs[i])) {
			/* The log names the request the client made. */
			if (m != NULL && *m != '\0')
				r->method_name = m;
			return errs[i];
		}
	return ERR_NONE;
}

/*
 * The Allow header of a 405 that the web server decided (TRACE, through
 * ErrorDocument): the methods this program's routes allow on the path the
 * client asked for (REDIRECT_URL), GET and HEAD on the health path.
 */
static void
app_server_allow(struct req *r, const struct route *routes, size_t n)
{
	const char *url = http_env(r, "REDIRECT_URL");
	struct buf allow = { 0 };
	char path[APP_PATH_MAX];

	if (url == NULL || path_normalise(url, strlen(url), path,
	    sizeof(path)) == -1)
		return;
	if (strcmp(path, APP_HEALTH_PATH) == 0)
		buf_puts(&allow, "GET, HEAD");
	else
		allow_list(routes, n, path, &allow);
	if (allow.len > 0 && !allow.oom)
		reply_header(r, "Allow", allow.data);
	buf_free(&allow);
}

void *
app_state(struct req *r, size_t n)
{
	if ((r->state = arena_alloc(r->arena, n)) != NULL)
		memset(r->state, 0, n);
	return r->state;
}

enum err
app_validate(struct req *r, const struct vfield *fields, size_t n)
{
	struct vvalue *v;

	if ((v = app_state(r, n * sizeof(*v))) == NULL)
		return ERR_INTERNAL;
	return http_validate(r, fields, n, v);
}

enum err
app_keep(struct req *r, enum err e)
{
	if (e != ERR_INTERNAL && e != ERR_UNAVAILABLE)
		r->tx_keep = 1;
	return e;
}

/*
 * Runs a route's write in the write transaction: commits what it did when
 * it succeeds or app_keep says so, else rolls it back.  The error of a
 * failed commit replaces the answer.  A cookie that .write dropped (a
 * logout) stays when nothing it did stands.
 */
static enum err
app_write(struct req *r, enum err (*write)(struct req *))
{
	int clear = r->cookie_clear;
	enum err e, c;

	if ((e = db_begin()) != ERR_NONE)
		return e;
	r->tx_keep = 0;
	e = write(r);
	if (e != ERR_NONE && !r->tx_keep) {
		db_rollback();
		r->cookie_clear = clear;
		return e;
	}
	if ((c = db_commit()) != ERR_NONE) {
		r->cookie_clear = clear;
		return c;
	}
	return e;
}

/* Runs one request from parse to response. */
static enum err
app_dispatch(struct req *r, const struct route *routes, size_t n)
{
	const struct route *rt = NULL;
	size_t jmax, fmax;
	enum err e;

	if ((e = app_parse(r)) != ERR_NONE)
		return e;
	app_cors(r);
	if ((e = app_server_error(r)) != ERR_NONE) {
		if (e == ERR_METHOD_NOT_ALLOWED)
			app_server_allow(r, routes, n);
		return e;
	}
	if (strcmp(r->path, APP_HEALTH_PATH) == 0) {
		app_counted = n + APP_COUNT_HEALTH;
		return app_health(r);
	}
	if (sandbox_probe_armed()) {
		sandbox_probe(r->request_id);
		return ERR_INTERNAL;
	}
	if (strcmp(r->path, APP_METRICS_PATH) == 0) {
		app_counted = n + APP_COUNT_METRICS;
		return app_metrics(r);
	}
	if ((e = app_method_override(r)) != ERR_NONE)
		return e;
	if ((e = app_route(r, routes, n, &rt)) == ERR_NOT_FOUND &&
	    strncmp(r->path, "/api/", 5) != 0)
		return moved_page(r);
	if (e != ERR_NONE || rt == NULL)
		return e;
	/* A DELETE may carry a body too: DELETE /users/me takes a password. */
	if (r->method == M_POST || r->method == M_PUT || r->method == M_PATCH ||
	    r->method == M_DELETE) {
		if (rt->max_body == APP_MAX_POST)
			jmax = fmax = (size_t)config.max_post;
		else if (rt->max_body != 0)
			jmax = fmax = rt->max_body;
		else {
			jmax = (size_t)config.max_json;
			fmax = (size_t)config.max_form;
		}
		if ((e = http_read_body(r, jmax, fmax)) != ERR_NONE)
			return e;
	}
	/* Here, so that no handler can forget it. */
	r->hdr_mark = r->hdr->len;
	if ((e = auth_csrf(r)) == ERR_NONE && (e = rt->handle(r)) == ERR_NONE &&
	    rt->write != NULL)
		e = app_write(r, rt->write);
	if (e == ERR_REAUTH_REQUIRED && r->browser)
		return site_reauth_page(r);
	if (e == ERR_MFA_REQUIRED && r->browser)
		return site_mfa_required_page(r);
	if (e != ERR_NONE)
		return rt->form != NULL ? site_form_refused(r, e, rt->form) : e;
	return r->browser && http_form_sent(r) ? app_form_done(r) : ERR_NONE;
}

/* Serves one request whose variables are envp. */
static void
app_serve(struct req *r, struct io *io, char *const *envp,
    const struct route *routes, size_t n, struct buf *head)
{
	struct timespec t0, t1;
	long us;
	enum err e;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	limit_request_begin();
	arena_reset(r->arena);
	buf_reset(r->hdr);
	buf_reset(r->out);
	{
		struct arena *a = r->arena;
		struct buf *hdr = r->hdr, *out = r->out;

		memset(r, 0, sizeof(*r));
		r->arena = a;
		r->hdr = hdr;
		r->out = out;
	}
	r->envp = envp;
	r->io = io;
	r->read_body = io_read;
	r->status = 200;
	r->hdr_mark = SIZE_MAX;		/* no handler: an error keeps them all */

	app_counted = n + APP_COUNT_UNMATCHED;
	e = app_dispatch(r, routes, n);
	db_reset_busy();
	if (db_in_transaction()) {
		db_rollback();
		log_event(LOG_ERROR, "transaction_left_open", r->request_id,
		    "path", r->path, NULL);
		if (e == ERR_NONE)
			e = ERR_INTERNAL;
	}
	if (e == ERR_NONE && (r->out->oom || r->hdr->oom))
		e = ERR_INTERNAL;
	if (e != ERR_NONE) {
		if (r->err != e)
			r->err_message = NULL;
		r->err = e;
		if (e == ERR_RATE_LIMITED && r->rate.limit > 0)
			ratelimit_log(&r->rate, r->request_id, r->client);
		reply_error(r, site_error_page);
	}
	reply_head(r, head);
	io_write(io, head, r);
	cJSON_Delete(r->json);
	r->json = NULL;
	limit_request_end();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = (t1.tv_sec - t0.tv_sec) * 1000000L +
	    (t1.tv_nsec - t0.tv_nsec) / 1000;
	metrics_request(app_counted, (unsigned)r->method, r->status,
	    us > 0 ? (uint64_t)us : 0);
	log_request(r->method_name, r->path, r->status, (double)us / 1e3,
	    r->request_id, r->who.user_id, r->client);
}

/* What every process of the program needs first, the supervisor's too. */
static void
app_prepare(const char *name)
{
	app_sanitise_fds();
	log_init(name);
	signal(SIGPIPE, SIG_IGN);
}

/*
 * Maps the metrics file (base/metrics.h) and counts this process's start.
 * Without it the program still serves: a log line says why it counts
 * nothing, and GET /api/v1/metrics answers 503.
 */
static void
app_count_start(const char *name, const struct route *routes, size_t n)
{
	const char **patterns;
	char err[1400];
	size_t i;

	if ((patterns = calloc(n + APP_COUNT__MAX, sizeof(*patterns))) == NULL)
		return;
	for (i = 0; i < n; i++)
		patterns[i] = routes[i].pattern;
	patterns[n + APP_COUNT_HEALTH] = APP_HEALTH_PATH;
	patterns[n + APP_COUNT_METRICS] = APP_METRICS_PATH;
	patterns[n + APP_COUNT_UNMATCHED] = METRICS_UNMATCHED;
	if (metrics_open(config.metrics_file, name, patterns,
	    n + APP_COUNT__MAX, err, sizeof(err)) == -1)
		log_event(LOG_ERROR, "metrics_unavailable", NULL, "reason", err,
		    NULL);
	else
		metrics_count(MET_PROCESS_STARTS);
	free(patterns);
}

/*
 * Loads configuration, keys and the database, then confines the process
 * (sandbox.h): nothing after this may open a file outside the database's
 * directory or make a system call a request does not need.  Exits on any
 * failure.
 */
static void
app_start(const char *name, const struct route *routes, size_t n,
    unsigned needs)
{
	char err[512], lock[sizeof(config.db) + 16];
	unsigned char seed[6];
	struct sigaction sa;

	/* A file-size limit makes a write fail (503), not kill the process. */
	signal(SIGXFSZ, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = app_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);

	if (getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		memset(seed, 0, sizeof(seed));
	snprintf(app_rid_prefix, sizeof(app_rid_prefix),
	    "%02x%02x%02x%02x%02x%02x", seed[0], seed[1], seed[2], seed[3],
	    seed[4], seed[5]);

	if (config_load(err, sizeof(err)) == -1)
		goto fail;
	config_log_file();
	if (config_load_key(err, sizeof(err)) == -1)
		goto fail;
	if (token_init(config.key, config.key_len, config.issuer,
	    config.audience, config.access_ttl) == -1 ||
	    ((needs & APP_ISSUES_TOKENS) && token_warm() == -1)) {
		snprintf(err, sizeof(err), "cannot set up access tokens");
		goto fail;
	}
	if (password_init((unsigned long long)config.argon2_ops,
	    (size_t)config.argon2_mem_kib * 1024) == -1) {
		snprintf(err, sizeof(err), "QUILL_ARGON2_*: unacceptable limits");
		goto fail;
	}
	/* One lock file beside the database: every program of the site shares it. */
	snprintf(lock, sizeof(lock), "%s.argon2.lock", config_state_path());
	if (password_gate(lock, (unsigned)config.argon2_slots,
	    (unsigned)config.argon2_wait_ms) == -1 ||
	    limit_init(config.request_timeout_ms, config.max_requests) == -1) {
		snprintf(err, sizeof(err), "cannot set up the request limits");
		goto fail;
	}
	if (password_blocklist_open(config.blocklist) == -1) {
		if (strcmp(config.blocklist, BLOCKLIST_DEFAULT) != 0) {
			snprintf(err, sizeof(err), "QUILL_PASSWORD_BLOCKLIST: "
			    "cannot read %.400s", config.blocklist);
			goto fail;
		}
		log_event(LOG_WARN, "blocklist_missing", NULL, "path",
		    config.blocklist, NULL);
	}
	if (sandbox_probe_init(config.sandbox != 0, err, sizeof(err)) == -1 ||
	    db_open(config.db, 0, (int)config.busy_timeout_ms, err,
	    sizeof(err)) == -1 || db_confine(err, sizeof(err)) == -1 ||
	    db_ready(err, sizeof(err)) == -1)
		goto fail;
	app_count_start(name, routes, n);
	if (config.sandbox && sandbox_enter(config_state_path(),
	    config_db_is_postgresql(config.db), err, sizeof(err)) == -1)
		goto fail;
	log_event(LOG_INFO, "start", NULL, "sandbox", sandbox_state(), NULL);
	return;
fail:
	log_event(LOG_ERROR, "start_failed", NULL, "reason", err, NULL);
	exit(1);
}

/*
 * Prints the routes the program answers, for t/98-routes-vs-spec.t, which
 * compares them with docs/openapi.yaml: its table, then the paths every
 * program answers.  Returns the exit status.
 */
static int
app_print_routes(const struct route *routes, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%s %s\n", http_method_name(routes[i].method),
		    routes[i].pattern);
	printf("GET %s\nGET %s\n", APP_HEALTH_PATH, APP_METRICS_PATH);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}

/*
 * 1 when the program was started by hand with --routes.  A CGI server may
 * put the words of a query string without '=' in argv (RFC 3875 4.4), so
 * under CGI (GATEWAY_INTERFACE set) arguments are never options.
 */
static int
app_wants_routes(int argc, char **argv)
{
	return argc == 2 && strcmp(argv[1], "--routes") == 0 &&
	    getenv("GATEWAY_INTERFACE") == NULL;
}

/* Releases what app_start set up. */
static void
app_stop(void)
{
	db_close();
	token_shutdown();
	password_shutdown();
	metrics_close();
	log_event(LOG_INFO, "stop", NULL, NULL);
}

/* The arena cJSON allocates from: the request arena, reset per request. */
static struct arena *app_json_arena;

static void *
app_json_alloc(size_t n)
{
	return arena_alloc(app_json_arena, n);
}

static void
app_json_free(void *p)
{
	(void)p;
}

int
app_main(int argc, char **argv, const char *name,
    const struct route *routes, size_t nroutes, unsigned needs)
{
	cJSON_Hooks hooks = { app_json_alloc, app_json_free };
	struct buf hdr = { 0 }, out = { 0 }, head = { 0 };
	struct req r;
	struct io io = { NULL, 0 };
	FCGX_Request fr;
	int recycle = 0;

	if (app_wants_routes(argc, argv))
		return app_print_routes(routes, nroutes);
	app_prepare(name);
	/* FastCGI: serve as the worker of a supervisor that keeps the socket. */
	if (!FCGX_IsCGI())
		worker_supervise(name);
	app_start(name, routes, nroutes, needs);
	memset(&r, 0, sizeof(r));
	if ((r.arena = arena_new()) == NULL)
		return 1;
	/*
	 * Every cJSON tree (request bodies, token parts, answers) lives for
	 * one request, so cJSON allocates from the request's arena and its
	 * frees are no-ops: a list of 20 posts spent a third of its time in
	 * malloc and free for cJSON nodes.  No tree outlives arena_reset.
	 */
	app_json_arena = r.arena;
	cJSON_InitHooks(&hooks);
	r.hdr = &hdr;
	r.out = &out;
	if (FCGX_IsCGI()) {
		app_serve(&r, &io, environ, routes, nroutes, &head);
		db_idle();
	} else {
		if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0) {
			log_event(LOG_ERROR, "start_failed", NULL, "reason",
			    "cannot initialise FastCGI", NULL);
			return 1;
		}
		io.fcgi = &fr;
		while (!app_stopping && FCGX_Accept_r(&fr) >= 0) {
			io.got = 0;
			app_serve(&r, &io, fr.envp, routes, nroutes, &head);
			app_release(&fr, &io);
			FCGX_Finish_r(&fr);
			db_idle();
			if ((recycle = limit_recycle_due())) {
				metrics_count(MET_PROCESS_RECYCLES);
				break;
			}
		}
		FCGX_Free(&fr, 1);
	}
	arena_free(r.arena);
	buf_free(&hdr);
	buf_free(&out);
	buf_free(&head);
	app_stop();
	return recycle ? WORKER_EXIT_RECYCLE : 0;
}
