/*
 * The first-run setup page of the shared-hosting bundle: what
 * `quillctl init` and `quillctl user add --role admin` do over SSH, done
 * from a browser by whoever can read the setup code, which lives in a
 * file of the account's (quill/setup-code.txt) that nothing serves.
 * The bundle's wrapper runs this instead of a program for as long as that
 * file exists; with the database in place it becomes the program.
 */
#define _GNU_SOURCE	/* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "base/arena.h"
#include "base/base32.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/secret.h"
#include "base/time.h"
#include "pure/form.h"
#include "pure/valid.h"
#include "web/html.h"
#include "web/reply.h"
#include "setup.h"

extern char **environ;

/* An owner's own code is at least this long; ours is 26 characters. */
#define SETUP_CODE_MIN	20
#define SETUP_CODE_MAX	128
#define SETUP_BODY_MAX	16384
#define SETUP_ORIGIN_MAX 200

/* One request: FastCGI's streams, or stdin and stdout as plain CGI. */
struct setup_io {
	FCGX_Stream	*fin, *fout;	/* NULL in plain-CGI mode */
	char		**envp;
};

static const char *
setup_env(const struct setup_io *io, const char *name)
{
	return FCGX_GetParam(name, io->envp);
}

static void
setup_write(struct setup_io *io, const char *s, size_t n)
{
	if (io->fout != NULL)
		FCGX_PutStr(s, (int)n, io->fout);
	else
		fwrite(s, 1, n, stdout);
}

static size_t
setup_read(struct setup_io *io, char *dst, size_t n)
{
	int got;

	if (io->fin == NULL)
		return fread(dst, 1, n, stdin);
	got = FCGX_GetStr(dst, (int)n, io->fin);
	return got > 0 ? (size_t)got : 0;
}

/* Writes the answer: status, an HTML or JSON body, the safe headers. */
static void
setup_answer(struct setup_io *io, int status, const char *ctype,
    const char *extra, const struct buf *body)
{
	static const char *const reasons[][2] = {
		{ "200", "OK" }, { "400", "Bad Request" },
		{ "403", "Forbidden" }, { "413", "Content Too Large" },
		{ "500", "Internal Server Error" },
		{ "503", "Service Unavailable" },
	};
	const char *reason = "";
	struct buf head = { 0 };
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (atoi(reasons[i][0]) == status)
			reason = reasons[i][1];
	buf_printf(&head, "Status: %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nCache-Control: no-store\r\n%s%s%s\r\n",
	    status, reason, ctype, body->len, reply_security_headers,
	    strncmp(ctype, "text/html", 9) == 0 ? reply_page_csp :
	    reply_data_csp, extra != NULL ? extra : "");
	if (!head.oom) {
		setup_write(io, head.data, head.len);
		setup_write(io, body->data != NULL ? body->data : "", body->len);
	}
	buf_free(&head);
}

/*
 * The setup code, from code_file into code (NUL-terminated); when the file
 * is empty, a new one written there first, mode 0600.  Returns its length,
 * or -1 when the file cannot be read or written.
 */
static long
setup_code(const char *code_file, char *code, size_t sz)
{
	unsigned char raw[16];
	ssize_t n;
	long len = -1;
	int fd;

	if ((fd = open(code_file, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	/* Two processes that find the file empty must not make two codes. */
	if (flock(fd, LOCK_EX) == -1 || (n = read(fd, code, sz - 1)) < 0)
		goto done;
	while (n > 0 && strchr(" \t\r\n", code[n - 1]) != NULL)
		n--;
	code[n] = '\0';
	if (n == 0) {
		if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw) ||
		    sz < 32)
			goto done;
		base32_encode(raw, sizeof(raw), code);
		n = (ssize_t)strlen(code);
		code[n] = '\n';
		if (fchmod(fd, 0600) == -1 || lseek(fd, 0, SEEK_SET) == -1 ||
		    write(fd, code, (size_t)n + 1) != n + 1 || fsync(fd) == -1)
			goto done;
		code[n] = '\0';
	}
	len = (long)n;
done:
	close(fd);
	return len;
}

/* The form, with what was sent kept (never the code or the password). */
static void
setup_page(struct buf *b, const char *origin, const char *email,
    const char *problem)
{
	html_begin(b, "Set up Quill");
	buf_puts(b, "<h1>Set up this site</h1>\n"
	    "<p>This site has no database yet. The owner of the hosting "
	    "account sets it up here, once: the setup code is in the file "
	    "<code>quill/setup-code.txt</code> among the site's files "
	    "(download it by FTP). Then sign in as the administrator made "
	    "here.</p>\n");
	if (problem != NULL) {
		buf_puts(b, "<p class=\"error\" role=\"alert\">");
		html_text(b, problem);
		buf_puts(b, "</p>\n");
	}
	buf_puts(b, "<form method=\"post\" action=\"\">\n"
	    "<label>Setup code <input name=\"code\" type=\"password\" "
	    "autocomplete=\"off\" required></label>\n"
	    "<label>The site's address <input name=\"origin\" type=\"url\" "
	    "required value=\"");
	html_text(b, origin);
	buf_puts(b, "\"></label>\n<label>Administrator's email <input "
	    "name=\"email\" type=\"email\" required value=\"");
	html_text(b, email);
	buf_puts(b, "\"></label>\n<label>Administrator's password (12 "
	    "characters or more) <input name=\"password\" type=\"password\" "
	    "minlength=\"12\" autocomplete=\"new-password\" required></label>\n"
	    "<button type=\"submit\">Set up</button>\n</form>\n");
	html_end(b);
}

/* The address this request came to: the form's default for the origin. */
static const char *
setup_origin_guess(struct setup_io *io, char *buf, size_t sz)
{
	const char *host = setup_env(io, "HTTP_HOST");
	const char *https = setup_env(io, "HTTPS");

	if (host == NULL || strpbrk(host, "\"<>& \t") != NULL)
		return "";
	snprintf(buf, sz, "%s://%s", https != NULL &&
	    strcasecmp(https, "on") == 0 ? "https" : "http", host);
	return buf;
}

/*
 * Sets QUILL_PUBLIC_ORIGIN in the settings file conf (other lines kept),
 * by a new file renamed over it, mode 0600.  -1 on failure.
 */
static int
setup_write_origin(const char *conf, const char *origin)
{
	char tmp[4096], line[4096];
	FILE *in, *out;
	int fd, ok, rc = -1;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.setup", conf) >= sizeof(tmp))
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		return -1;
	if ((out = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	if ((in = fopen(conf, "re")) != NULL) {
		while (fgets(line, sizeof(line), in) != NULL)
			if (strncmp(line + strspn(line, " \t"),
			    "QUILL_PUBLIC_ORIGIN", 19) != 0)
				fputs(line, out);
		fclose(in);
	}
	fprintf(out, "QUILL_PUBLIC_ORIGIN=%s\n", origin);
	ok = fflush(out) == 0 && fsync(fd) == 0;
	if (fclose(out) != 0)
		ok = 0;
	if (ok)
		rc = rename(tmp, conf);
	if (rc == -1)
		unlink(tmp);
	return rc;
}

/*
 * Runs self with argv, input on its standard input, its output into out.
 * 0 when it succeeded.
 */
static int
setup_run(const char *self, char *const argv[], const char *input,
    struct buf *out)
{
	int in[2], res[2], status;
	char chunk[1024];
	ssize_t n;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) == -1)
		return -1;
	if (pipe2(res, O_CLOEXEC) == -1) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	if ((pid = fork()) == -1) {
		close(in[0]);
		close(in[1]);
		close(res[0]);
		close(res[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(res[1], STDOUT_FILENO);
		dup2(res[1], STDERR_FILENO);
		close(in[1]);
		close(res[0]);
		execv(self, argv);
		_exit(127);
	}
	close(in[0]);
	close(res[1]);
	if (input != NULL) {
		(void)!write(in[1], input, strlen(input));
		(void)!write(in[1], "\n", 1);
	}
	close(in[1]);
	while ((n = read(res[0], chunk, sizeof(chunk))) > 0)
		if (out->len < 4096)
			buf_append(out, chunk, (size_t)n);
	close(res[0]);
	if (waitpid(pid, &status, 0) == -1)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/*
 * What `quillctl check --url origin` finds of the site just set up: that
 * the API answers there, and that the Authorization header reaches the
 * programs (some hosts strip it, which makes every API login useless).
 * Its lines about the site go on the page, with the .htaccess lines that
 * fix a stripped header, unless all is well.
 */
static void
setup_check_site(struct buf *page, const char *self, const char *origin)
{
	char *argv[] = { (char *)"quillctl", (char *)"check", (char *)"--url",
		(char *)origin, NULL };
	static const char *const after[] = { "\nok   configuration",
		"\nFAIL configuration" };
	struct buf out = { 0 };
	size_t len, i;
	const char *end;

	(void)setup_run(self, argv, NULL, &out);
	buf_append(&out, "", 1);
	len = out.data != NULL ? strlen(out.data) : 0;
	for (i = 0; i < sizeof(after) / sizeof(after[0]); i++)
		if (len > 0 && (end = strstr(out.data, after[i])) != NULL &&
		    (size_t)(end - out.data) < len)
			len = (size_t)(end - out.data);
	if (len > 0 && strstr(out.data, "\nok   the Authorization header "
	    "reaches the programs") != NULL) {
		buf_puts(page, "<p>The API answers at this address, and the "
		    "<code>Authorization</code> header reaches the programs: "
		    "API clients can sign in with tokens.</p>\n");
	} else {
		buf_puts(page, "<p class=\"error\" role=\"alert\">The site "
		    "is set up, but the API does not work fully through this "
		    "address yet. <code>quillctl check --url</code> says:</p>"
		    "\n<pre>");
		if (len > 0)
			buf_html_escape(page, out.data, len);
		else
			buf_puts(page, "(the check could not run)");
		buf_puts(page, "</pre>\n<p>Put the lines it names into the "
		    "site's <code>.htaccess</code>, or ask the host for what it "
		    "names; the pages and signing in with a browser work "
		    "meanwhile. <code>quillctl check --url</code> checks it "
		    "again.</p>\n");
	}
	buf_free(&out);
}

/* Undoes a half-done setup: the database that init made, no administrator. */
static void
setup_undo(void)
{
	char p[sizeof(config.db) + 8];

	unlink(config.db);
	snprintf(p, sizeof(p), "%s-wal", config.db);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", config.db);
	unlink(p);
}

/* The value of the form field name, or "". */
static const char *
setup_field(const struct form *f, const char *name)
{
	const struct form_field *ff = form_get(f, name);

	return ff != NULL ? ff->value : "";
}

/* Checks a field with a validator: its message, or NULL. */
static const char *
setup_invalid(vcheck check, const char *what, const char *value,
    char *msg, size_t sz)
{
	struct vinput in = { 0 };
	struct vvalue v;
	const struct vfail *f;

	in.kind = VIN_STRING;
	in.str = value;
	in.len = strlen(value);
	if ((f = check(&in, &v)) == NULL)
		return NULL;
	snprintf(msg, sz, "%s: %s", what, f->message);
	return msg;
}

/*
 * A POST of the form.  1 when the site is set up (the process then ends),
 * 0 when the form comes back with what was wrong.
 */
static int
setup_post(struct setup_io *io, struct arena *a, const char *self,
    const char *code_file, const char *code, size_t codelen)
{
	const char *clen = setup_env(io, "CONTENT_LENGTH");
	const char *ctype = setup_env(io, "CONTENT_TYPE");
	const char *conf = getenv("QUILL_CONFIG");
	const char *sent, *origin, *email, *password, *problem = NULL;
	char *body, msg[600];
	char *init_argv[] = { (char *)"quillctl", (char *)"init", NULL };
	char *add_argv[] = { (char *)"quillctl", (char *)"user", (char *)"add",
		NULL, (char *)"--role", (char *)"admin", NULL };
	struct buf page = { 0 }, out = { 0 };
	struct form f = { 0 };
	long len = clen != NULL ? strtol(clen, NULL, 10) : 0;
	size_t got = 0, n;
	int status = 400, done = 0;

	if (len <= 0 || len > SETUP_BODY_MAX || ctype == NULL ||
	    strncmp(ctype, "application/x-www-form-urlencoded", 33) != 0 ||
	    (body = arena_alloc(a, (size_t)len + 1)) == NULL) {
		problem = "Send the form as the page does.";
		status = len > SETUP_BODY_MAX ? 413 : 400;
		goto answer;
	}
	while (got < (size_t)len &&
	    (n = setup_read(io, body + got, (size_t)len - got)) > 0)
		got += n;
	body[got] = '\0';
	if (form_parse_urlencoded(a, body, got, &f) != FORM_OK) {
		problem = "Send the form as the page does.";
		goto answer;
	}
	sent = setup_field(&f, "code");
	origin = setup_field(&f, "origin");
	email = setup_field(&f, "email");
	password = setup_field(&f, "password");
	status = 403;
	if (!secret_equal(sent, strlen(sent), code, codelen)) {
		fprintf(stderr, "quill setup: a wrong setup code was sent\n");
		problem = "That is not the code in quill/setup-code.txt.";
		goto answer;
	}
	status = 400;
	while (*origin != '\0' && origin[strlen(origin) - 1] == '/')
		((char *)origin)[strlen(origin) - 1] = '\0';
	if (strlen(origin) > SETUP_ORIGIN_MAX || !config_origin_ok(origin)) {
		problem = "The site's address: give it as a browser shows it, "
		    "such as https://example.com, with nothing after the name.";
		goto answer;
	}
	if ((problem = setup_invalid(valid_email, "email", email, msg,
	    sizeof(msg))) != NULL || (problem = setup_invalid(valid_password,
	    "password", password, msg, sizeof(msg))) != NULL)
		goto answer;
	status = 500;
	if (conf == NULL || setup_write_origin(conf, origin) == -1) {
		problem = "Cannot write the settings file (quill/quill.conf): "
		    "it must be the account's, writable by it.";
		goto answer;
	}
	if (setup_run(self, init_argv, NULL, &out) == -1) {
		snprintf(msg, sizeof(msg), "Cannot create the database: %.*s",
		    (int)(out.len < 400 ? out.len : 400), out.data ? out.data : "");
		problem = msg;
		goto answer;
	}
	buf_reset(&out);
	add_argv[3] = (char *)email;
	if (setup_run(self, add_argv, password, &out) == -1) {
		setup_undo();
		status = 400;
		snprintf(msg, sizeof(msg), "%.*s",
		    (int)(out.len < 400 ? out.len : 400), out.data ? out.data : "");
		problem = msg;
		goto answer;
	}
	unlink(code_file);
	fprintf(stderr, "quill setup: the site is set up, administrator %s\n",
	    email);
	done = 1;
	status = 200;
	html_begin(&page, "Quill is set up");
	buf_puts(&page, "<h1>The site is set up</h1>\n<p>The database and "
	    "the administrator ");
	html_text(&page, email);
	buf_puts(&page, " are made, and this page is gone. ");
	html_link(&page, "/login", "Sign in");
	buf_puts(&page, ".</p>\n");
	setup_check_site(&page, self, origin);
	buf_puts(&page, "<p>Add the cron line of INSTALL.txt to the "
	    "account's crontab, so mail is sent and backups are made.</p>\n");
	html_end(&page);
	setup_answer(io, status, HTML_CONTENT_TYPE, NULL, &page);
	goto out;
answer:
	{
		char guess[SETUP_ORIGIN_MAX + 16];
		const char *o = f.n > 0 ? setup_field(&f, "origin") :
		    setup_origin_guess(io, guess, sizeof(guess));

		setup_page(&page, o, f.n > 0 ? setup_field(&f, "email") : "",
		    problem);
		setup_answer(io, status, HTML_CONTENT_TYPE, NULL, &page);
	}
out:
	buf_free(&page);
	buf_free(&out);
	return done;
}

/* 1 when the database exists: the site is set up. */
static int
setup_done(void)
{
	return access(config.db, F_OK) == 0;
}

/*
 * The API's error envelope, 503, with message: its request id in the
 * X-Request-Id header and the meta, and when to try again.
 */
static void
setup_unavailable(struct setup_io *io, const char *message, int retry)
{
	struct buf b = { 0 };
	unsigned char raw[8];
	char now[32], id[32], extra[96];

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		memset(raw, 0, sizeof(raw));
	snprintf(id, sizeof(id), "setup-%02x%02x%02x%02x%02x%02x%02x%02x",
	    raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7]);
	snprintf(extra, sizeof(extra), "X-Request-Id: %s\r\nRetry-After: %d\r\n",
	    id, retry);
	time_rfc3339(time(NULL), now, sizeof(now));
	buf_puts(&b, "{\"error\":{\"code\":\"UNAVAILABLE\",\"message\":\"");
	buf_json_escape(&b, message, strlen(message));
	buf_printf(&b, "\"},\"meta\":{\"timestamp\":\"%s\",\"requestId\":"
	    "\"%s\"}}", now, id);
	setup_answer(io, 503, "application/json", extra, &b);
	buf_free(&b);
}

/* One request while the site is not set up; 1 when it then ends. */
static int
setup_request(struct setup_io *io, struct arena *a, const char *self,
    const char *code_file)
{
	const char *method = setup_env(io, "REQUEST_METHOD");
	const char *uri = setup_env(io, "REQUEST_URI");
	const char *sn = setup_env(io, "SCRIPT_NAME");
	const char *pi = setup_env(io, "PATH_INFO");
	char code[SETUP_CODE_MAX + 2], guess[SETUP_ORIGIN_MAX + 16];
	struct buf page = { 0 };
	long codelen;
	int end = 0;

	if (uri == NULL || (sn != NULL && strncmp(uri, sn, strlen(sn)) == 0))
		uri = pi != NULL ? pi : "/";
	if (setup_done()) {
		/* Another process finished it: the next request is served. */
		setup_unavailable(io, "The site has just been set up: send the "
		    "request again.", 1);
		end = 1;
	} else if (strncmp(uri, "/api/", 5) == 0) {
		setup_unavailable(io, "The site is not set up yet: its home "
		    "page does it.", 60);
	} else if ((codelen = setup_code(code_file, code, sizeof(code))) <
	    SETUP_CODE_MIN) {
		fprintf(stderr, "quill setup: %s: %s\n", code_file, codelen < 0 ?
		    strerror(errno) : "a setup code needs 20 characters or more");
		html_begin(&page, "Set up Quill");
		buf_puts(&page, "<h1>Set up this site</h1>\n<p>The setup code "
		    "file, quill/setup-code.txt, cannot be used: it must be the "
		    "account's, and a code written into it 20 characters or "
		    "longer. Empty it, and a code is made for you.</p>\n");
		html_end(&page);
		setup_answer(io, 500, HTML_CONTENT_TYPE, NULL, &page);
	} else if (method != NULL && strcmp(method, "POST") == 0) {
		end = setup_post(io, a, self, code_file, code, (size_t)codelen);
	} else {
		setup_page(&page, setup_origin_guess(io, guess, sizeof(guess)),
		    "", NULL);
		setup_answer(io, 200, HTML_CONTENT_TYPE, NULL, &page);
	}
	explicit_bzero(code, sizeof(code));
	buf_free(&page);
	return end;
}

int
setup_serve(const char *self, const char *program, const char *code_file)
{
	char *prog_argv[] = { (char *)program, NULL };
	struct setup_io io = { NULL, NULL, environ };
	struct arena *a;
	FCGX_Request fr;
	char err[512];

	if (config_load(err, sizeof(err)) == -1) {
		fprintf(stderr, "quill setup: %s\n", err);
		return 1;
	}
	if (setup_done()) {
		unlink(code_file);
		execv(program, prog_argv);
		fprintf(stderr, "quill setup: cannot run %s: %s\n", program,
		    strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((a = arena_new()) == NULL)
		return 1;
	if (FCGX_IsCGI()) {
		setup_request(&io, a, self, code_file);
		arena_free(a);
		return 0;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&fr) >= 0) {
		int end;

		io.fin = fr.in;
		io.fout = fr.out;
		io.envp = fr.envp;
		arena_reset(a);
		end = setup_request(&io, a, self, code_file);
		FCGX_Finish_r(&fr);
		if (!end)
			continue;
		/*
		 * The site exists: the program takes this process's place on
		 * the same socket.  A process that exited instead could be
		 * handed the next request by mod_fcgid as it went, which the
		 * client would get as a 500.
		 */
		arena_free(a);
		execv(program, prog_argv);
		fprintf(stderr, "quill setup: cannot run %s: %s\n", program,
		    strerror(errno));
		return 1;
	}
	FCGX_Free(&fr, 1);
	arena_free(a);
	return 0;
}
