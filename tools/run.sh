#!/bin/sh
# Starts or stops a web server serving Quill from a build directory, with all
# state in one directory.  `make run` / `make stop` and the tests use it.
#   tools/run.sh start BUILD VAR PORT [lighttpd | apache [MODE]]
#   tools/run.sh stop BUILD VAR PORT
# lighttpd modes:
#   dev         lighttpd/quill-dev.conf.in, lighttpd spawns the programs
#               (the default)
#   production  lighttpd/quill.conf, the production example, with its paths
#               and ports pointed here: HTTPS on PORT (needs QUILL_TLS_CERT
#               and QUILL_TLS_KEY), plain HTTP redirecting to it on
#               QUILL_HTTP_PORT, the programs started by spawn-fcgi
# Apache modes:
#   proxy  apache/quill.conf: mod_proxy_fcgi to programs that spawn-fcgi
#          starts on unix sockets in VAR/run (the production layout)
#   cgi    apache/quill.conf's plain-CGI variant: one process per request
#   fcgid  apache/quill-fcgid.conf + the bundle of `make dist` (its
#          .htaccess is apache/htaccess): the shared-hosting layout, with
#          the document root in VAR/htdocs
#   shared-cgi  the same layout on a host without mod_fcgid (plain CGI)
# The shared-hosting modes serve the bundle's .htaccess from a vhost that
# grants the least the guide asks for (apache/quill-fcgid.conf's
# QuillSharedHost); QUILL_APACHE_HOST=all grants AllowOverride All instead,
# QUILL_APACHE_HOST=norewrite leaves mod_rewrite out.
# QUILL_SUEXEC_USER=NAME (as root, with apache2-suexec-custom) runs the
# programs as NAME through suEXEC: the bundle is NAME's, with its own
# settings (VAR/quill.conf without the paths) and its state in quill/state
# (made by the bundle's quillctl init, as NAME), and Apache runs as
# QUILL_APACHE_USER, for whom /etc/apache2/suexec/ must have a file;
# with QUILL_FIRST_RUN=1 too, the bundle is left as uploaded, its
# database made by the setup page.
# With QUILL_TLS_CERT and QUILL_TLS_KEY set, Apache serves HTTPS.
# QUILL_PUBLIC_ORIGIN, when set, is the origin lighttpd's development
# layout gives the programs instead of its own (a node behind haproxy,
# tools/cluster.sh).  The
# static pages come from QUILL_HTDOCS (default: htdocs/ of the tree).
set -eu

cmd=$1 build=$2 var=$3 port=$4 server=${5:-lighttpd} mode=${6:-}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$var"
var=$(cd "$var" && pwd)
build=$(cd "$build" && pwd)
htdocs=$(cd "${QUILL_HTDOCS:-$root/htdocs}" && pwd)
scheme=http
[ -n "${QUILL_TLS_CERT:-}" ] && scheme=https
url=$scheme://127.0.0.1:$port

# Which server `start` left running in var (lighttpd for an older var/).
started() {
	cat "$var/run/server" 2>/dev/null || echo lighttpd
}

running() {
	pidfile=$var/run/$(started).pid
	[ -f "$pidfile" ] && alive "$(cat "$pidfile")"
}

# Fills a configuration template: fill TEMPLATE OUTPUT
fill() {
	sed -e "s|@ROOT@|$root|g" -e "s|@BIN@|$build|g" -e "s|@VAR@|$var|g" \
	    -e "s|@HTDOCS@|$htdocs|g" \
	    -e "s|@PORT@|$port|g" -e "s|@SCHEME@|$scheme|g" \
	    -e "s|@ORIGIN@|${QUILL_PUBLIC_ORIGIN:-$url}|g" \
	    -e "s|@USER@|${run_user:-}|g" -e "s|@GROUP@|${run_group:-}|g" \
	    -e "s|@SUEXEC_USER@|${QUILL_SUEXEC_USER:-}|g" \
	    -e "s|@CERT@|${QUILL_TLS_CERT:-}|g" \
	    -e "s|@CERTKEY@|${QUILL_TLS_KEY:-}|g" "$1" > "$2"
}

# 1 while process $1 runs (a zombie waiting for its reaper has stopped).
alive() {
	kill -0 "$1" 2>/dev/null &&
	    ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# Sends SIGTERM to the server in a pid file and waits for it to go.
terminate() {
	[ -f "$1" ] || return 0
	pid=$(cat "$1")
	kill "$pid" 2>/dev/null || true
	i=0
	while alive "$pid"; do
		i=$((i + 1))
		[ $i -ge 100 ] && kill -9 "$pid" 2>/dev/null
		sleep 0.1
	done
	rm -f "$1"
}

# Replaces the one line of FILE that matches the extended regular
# expression RE with LINE, as it is: replace FILE RE LINE.  Fails, naming
# the line, unless exactly one matches.
replace() {
	[ "$(grep -Ec -- "$2" "$1")" = 1 ] || {
		echo "run.sh: $1 has no single line matching $2 to replace" >&2
		exit 1
	}
	RE=$2 LINE=$3 awk '$0 ~ ENVIRON["RE"] { print ENVIRON["LINE"]; next } { print }' \
	    "$1" > "$1.new"
	mv "$1.new" "$1"
}

# lighttpd/quill.conf as it ships, pointed at this tree, VAR and the ports.
lighttpd_production_conf() {
	[ "$scheme" = https ] || {
		echo "run.sh: lighttpd's production configuration serves HTTPS:" \
		    "set QUILL_TLS_CERT and QUILL_TLS_KEY (make cert makes a pair)" >&2
		exit 2
	}
	[ -n "${QUILL_HTTP_PORT:-}" ] || {
		echo "run.sh: set QUILL_HTTP_PORT, the port of the plain-HTTP" \
		    "redirect of lighttpd's production configuration" >&2
		exit 2
	}
	conf=$var/lighttpd.conf
	cp "$root/lighttpd/quill.conf" "$conf"
	replace "$conf" '^var\.quill_name ' "var.quill_name = \"127.0.0.1:$port\""
	replace "$conf" '^var\.quill_htdocs ' "var.quill_htdocs = \"$htdocs\""
	replace "$conf" '^var\.quill_run ' "var.quill_run = \"$var/run\""
	replace "$conf" '^var\.quill_cert ' "var.quill_cert = \"$QUILL_TLS_CERT\""
	replace "$conf" '^var\.quill_key ' "var.quill_key = \"$QUILL_TLS_KEY\""
	replace "$conf" '^var\.quill_logs ' "var.quill_logs = \"$var/log\""
	replace "$conf" '^server\.port[[:space:]]*= 443$' "server.port = $port"
	replace "$conf" '^server\.bind[[:space:]]' 'server.bind = "127.0.0.1"'
	replace "$conf" '^server\.pid-file[[:space:]]' "server.pid-file = \"$var/run/lighttpd.pid\""
	replace "$conf" '^\$SERVER\["socket"\] == "0\.0\.0\.0:80"' \
	    "\$SERVER[\"socket\"] == \"127.0.0.1:$QUILL_HTTP_PORT\" { ssl.engine = \"disable\" }"
	if [ "$(id -u)" = 0 ]; then
		# lighttpd switches to www-data, as in production: the sockets
		# are for its group, and it writes its logs.
		run_group=$(id -gn www-data)
		chown www-data "$var/log"
	else
		# Only root can switch users: lighttpd stays the tester.
		sed -i '/^server\.\(user\|group\)name[[:space:]]/d' "$conf"
	fi
}

start_lighttpd() {
	case ${mode:=dev} in
	dev) fill "$root/lighttpd/quill-dev.conf.in" "$var/lighttpd.conf" ;;
	production) lighttpd_production_conf ;;
	*) echo "run.sh: unknown lighttpd mode $mode (dev or production)" >&2; exit 2 ;;
	esac
	lighttpd -tt -f "$var/lighttpd.conf" > "$var/log/lighttpd-check.log" 2>&1 || {
		cat "$var/log/lighttpd-check.log" >&2
		echo "run.sh: lighttpd rejected $var/lighttpd.conf" >&2
		exit 1
	}
	if [ "$mode" = production ]; then
		programs_ctl start || {
			echo "run.sh: spawn-fcgi could not start the programs" >&2
			programs_ctl stop
			exit 1
		}
	fi
	lighttpd -f "$var/lighttpd.conf" || { stop; exit 1; }
}

# The programs as FastCGI servers on unix sockets in VAR/run, two processes
# each, started by the production example etc/spawn-fcgi/quill-spawn-fcgi;
# their JSON log lines go to VAR/log/quill.log.
programs_ctl() {
	QUILL_BIN=$build QUILL_CONFIG=$var/quill.conf QUILL_RUN=$var/run \
	    QUILL_LOG=$var/log/quill.log QUILL_USER=$(id -un) \
	    QUILL_SOCKET_GROUP=${run_group:-$(id -gn)} QUILL_PUBLIC_ORIGIN=$url \
	    sh "$root/etc/spawn-fcgi/quill-spawn-fcgi" "$1" > /dev/null
}

# The shared-hosting layout: the bundle of `make dist` laid out as the
# document root (tools/dist.sh stage), with the programs of the build and
# the settings of VAR.
shared_docroot() {
	rm -rf "$var/htdocs/cgi" "$var/htdocs/quill"
	HTDOCS_FILES=$(ls "$htdocs"/*.html "$htdocs"/*.css "$htdocs"/*.js 2>/dev/null) \
	    sh "$root/tools/dist.sh" stage "$build" "$var/htdocs"
	if [ -z "${QUILL_SUEXEC_USER:-}" ]; then
		# The settings of VAR and, unless they name one, the origin this
		# server answers at, as the setup page writes it on a host.
		printf 'export QUILL_CONFIG=%s\n' "$var/quill.conf" > "$var/htdocs/quill/env.sh"
		grep -q '^QUILL_PUBLIC_ORIGIN=' "$var/quill.conf" ||
		    printf 'export QUILL_PUBLIC_ORIGIN=%s\n' "$url" >> "$var/htdocs/quill/env.sh"
		# The state of VAR is made already: no setup page.
		rm -f "$var/htdocs/quill/setup-code.txt"
		return 0
	fi
	# As on a host: the account's own files, its own settings.
	grep -vE '^QUILL_(DB|KEY_FILE|MAIL_SPOOL|PASSWORD_BLOCKLIST)=' "$var/quill.conf" \
	    > "$var/htdocs/quill/quill.conf"
	chown -R "$QUILL_SUEXEC_USER:$(id -gn "$QUILL_SUEXEC_USER")" "$var/htdocs"
	# A site as uploaded by FTP: its home page is the setup page.
	[ -z "${QUILL_FIRST_RUN:-}" ] || return 0
	runuser -u "$QUILL_SUEXEC_USER" -- "$var/htdocs/quill/quillctl" init \
	    > "$var/log/init-bundle.log" 2>&1 || {
		cat "$var/log/init-bundle.log" >&2
		echo "run.sh: the bundle's quillctl init failed as $QUILL_SUEXEC_USER" >&2
		exit 1
	}
}

start_apache() {
	command -v apache2 > /dev/null || {
		echo "run.sh: apache2 is not installed (make deps installs it)" >&2
		exit 1
	}
	if [ "$(id -u)" = 0 ]; then
		run_user=${QUILL_APACHE_USER:-www-data}
		run_group=$(id -gn "$run_user")
	else
		run_user=$(id -un)
		run_group=$(id -gn)
	fi
	case ${mode:=proxy} in
	proxy) defines="-D QuillProxy" ;;
	cgi) defines="-D QuillCGI" ;;
	fcgid) defines="-D QuillFcgid" ;;
	shared-cgi) defines="-D QuillSharedCGI" ;;
	*) echo "run.sh: unknown Apache mode $mode" >&2; exit 2 ;;
	esac
	[ "$scheme" = https ] && defines="$defines -D QuillTLS"
	case ${QUILL_APACHE_HOST:-minimal} in
	minimal) ;;
	all) defines="$defines -D QuillOverrideAll" ;;
	norewrite)
		defines="$defines -D QuillNoRewrite"
		# Without mod_rewrite the API is at the programs' own paths.
		health=/cgi/auth.fcgi/api/v1/health ;;
	*) echo "run.sh: unknown QUILL_APACHE_HOST ${QUILL_APACHE_HOST} (minimal, all or norewrite)" >&2; exit 2 ;;
	esac
	if [ -n "${QUILL_SUEXEC_USER:-}" ]; then
		if [ "$(id -u)" != 0 ] || [ ! -f "/etc/apache2/suexec/$run_user" ]; then
			echo "run.sh: suEXEC needs root and /etc/apache2/suexec/$run_user" \
			    "(apache2-suexec-custom)" >&2
			exit 2
		fi
		defines="$defines -D QuillSuexec"
	fi
	mkdir -p "$var/apache" "$var/run/apache"
	case $mode in fcgid|shared-cgi) shared_docroot ;; esac
	if [ "$mode" != proxy ] && [ "$(id -u)" = 0 ] && [ -z "${QUILL_SUEXEC_USER:-}" ]; then
		# Apache starts these programs itself, as its own user: the state
		# must be theirs (in production that user is the application's).
		chown "$run_user:$run_group" "$var" "$var/log" "$var/quill.conf" \
		    "$var/quill.key" "$var"/quill.db*
	fi
	fill "$root/apache/quill-dev.conf.in" "$var/apache.conf"
	# shellcheck disable=SC2086
	apache2 -t -f "$var/apache.conf" $defines > "$var/log/apache-check.log" 2>&1 || {
		cat "$var/log/apache-check.log" >&2
		echo "run.sh: Apache rejected $var/apache.conf" >&2
		exit 1
	}
	if [ "$mode" = proxy ]; then
		programs_ctl start || {
			echo "run.sh: spawn-fcgi could not start the programs" >&2
			programs_ctl stop
			exit 1
		}
	fi
	# shellcheck disable=SC2086
	apache2 -f "$var/apache.conf" $defines || { stop; exit 1; }
}

start() {
	if running; then
		echo "Quill is already running at $url/ (make stop stops it)"
		return 0
	fi
	mkdir -p "$var/run" "$var/log"
	if [ ! -f "$var/quill.conf" ]; then
		cat > "$var/quill.conf" <<CONF
# Quill settings for this state directory; see etc/quill.conf.example.
QUILL_DB=$var/quill.db
QUILL_KEY_FILE=$var/quill.key
QUILL_PASSWORD_BLOCKLIST=$root/etc/common-passwords.txt
QUILL_MAIL_SPOOL=$var/mail
CONF
	fi
	QUILL_CONFIG=$var/quill.conf "$build/quillctl" init > "$var/log/init.log"
	echo "$server" > "$var/run/server"
	case $server in
	lighttpd) start_lighttpd ;;
	apache) start_apache ;;
	*) echo "run.sh: unknown server $server (lighttpd or apache)" >&2; exit 2 ;;
	esac
	# Before the first-run setup the API answers 503: any answer will do.
	ready=-kfsS
	[ -z "${QUILL_FIRST_RUN:-}" ] || ready=-ksS
	i=0
	until curl "$ready" -o /dev/null "$url${health:-/api/v1/health}" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -ge 300 ]; then
			echo "run.sh: Quill did not answer on $url; see $var/log/" >&2
			tail -n 20 "$var/log/$server"*.log "$var/log/quill.log" >&2 || true
			stop
			exit 1
		fi
		sleep 0.1
	done
	echo "Quill is running at $url/ on $server (API under $url/api/v1/)"
	echo "State and logs are in $var/; stop it with: make stop"
}

stop() {
	server=$(started)
	if running; then
		terminate "$var/run/$server.pid"
		stopped=1
	else
		rm -f "$var/run/$server.pid"
		stopped=0
	fi
	programs_ctl stop
	rm -f "$var/run/server"
	if [ $stopped = 1 ]; then echo "Quill stopped"; else echo "Quill is not running"; fi
}

case $cmd in
start) start ;;
stop) stop ;;
*) echo "usage: run.sh start|stop BUILD VAR PORT [lighttpd|apache [MODE]]" >&2; exit 2 ;;
esac
