#!/bin/sh
# Starts or stops a lighttpd serving Quill from a build directory, with all
# state in one directory.  `make run` / `make stop` and the tests use it.
#   tools/run.sh start|stop BUILD VAR PORT
set -eu

cmd=$1 build=$2 var=$3 port=$4
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$var"
var=$(cd "$var" && pwd)
build=$(cd "$build" && pwd)
pidfile=$var/run/lighttpd.pid
url=http://127.0.0.1:$port

running() {
	[ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
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
CONF
	fi
	QUILL_CONFIG=$var/quill.conf "$build/quillctl" init > "$var/log/init.log"
	sed -e "s|@ROOT@|$root|g" -e "s|@BIN@|$build|g" -e "s|@VAR@|$var|g" \
	    -e "s|@PORT@|$port|g" "$root/lighttpd/quill-dev.conf.in" \
	    > "$var/lighttpd.conf"
	lighttpd -tt -f "$var/lighttpd.conf" > "$var/log/lighttpd-check.log" 2>&1 || {
		cat "$var/log/lighttpd-check.log" >&2
		echo "run.sh: lighttpd rejected $var/lighttpd.conf" >&2
		exit 1
	}
	lighttpd -f "$var/lighttpd.conf"
	i=0
	until curl -fsS -o /dev/null "$url/api/v1/health" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -ge 300 ]; then
			echo "run.sh: Quill did not answer on $url; see $var/log/" >&2
			tail -n 20 "$var/log/lighttpd.log" "$var/log/quill.log" >&2 || true
			stop
			exit 1
		fi
		sleep 0.1
	done
	echo "Quill is running at $url/ (API under $url/api/v1/)"
	echo "State and logs are in $var/; stop it with: make stop"
}

stop() {
	if ! running; then
		rm -f "$pidfile"
		echo "Quill is not running"
		return 0
	fi
	pid=$(cat "$pidfile")
	kill "$pid"
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		[ $i -ge 100 ] && kill -9 "$pid" 2>/dev/null
		sleep 0.1
	done
	rm -f "$pidfile"
	echo "Quill stopped"
}

case $cmd in
start) start ;;
stop) stop ;;
*) echo "usage: run.sh start|stop BUILD VAR PORT" >&2; exit 2 ;;
esac
