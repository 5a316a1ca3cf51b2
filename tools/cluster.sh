#!/bin/sh
# Starts or stops several Quill web nodes behind haproxy, all on one
# PostgreSQL database and one key file (`make run NODES=N`, `make stop`,
# t/47-cluster.t):
#   tools/cluster.sh start BUILD VAR PORT NODES
#   tools/cluster.sh stop BUILD VAR PORT
# haproxy listens on 127.0.0.1:PORT with etc/haproxy.cfg.example, its bind,
# pid file, stats socket (VAR/run/haproxy.sock) and server lines pointed
# here; node i is lighttpd's development
# layout (tools/run.sh) on 127.0.0.1:PORT+i with its state in VAR/nodei,
# the programs told that their origin is haproxy's.  The database is
# QUILL_DB when it is set (a PostgreSQL connection string), else a
# PostgreSQL cluster of its own in VAR/pg (initdb on first start, a unix
# socket only, run as the postgres user when started as root).
set -eu

cmd=$1 build=$2 var=$3 port=$4 nodes=${5:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$var/run" "$var/log"
var=$(cd "$var" && pwd)
build=$(cd "$build" && pwd)
origin=http://127.0.0.1:$port

# Runs one of PostgreSQL's programs as the owner of VAR/pg.
as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() {
	found=
	for bin in /usr/lib/postgresql/*/bin; do
		[ -x "$bin/initdb" ] && found=$bin
	done
	if [ -z "$found" ]; then
		echo "cluster.sh: no PostgreSQL server (make deps installs postgresql-15)" >&2
		exit 1
	fi
	echo "$found"
}

# The database of VAR/pg, made and started; prints its QUILL_DB.
pg_start() {
	bin=$(pg_bin)
	if [ ! -d "$var/pg/data" ]; then
		mkdir -p "$var/pg"
		[ "$(id -u)" = 0 ] && chown postgres: "$var/pg"
		as_pg "$bin/initdb" -D "$var/pg/data" -U postgres --auth=trust \
		    --encoding=UTF8 --lc-collate=C --lc-ctype=C.UTF-8 \
		    > "$var/log/initdb.log" 2>&1
	fi
	as_pg "$bin/pg_ctl" -D "$var/pg/data" -w -t 60 -l "$var/pg/log" \
	    -o "-c listen_addresses='' -c unix_socket_directories=$var/pg" \
	    start > "$var/log/pg_ctl.log" 2>&1 || {
		cat "$var/log/pg_ctl.log" "$var/pg/log" >&2
		exit 1
	}
	as_pg "$bin/psql" -h "$var/pg" -U postgres -Atqc \
	    "SELECT 1 FROM pg_database WHERE datname = 'quill'" postgres |
	    grep -q 1 || as_pg "$bin/createdb" -h "$var/pg" -U postgres quill
	echo "host=$var/pg dbname=quill user=postgres"
}

# haproxy's configuration: the shipped example with the bind line, the
# pid file and the server lines of this run.
haproxy_conf() {
	awk -v port="$port" -v nodes="$nodes" -v pid="$var/run/haproxy.pid" \
	    -v sock="$var/run/haproxy.sock" '
	    /^[ \t]*pidfile / { print "\tpidfile " pid; next }
	    /^[ \t]*stats socket / {
		print "\tstats socket " sock " mode 600 level admin"; next
	    }
	    /^[ \t]*bind / { print "\tbind 127.0.0.1:" port; next }
	    /^[ \t]*server / {
		if (!done) for (i = 1; i <= nodes; i++)
			printf "\tserver web%d 127.0.0.1:%d\n", i, port + i
		done = 1; next
	    }
	    { print }' "$root/etc/haproxy.cfg.example" > "$var/haproxy.cfg"
	haproxy -c -q -f "$var/haproxy.cfg" || {
		echo "cluster.sh: haproxy rejected $var/haproxy.cfg" >&2
		exit 1
	}
}

start() {
	command -v haproxy > /dev/null || {
		echo "cluster.sh: haproxy is not installed (make deps installs it)" >&2
		exit 1
	}
	if [ -f "$var/run/haproxy.pid" ] && kill -0 "$(cat "$var/run/haproxy.pid")" 2>/dev/null; then
		echo "Quill is already running at $origin/ (make stop stops it)"
		return 0
	fi
	echo "$nodes" > "$var/run/cluster"
	db=${QUILL_DB:-}
	[ -n "$db" ] || db=$(pg_start)
	# One settings file for every node: the database, the key that signs
	# tokens and cookies, the issuer the tokens name, haproxy as a proxy.
	if [ ! -f "$var/quill.conf" ]; then
		cat > "$var/quill.conf" <<CONF
# Quill settings shared by every node; see etc/quill.conf.example.
QUILL_DB=$db
QUILL_KEY_FILE=$var/quill.key
QUILL_PASSWORD_BLOCKLIST=$root/etc/common-passwords.txt
QUILL_MAIL_SPOOL=$var/mail
QUILL_TRUSTED_PROXIES=127.0.0.1
CONF
	fi
	QUILL_CONFIG=$var/quill.conf "$build/quillctl" init > "$var/log/init.log"
	i=1
	while [ "$i" -le "$nodes" ]; do
		mkdir -p "$var/node$i"
		cp "$var/quill.conf" "$var/node$i/quill.conf"
		[ -f "$var/node$i/lighttpd-extra.conf" ] ||
		    cp "$var/lighttpd-extra.conf" "$var/node$i/" 2>/dev/null || true
		QUILL_PUBLIC_ORIGIN=$origin sh "$root/tools/run.sh" start \
		    "$build" "$var/node$i" $((port + i)) lighttpd > /dev/null
		i=$((i + 1))
	done
	haproxy_conf
	haproxy -D -f "$var/haproxy.cfg" || { stop; exit 1; }
	i=0
	until curl -fsS -o /dev/null "$origin/api/v1/health" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -ge 300 ]; then
			echo "cluster.sh: haproxy did not answer on $origin" >&2
			stop
			exit 1
		fi
		sleep 0.1
	done
	echo "Quill is running at $origin/: haproxy in front of $nodes lighttpd nodes" \
	    "(127.0.0.1:$((port + 1))..$((port + nodes)))"
	echo "State and logs are in $var/; stop it with: make stop"
}

stop() {
	nodes=$(cat "$var/run/cluster" 2>/dev/null || echo 0)
	if [ -f "$var/run/haproxy.pid" ]; then
		kill "$(cat "$var/run/haproxy.pid")" 2>/dev/null || true
		rm -f "$var/run/haproxy.pid"
	fi
	i=1
	while [ "$i" -le "$nodes" ]; do
		[ -d "$var/node$i" ] &&
		    sh "$root/tools/run.sh" stop "$build" "$var/node$i" $((port + i)) > /dev/null
		i=$((i + 1))
	done
	if [ -f "$var/pg/data/postmaster.pid" ]; then
		as_pg "$(pg_bin)/pg_ctl" -D "$var/pg/data" -m fast -w stop \
		    > "$var/log/pg_ctl.log" 2>&1 || true
	fi
	rm -f "$var/run/cluster"
	echo "Quill stopped (haproxy, $nodes nodes)"
}

case $cmd in
start) start ;;
stop) stop ;;
*) echo "usage: cluster.sh start|stop BUILD VAR PORT [NODES]" >&2; exit 2 ;;
esac
