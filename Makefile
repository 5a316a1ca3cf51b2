# Quill: build, run, stop, test.  `make help` lists the targets.

PORT	?= 8080
BUILD	?= build
VAR	?= var
SAN	?=
# The web server of `make run`: lighttpd or apache.
SERVER	?= lighttpd
# `make run NODES=2`: that many lighttpd nodes behind haproxy on one
# PostgreSQL (tools/cluster.sh, docs/deploy-cluster.md); unset, one server.
NODES	?=
# Where `make install` puts things (DESTDIR for staging); the settings and
# the state go under /etc and /var whatever the PREFIX, as the FHS has it.
PREFIX	?= /usr/local
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var
RUNSTATEDIR ?= /run
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
MANDIR	?= $(PREFIX)/share/man
DESTDIR	?=
# Who the programs run as.
QUILL_USER ?= quill

PKGS	 = fcgi libcjson sqlite3 libsodium libjwt libseccomp libqrencode libpq
# Debian packages, by what needs them.  `make run`: a compiler, the eight
# libraries (libpq: the programs speak to PostgreSQL when QUILL_DB names
# one; SQLite stays the default and needs no server), lighttpd, and curl
# (run.sh waits for the server with it).
RUN_DEB_PKGS = build-essential pkg-config libfcgi-dev libcjson-dev \
	   libsqlite3-dev libpq-dev libsodium-dev libjwt-dev libseccomp-dev libqrencode-dev \
	   lighttpd curl
# `make run SERVER=apache`: Apache, and spawn-fcgi to start the programs
# that its mod_proxy_fcgi talks to.
APACHE_DEB_PKGS = apache2 spawn-fcgi
# `make run NODES=N`: the load balancer, and PostgreSQL's server for the
# database the nodes share.
CLUSTER_DEB_PKGS = haproxy postgresql-15
# `make test` besides: both servers in every layout the tests serve (Apache
# with mod_fcgid, lighttpd's production example with TLS), the sqlite3 and
# cgi-fcgi tools, prove and its TLS client, openssl for the test
# certificate, suexec-custom (t/32 runs the bundle as its owner), the
# browser, valgrind, promtool (prometheus), which checks the metrics and
# the alert rules, systemd-analyze (which rates the units' confinement and
# lists the system calls they allow), Java for the Nu HTML Checker
# (npm's vnu-jar) that reads the pages, and PostgreSQL's server, whose
# throwaway clusters the PostgreSQL pass runs on (QUILL_TEST_DB), and
# haproxy, which t/47 puts in front of two nodes.
TEST_DEB_PKGS = $(APACHE_DEB_PKGS) $(CLUSTER_DEB_PKGS) libapache2-mod-fcgid apache2-suexec-custom \
	   lighttpd-mod-openssl \
	   libfcgi-bin sqlite3 perl libio-socket-ssl-perl openssl chromium \
	   valgrind mandoc prometheus systemd default-jre-headless
# `make deb`: debhelper and lintian, and the build's own packages.
DEB_DEB_PKGS = $(RUN_DEB_PKGS) debhelper dpkg-dev lintian
# `make release-check`: mmdebstrap makes the bare Debian 12 root the
# package is installed into; sqlite3 sets its database back a migration.
RELEASE_DEB_PKGS = $(DEB_DEB_PKGS) mmdebstrap sqlite3
# `make bench` (besides what `make test` installs, Apache included): the
# load generator, and PHP-FPM with PDO's SQLite driver for the PHP peer
# (bench/php/) that Quill is measured against.
BENCH_DEB_PKGS = wrk php-fpm php-sqlite3
# What `make fuzz` needs besides: libFuzzer comes with clang's runtime.
FUZZ_DEB_PKGS = clang libclang-rt-14-dev
# node and npm run the tools of package.json (the browser tests, the OpenAPI
# linter and the contract check); installed from Debian only when there is
# no node or npm at all, since another node serves as well (package.json's
# "engines" says which: Debian 12's node 18 and npm 9 are enough).
NODE_DEB_PKGS = nodejs npm
# The Redocly CLI would otherwise send usage data, and wait on the network.
REDOCLY	 = REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
	   node_modules/.bin/redocly

CC	?= cc
WARN	 = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral
HARDEN	 = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
ifeq ($(SAN),1)
# QUILL_SANITIZED: the sandbox lets the sanitizers' runtime do its work.
OPT	 = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	   -fno-sanitize-recover=undefined -DQUILL_SANITIZED
HARDEN	 = -fstack-protector-strong -fPIE
else ifeq ($(SAN),fuzz)
# libFuzzer coverage for everything; `make fuzz` builds with clang.
OPT	 = -O1 -g -fno-omit-frame-pointer \
	   -fsanitize=fuzzer-no-link,address,undefined \
	   -fno-sanitize-recover=undefined
HARDEN	 = -fstack-protector-strong -fPIE
else
OPT	 = -O2 -g
endif
# The libraries' flags, asked of pkg-config when a recipe first needs them,
# not when make reads this file: `make deps-run` may only now have installed
# pkg-config and the libraries.  Each answer is kept once it has been had.
PKG_CFLAGS = $(call pkg_config,PKG_CFLAGS,--cflags)
PKG_LIBS   = $(call pkg_config,PKG_LIBS,--libs)
pkg_config = $(if $(pkg_found),$(eval $(1) := $(shell pkg-config $(2) $(PKGS)))$($(1)),$(error $(pkg_missing)))
pkg_found = $(shell pkg-config --exists $(PKGS) 2>/dev/null && echo yes)
pkg_missing = pkg-config finds no $(PKGS): `make deps-run` installs them \
	(as root; otherwise it prints the apt-get line to run)
# -I$(BUILD): the generated headers are included as "gen/templates.h".
CPPFLAGS = -D_DEFAULT_SOURCE -Ilib -I$(BUILD)/gen -I$(BUILD) $(PKG_CFLAGS)
CFLAGS	 = -std=c11 $(WARN) $(OPT) $(HARDEN)
LDFLAGS	 = -pie -Wl,-z,relro,-z,now $(OPT)
LDLIBS	 = $(PKG_LIBS)

# lib/ in layers, lowest first; each includes only the ones below it, and
# names the layer: #include "base/buf.h" (tools/check-layers.pl, make lint).
# -Ilib is the only flag: -Ilib/base would let base/time.h shadow <time.h>.
LAYERS	 = base pure store web
LIB_SRC	 = $(sort $(foreach l,$(LAYERS),$(wildcard lib/$(l)/*.c)))
LIB_HDR	 = $(wildcard $(LAYERS:%=lib/%/*.h))
LIB_OBJ	 = $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/migrations.o \
	   $(BUILD)/gen/migrations_pg.o $(BUILD)/gen/templates.o
# The site's pages and mails: templates/*.html and templates/mail/*.txt,
# compiled by tools/templates.pl into
# tables the programs carry (docs/forms.md); the unit test of lib/pure/tpl
# has templates of its own.
TEMPLATES = $(sort $(wildcard templates/*.html)) \
	    $(sort $(wildcard templates/mail/*.txt))
TEST_TEMPLATES = $(sort $(wildcard t/unit/templates/*.html)) \
	    $(sort $(wildcard t/unit/templates/*.txt))
LIB	 = $(BUILD)/libquill.a
PROGRAMS = auth users posts
PROGS	 = $(PROGRAMS:%=$(BUILD)/%.fcgi)
# A program is cgi-bin/NAME.c, or every file of cgi-bin/NAME/ once it
# outgrows one; its own headers live beside its sources.
prog_src = $(or $(sort $(wildcard cgi-bin/$(1)/*.c)),cgi-bin/$(1).c)
PROG_SRC = $(foreach p,$(PROGRAMS),$(call prog_src,$(p)))
PROG_HDR = $(wildcard cgi-bin/*/*.h)
TOOLS	 = $(BUILD)/quillctl
# The manual pages, made from man/NAME.in with the paths above filled in;
# quill.conf(5) lists the settings from lib/base/config.c's table.
MAN_PAGES = $(BUILD)/man/quill.7 $(BUILD)/man/quill.conf.5 \
	   $(BUILD)/man/quillctl.8
UNIT_SRC = $(sort $(wildcard t/unit/*.c))
UNITS	 = $(UNIT_SRC:t/unit/%.c=$(BUILD)/t/unit/%)
# Programs the tests run: t/bin/<name>.c, each a file of its own.
TEST_BINS = $(patsubst t/bin/%.c,$(BUILD)/t/bin/%,$(wildcard t/bin/*.c))
SQL	 = $(sort $(wildcard sql/[0-9][0-9][0-9]_*.sql))
# The same migrations in PostgreSQL's dialect (docs/postgresql.md).
SQL_PG	 = $(sort $(wildcard sql/postgresql/[0-9][0-9][0-9]_*.sql))

# Fuzz targets: t/fuzz/<name>.c, seeds in t/fuzz/corpus/<name>/.  `make test`
# replays the seeds (replay-<name>); `make fuzz` runs libFuzzer on each.
FUZZ_SRC = $(filter-out t/fuzz/replay.c,$(sort $(wildcard t/fuzz/*.c)))
FUZZ_NAMES = $(FUZZ_SRC:t/fuzz/%.c=%)
FUZZ_REPLAYS = $(FUZZ_NAMES:%=$(BUILD)/t/fuzz/replay-%)
FUZZ_TARGETS ?= $(FUZZ_NAMES)
FUZZ_SECONDS ?= 60
FUZZ_BUILD = build/fuzz
FUZZ_CC	 ?= clang

.PHONY: all programs deps deps-run install uninstall install-htdocs deb dist \
	bundle-check \
	release-check run stop cert test test-asan mutants bench bench-instructions lint format \
	clean help fuzz fuzz-merge fuzz-targets api-docs man FORCE

all: programs man $(UNITS) $(FUZZ_REPLAYS) $(TEST_BINS) $(BUILD)/t/quillctl-sysconf  ## build the programs, quillctl, the manual pages and the tests

programs: $(PROGS) $(TOOLS)  ## build the programs and quillctl only

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
	    sed -E 's/^([a-z-]+):.*## (.*)/\1\t\2/' | \
	    awk -F '\t' '{ printf "  make %-13s %s\n", $$1, $$2 }'

deps-run:  ## install the Debian packages that `make run` needs
	@sh tools/deps.sh $(RUN_DEB_PKGS) \
	    $(if $(filter apache,$(SERVER)),$(APACHE_DEB_PKGS)) \
	    $(if $(NODES),$(CLUSTER_DEB_PKGS))

deps:  ## install the Debian and npm packages needed to build, run and test
	@sh tools/deps.sh $(RUN_DEB_PKGS) $(TEST_DEB_PKGS) $(EXTRA_PKGS) \
	    $$({ command -v node && command -v npm; } >/dev/null 2>&1 || \
	    echo $(NODE_DEB_PKGS))
	@# npm writes node_modules/.package-lock.json: older than the lock file,
	@# node_modules is from before a change of package.json.  Nothing in it
	@# downloads a browser: playwright-core drives Debian's chromium.
	@if [ ! -f node_modules/.package-lock.json ] || \
	    [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	    echo "deps: npm ci"; npm ci --no-audit --no-fund || exit 1; fi

$(BUILD)/%.o: %.c $(LIB_HDR) $(PROG_HDR) $(BUILD)/gen/templates.h | $(BUILD)/gen/migrations.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The generator rewrites the header only when it changes (a name or a
# template added or gone), so editing a page rebuilds its table alone.  The
# header's empty recipe makes make look at it again after the generator
# ran, so that a changed header rebuilds what includes it in the same run.
$(BUILD)/gen/templates.c: $(TEMPLATES) tools/templates.pl
	@mkdir -p $(@D)
	perl tools/templates.pl $(BUILD)/gen/templates $(TEMPLATES)
$(BUILD)/gen/templates.h: $(BUILD)/gen/templates.c ;

$(BUILD)/gen/templates.o: $(BUILD)/gen/templates.c $(BUILD)/gen/templates.h lib/pure/tpl.h
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/gen/test_templates.c: $(TEST_TEMPLATES) tools/templates.pl
	@mkdir -p $(@D)
	perl tools/templates.pl $(BUILD)/gen/test_templates $(TEST_TEMPLATES)
$(BUILD)/gen/test_templates.h: $(BUILD)/gen/test_templates.c ;

$(BUILD)/gen/test_templates.o: $(BUILD)/gen/test_templates.c $(BUILD)/gen/test_templates.h lib/pure/tpl.h
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/gen/migrations.c: $(SQL) tools/embed-sql.sh
	@mkdir -p $(@D)
	sh tools/embed-sql.sh $(SQL) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/migrations.o: $(BUILD)/gen/migrations.c lib/store/db.h
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/gen/migrations_pg.c: $(SQL_PG) tools/embed-sql.sh
	@mkdir -p $(@D)
	sh tools/embed-sql.sh -n db_migrations_pg $(SQL_PG) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/migrations_pg.o: $(BUILD)/gen/migrations_pg.c lib/store/db.h
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

define prog_rule
$(BUILD)/$(1).fcgi: $(patsubst %.c,$(BUILD)/%.o,$(call prog_src,$(1))) $(LIB)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach p,$(PROGRAMS),$(eval $(call prog_rule,$(p))))

# The shared-hosting bundle's programs: the same objects, linked to find
# their libraries beside them.  $ORIGIN goes in DT_RPATH, not RUNPATH:
# only an RPATH is also searched for the libraries' own dependencies
# (libjwt's libjansson and libcrypto).
DIST_LDFLAGS = -Wl,--disable-new-dtags,-rpath,'$$ORIGIN'
DIST_BINS = $(PROGRAMS:%=$(BUILD)/dist/bin/%.fcgi) $(BUILD)/dist/bin/quillctl
define dist_rule
$(BUILD)/dist/bin/$(1).fcgi: $(patsubst %.c,$(BUILD)/%.o,$(call prog_src,$(1))) $(LIB)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) $$(DIST_LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach p,$(PROGRAMS),$(eval $(call dist_rule,$(p))))
$(BUILD)/dist/bin/quillctl: $(BUILD)/tools/quillctl.o $(BUILD)/tools/setup.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $(DIST_LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/quillctl: $(BUILD)/tools/quillctl.o $(BUILD)/tools/setup.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The installation's paths as this build knows them: rewritten only when
# one changes, so that what names them is built again then, and only then.
$(BUILD)/gen/paths: FORCE
	@mkdir -p $(@D)
	@echo 'PREFIX=$(PREFIX) SYSCONFDIR=$(SYSCONFDIR) LOCALSTATEDIR=$(LOCALSTATEDIR)' | \
	    cmp -s - $@ 2>/dev/null || echo 'PREFIX=$(PREFIX) SYSCONFDIR=$(SYSCONFDIR) LOCALSTATEDIR=$(LOCALSTATEDIR)' > $@

$(BUILD)/tools/quillctl.o: CPPFLAGS += -DQUILL_SYSCONFDIR='"$(SYSCONFDIR)"'
$(BUILD)/tools/quillctl.o: $(BUILD)/gen/paths

# quillctl as if installed with its settings directory in the build
# directory, where t/42-quillctl-operator.t writes a quill/quill.conf.
$(BUILD)/t/quillctl-sysconf.o: tools/quillctl.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -DQUILL_SYSCONFDIR='"$(abspath $(BUILD))/t/etc"' \
	    $(CFLAGS) -c -o $@ $<

$(BUILD)/t/quillctl-sysconf: $(BUILD)/t/quillctl-sysconf.o $(BUILD)/tools/setup.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

man: $(MAN_PAGES)  ## the manual pages, in $(BUILD)/man/

fill_paths = sed -e 's|@PREFIX@|$(PREFIX)|g' \
	-e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	-e 's|@LOCALSTATEDIR@|$(LOCALSTATEDIR)|g'

$(BUILD)/man/%: man/%.in $(BUILD)/gen/paths
	@mkdir -p $(@D)
	$(fill_paths) $< > $@.tmp && mv $@.tmp $@

# Its SETTINGS section is printed by a program linked with the library.
$(BUILD)/man/quill.conf.5: man/quill.conf.5.in $(BUILD)/gen/paths \
	    $(BUILD)/tools/man-settings
	@mkdir -p $(@D)
	$(BUILD)/tools/man-settings > $@.settings
	$(fill_paths) -e '/^@SETTINGS@$$/{r $@.settings' -e 'd;}' $< > $@.tmp
	rm -f $@.settings
	mv $@.tmp $@

$(BUILD)/tools/man-settings: $(BUILD)/tools/man-settings.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/t/unit/%: $(BUILD)/t/unit/%.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/t/unit/%.o: t/unit/%.c t/unit/*.h $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The unit test of the engine, with its own templates.
$(BUILD)/t/unit/tpl.o: $(BUILD)/gen/test_templates.h
$(BUILD)/t/unit/tpl: $(BUILD)/t/unit/tpl.o $(BUILD)/gen/test_templates.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/t/bin/%: t/bin/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

$(BUILD)/t/fuzz/%.o: t/fuzz/%.c t/fuzz/fuzz.h $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/t/fuzz/replay-%.o: t/fuzz/replay.c t/fuzz/fuzz.h $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -DFUZZ_CORPUS='"t/fuzz/corpus/$*"' $(CFLAGS) -c -o $@ $<

$(BUILD)/t/fuzz/replay-%: $(BUILD)/t/fuzz/%.o $(BUILD)/t/fuzz/replay-%.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/t/fuzz/fuzz-%: $(BUILD)/t/fuzz/%.o $(LIB)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)


# `make install`: tools/install.sh has the list of what goes where, and
# fills the paths below into every file that names one.  The programs in
# $(PREFIX)/lib/quill, quillctl in $(PREFIX)/sbin, the settings and the web
# servers', cron's and logrotate's files under $(SYSCONFDIR) (never
# overwritten), state, mail spool, logs and backups under $(LOCALSTATEDIR).
INSTALL_ENV = DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" \
	SYSCONFDIR="$(SYSCONFDIR)" LOCALSTATEDIR="$(LOCALSTATEDIR)" \
	RUNSTATEDIR="$(RUNSTATEDIR)" SYSTEMDUNITDIR="$(SYSTEMDUNITDIR)" \
	MANDIR="$(MANDIR)" BUILD="$(BUILD)" QUILL_USER="$(QUILL_USER)" \
	HTDOCS_FILES="$(HTDOCS_FILES)" MAN_PAGES="$(MAN_PAGES)"
install: programs $(MAN_PAGES)  ## install Quill under $(PREFIX), $(SYSCONFDIR) and $(LOCALSTATEDIR) (DESTDIR to stage)
	@$(INSTALL_ENV) sh tools/install.sh install

uninstall:  ## remove what `make install` installed (data and changed settings stay)
	@$(INSTALL_ENV) sh tools/install.sh uninstall

# The static pages: only the files that are pages, so that an editor's
# backup or a dotfile lying in HTDOCS is never published.
HTDOCS	?= htdocs
HTDOCS_FILES = $(wildcard $(addprefix $(HTDOCS)/*.,html css js svg png ico))
install-htdocs:
	@$(INSTALL_ENV) sh tools/install.sh install-htdocs

# run and test install, build and go on in makes of their own, one after the
# other: each reads what the one before installed (pkg-config's answers).
run:  ## start Quill on 127.0.0.1:$(PORT) with var/quill.db (SERVER=apache for Apache; NODES=2: two nodes behind haproxy on PostgreSQL)
	@$(MAKE) --no-print-directory deps-run
	@$(MAKE) --no-print-directory programs
ifneq ($(NODES),)
	@sh tools/cluster.sh start "$(BUILD)" "$(VAR)" "$(PORT)" "$(NODES)"
else
	@sh tools/run.sh start "$(BUILD)" "$(VAR)" "$(PORT)" "$(SERVER)"
endif

stop:  ## stop what `make run` started
	@if [ -f "$(VAR)/run/cluster" ]; then \
	    sh tools/cluster.sh stop "$(BUILD)" "$(VAR)" "$(PORT)"; \
	else sh tools/run.sh stop "$(BUILD)" "$(VAR)" "$(PORT)"; fi

cert:  ## make a self-signed certificate for local HTTPS tests in var/tls/
	@sh tools/make-cert.sh "$(VAR)/tls"

# The unit tests once, the integration tests against each web server, and
# the routing, pagination, metrics and two-factor tests once more against
# each production layout those runs do not serve (QUILL_TEST_LAYOUT,
# t/lib/QuillTest.pm): lighttpd/quill.conf, and apache/htaccess under
# mod_fcgid.  The plain-CGI layouts, a process per request, run the
# routing, metrics and browser-form tests alone.
#
# Each test file starts servers of its own on ports of its own, so prove
# runs TEST_JOBS of them at once: most of a test's time is spent waiting
# (for a TOTP step, a time limit, a browser), not computing.  The longest
# start first (T_SLOW).  T_ALONE run one at a time after the others: they
# `make install` from this tree, which must not relink a program another
# test is starting.  t/99 reads the exchanges every other test recorded,
# so it comes last.
TEST_ENV = QUILL_TLS_DIR=$(abspath $(VAR))/tls
TEST_JOBS ?= 3
T_SLOW	= t/58-mfa.t t/59-mfa-pages.t t/93-browser.t t/77-portman.t \
	  t/01-fresh-machine.t
T_ALONE	= t/85-systemd-unit.t t/88-deny-files.t t/94-install.t t/97-cron.t
T_LAST	= t/99-contract.t
T_ALL	= $(sort $(wildcard t/*.t))
T_PAR	= $(T_SLOW) $(filter-out $(T_SLOW) $(T_ALONE) $(T_LAST),$(T_ALL))
# prove, and at its end what the failing tests said (tools/prove.sh).
PROVE	= bash tools/prove.sh --timer
# test_pass ENV, FIRST: one pass of every test file, FIRST (the unit
# tests and fuzz replays) among the parallel ones.
define test_pass
	$(1) $(PROVE) -j$(TEST_JOBS) $(T_SLOW) $(2) \
	    $(filter-out $(T_SLOW),$(T_PAR))
	$(1) $(PROVE) $(T_ALONE) $(T_LAST)
endef
LAYOUT_TESTS = t/58-mfa.t t/59-mfa-pages.t t/62-posts-list.t \
	   t/72-users-list.t t/11-routing.t t/13-site-routing.t t/43-metrics.t
CGI_LAYOUT_TESTS = t/11-routing.t t/13-site-routing.t t/43-metrics.t \
	t/90-forms-cookie.t
# layout_tests BUILD-ENV: the runs above, for test and test-asan.
define layout_tests
	@echo "== routing, pagination, metrics and two-factor against lighttpd/quill.conf"
	$(1) QUILL_TEST_SERVER=lighttpd QUILL_TEST_LAYOUT=production \
	    $(PROVE) -j$(TEST_JOBS) $(LAYOUT_TESTS)
	@echo "== routing, pagination, metrics and two-factor against apache/htaccess (mod_fcgid)"
	$(1) QUILL_TEST_SERVER=apache QUILL_TEST_LAYOUT=fcgid \
	    $(PROVE) -j$(TEST_JOBS) $(LAYOUT_TESTS)
	@echo "== routing, metrics and forms against the plain-CGI layouts"
	$(1) QUILL_TEST_SERVER=apache QUILL_TEST_LAYOUT=cgi \
	    $(PROVE) -j$(TEST_JOBS) $(CGI_LAYOUT_TESTS)
	$(1) QUILL_TEST_SERVER=apache QUILL_TEST_LAYOUT=shared-cgi \
	    $(PROVE) -j$(TEST_JOBS) $(CGI_LAYOUT_TESTS)
endef
test:  ## run the whole test suite (integration tests on lighttpd and on Apache, and on PostgreSQL)
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all cert
	@echo "== unit tests, and integration tests against lighttpd"
	$(call test_pass,$(TEST_ENV) QUILL_BUILD=$(BUILD) QUILL_TEST_SERVER=lighttpd,$(UNITS) $(FUZZ_REPLAYS))
	@echo "== integration tests against Apache"
	$(call test_pass,$(TEST_ENV) QUILL_BUILD=$(BUILD) QUILL_TEST_SERVER=apache)
	$(call layout_tests,$(TEST_ENV) QUILL_BUILD=$(BUILD))
	@echo "== integration tests against PostgreSQL on lighttpd"
	$(call test_pass,$(TEST_ENV) QUILL_BUILD=$(BUILD) QUILL_TEST_SERVER=lighttpd QUILL_TEST_DB=postgresql)

ASAN_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:log_path=stderr \
	   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 QUILL_BUILD=build/asan \
	   QUILL_SAN=1
test-asan:  ## the whole suite built with AddressSanitizer and UBSan
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory cert
	$(MAKE) BUILD=build/asan SAN=1 all
	$(call test_pass,$(TEST_ENV) $(ASAN_ENV) QUILL_TEST_SERVER=lighttpd,$(UNIT_SRC:t/unit/%.c=build/asan/t/unit/%) $(FUZZ_NAMES:%=build/asan/t/fuzz/replay-%))
	$(call test_pass,$(TEST_ENV) $(ASAN_ENV) QUILL_TEST_SERVER=apache)
	$(call layout_tests,$(TEST_ENV) $(ASAN_ENV))

# Each mutant of t/mutants/ planted in turn in a copy of the tree
# (build/mutants/src), with the tests it names run against lighttpd: slow,
# and not part of `make test`, which checks only that each still applies.
# `make mutants MUTANTS="name ..."` runs some.
mutants:  ## plant the kept mutants one at a time and run their tests (slow)
	@$(MAKE) --no-print-directory cert
	$(TEST_ENV) perl tools/mutants.pl $(MUTANTS)

fuzz:  ## run each fuzz target FUZZ_SECONDS (60) under libFuzzer, ASan, UBSan
	$(MAKE) deps EXTRA_PKGS="$(FUZZ_DEB_PKGS)"
	$(MAKE) BUILD=$(FUZZ_BUILD) SAN=fuzz CC=$(FUZZ_CC) fuzz-targets
	sh tools/fuzz.sh run $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-merge:  ## add what `make fuzz` found that adds coverage to t/fuzz/corpus
	$(MAKE) deps EXTRA_PKGS="$(FUZZ_DEB_PKGS)"
	$(MAKE) BUILD=$(FUZZ_BUILD) SAN=fuzz CC=$(FUZZ_CC) fuzz-targets
	sh tools/fuzz.sh merge $(FUZZ_BUILD) 0 $(FUZZ_TARGETS)

fuzz-targets: $(FUZZ_TARGETS:%=$(BUILD)/t/fuzz/fuzz-%)

# `make dist`: the shared-hosting bundle (tools/dist.sh, bundle/).  It
# fails when the bundle needs a newer C library than GLIBC_FLOOR, the one
# docs/deploy-shared-hosting.md promises (measured on Debian 12).
GLIBC_FLOOR = 2.34
dist: $(DIST_BINS)  ## build the shared-hosting bundle $(BUILD)/dist/quill-<version>-linux-<arch>.tar.gz
	@HTDOCS_FILES="$(HTDOCS_FILES)" GLIBC_FLOOR=$(GLIBC_FLOOR) sh tools/dist.sh tarball $(BUILD)

deb:  ## build the Debian package $(BUILD)/deb/quill_<version>_<arch>.deb, checked by lintian
	@sh tools/deps.sh $(DEB_DEB_PKGS)
	@sh tools/deb.sh $(BUILD)/deb

# The package on a bare Debian 12 root with Apache: installed, served
# (register, login, me, a post), upgraded over itself, purged.  Then the
# shared-hosting bundle on another bare root with Apache, mod_fcgid and
# suEXEC and none of Quill's libraries: unpacked by an ordinary user as
# the guide says, served under mod_fcgid and as plain CGI
# (tools/bundle-check.sh).  CI runs it after `make test`; it takes a few
# minutes and needs root and a mirror.
release-check:  ## build the package and the bundle, and try each on a bare Debian 12
	@sh tools/deps.sh $(RELEASE_DEB_PKGS)
	@sh tools/deb.sh $(BUILD)/deb
	@sh tools/release-check.sh $(BUILD)/deb/quill_$$(dpkg-parsechangelog -S Version)_$$(dpkg-architecture -q DEB_HOST_ARCH).deb
	@$(MAKE) --no-print-directory bundle-check

bundle-check: dist  ## the shared-hosting bundle on a bare Debian 12, under suEXEC, mod_fcgid and plain CGI
	@sh tools/deps.sh mmdebstrap
	@sh tools/bundle-check.sh $(BUILD)/dist/quill-$$(dpkg-parsechangelog -S Version)-linux-$$(uname -m).tar.gz

bench:  ## measure speed and memory with wrk on loopback, on SQLite then PostgreSQL (BENCH_SKIP_PG=1: SQLite only)
	@$(MAKE) --no-print-directory deps EXTRA_PKGS="$(BENCH_DEB_PKGS)"
	@$(MAKE) --no-print-directory programs $(BUILD)/bench/hello.fcgi \
	    $(BUILD)/bench/metrics-cost
	QUILL_BUILD=$(BUILD) perl bench/bench.pl
	@[ -n "$(BENCH_SKIP_PG)" ] || QUILL_BUILD=$(BUILD) BENCH_DB=postgresql \
	    perl bench/bench.pl

# Instructions per request, counted by callgrind: the same figure on a busy
# machine.  BENCH_BASE=<git revision> sets another revision's beside it.
bench-instructions: programs  ## count each request's instructions (BENCH_BASE=rev compares)
	@command -v valgrind >/dev/null 2>&1 || $(MAKE) --no-print-directory deps
	QUILL_BUILD=$(BUILD) perl bench/instructions.pl

$(BUILD)/bench/hello.fcgi: bench/hello.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

$(BUILD)/bench/metrics-cost: bench/metrics-cost.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

lint:  ## the layers of lib/, cppcheck, clang-tidy and the OpenAPI linter
	perl tools/check-layers.pl
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --inline-suppr --suppress=varFuncNullUB --std=c11 -Ilib lib cgi-bin tools
	clang-tidy --quiet $(LIB_SRC) $(PROG_SRC) tools/*.c -- $(CPPFLAGS) -std=c11
	$(REDOCLY) lint

# build-docs links Redoc's script from a CDN; the copy in node_modules makes
# the page work offline too.
api-docs: deps  ## docs/openapi.yaml as a web page: build/api-docs/index.html
	@mkdir -p $(BUILD)/api-docs
	$(REDOCLY) build-docs docs/openapi.yaml --disableGoogleFont \
	    -o $(BUILD)/api-docs/index.html
	cp node_modules/redoc/bundles/redoc.standalone.js $(BUILD)/api-docs/
	sed -i 's|src="https://[^"]*/redoc.standalone.js"|src="redoc.standalone.js"|' \
	    $(BUILD)/api-docs/index.html

format:  ## reformat the C sources with .clang-format
	clang-format -i $(LIB_SRC) $(LIB_HDR) $(PROG_SRC) $(PROG_HDR) tools/*.c \
	    t/unit/*.c t/unit/*.h

clean:  ## remove build output (var/ is kept)
	rm -rf build

.SECONDARY:
