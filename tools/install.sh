#!/bin/sh
# What `make install`, `make uninstall` and `make install-htdocs` do:
#   tools/install.sh install|uninstall|install-htdocs
# The Makefile passes the directories in the environment: DESTDIR, PREFIX,
# SYSCONFDIR, LOCALSTATEDIR, RUNSTATEDIR, SYSTEMDUNITDIR, MANDIR, and BUILD
# (the programs), HTDOCS_FILES (the static pages), MAN_PAGES (NAME.SECTION
# files), QUILL_USER (who the programs run as).
#
# One list (manifest, below) says what goes where, so that uninstall removes
# exactly what install put there.  Files that name a path are templates:
# @PKGLIBDIR@, @CONFDIR@ and the rest are filled in as they are installed.
# The configuration under SYSCONFDIR is never overwritten: a file that is
# there already stays, and uninstall keeps it unless it is exactly what
# install wrote.  The state, spool, log and backup directories are made,
# never removed while they hold anything.
set -eu

action=${1:-}
: "${PREFIX:=/usr/local}" "${SYSCONFDIR:=/etc}" "${LOCALSTATEDIR:=/var}"
: "${RUNSTATEDIR:=/run}" "${SYSTEMDUNITDIR:=$PREFIX/lib/systemd/system}"
: "${MANDIR:=$PREFIX/share/man}" "${BUILD:=build}" "${DESTDIR:=}"
: "${HTDOCS_FILES:=}" "${MAN_PAGES:=}" "${QUILL_USER:=quill}"

sbindir=$PREFIX/sbin
pkglibdir=$PREFIX/lib/quill
pkgdatadir=$PREFIX/share/quill
confdir=$SYSCONFDIR/quill
statedir=$LOCALSTATEDIR/lib/quill
spooldir=$LOCALSTATEDIR/spool/quill
logdir=$LOCALSTATEDIR/log/quill
backupdir=$LOCALSTATEDIR/backups/quill
rundir=$RUNSTATEDIR/quill

for d in "$PREFIX" "$SYSCONFDIR" "$LOCALSTATEDIR" "$RUNSTATEDIR" \
    "$SYSTEMDUNITDIR" "$MANDIR"; do
	case $d in
	/*) ;;
	*) echo "install: $d is not an absolute path (PREFIX, SYSCONFDIR," \
	    "LOCALSTATEDIR, RUNSTATEDIR, SYSTEMDUNITDIR and MANDIR must be)" >&2
	   exit 2 ;;
	esac
done

# Ownership is given only when installing for real, as root, to an
# existing user: a DESTDIR is a staging tree (a package sets owners itself).
owners=
if [ -z "$DESTDIR" ] && [ "$(id -u)" = 0 ] && id "$QUILL_USER" >/dev/null 2>&1; then
	owners=yes
fi

# fill SRC: SRC with its placeholders replaced, on standard output.
fill() {
	sed -e "s|@PKGLIBDIR@|$pkglibdir|g" -e "s|@SBINDIR@|$sbindir|g" \
	    -e "s|@PKGDATADIR@|$pkgdatadir|g" -e "s|@CONFDIR@|$confdir|g" \
	    -e "s|@STATEDIR@|$statedir|g" -e "s|@SPOOLDIR@|$spooldir|g" \
	    -e "s|@LOGDIR@|$logdir|g" -e "s|@BACKUPDIR@|$backupdir|g" \
	    -e "s|@RUNDIR@|$rundir|g" -e "s|@QUILL_USER@|$QUILL_USER|g" "$1"
}

tmp=$(mktemp)
dirs=$(mktemp)
trap 'rm -f "$tmp" "$dirs"' EXIT

# The directories of the files, and the directories named by dir, in the
# order met: uninstall removes them in reverse, each only when empty.
remember() {
	grep -qxF "$1" "$dirs" || echo "$1" >> "$dirs"
}

# copy MODE SRC DEST: a file install owns (replaced on every install).
# tmpl MODE SRC DEST: the same, filled.
# conf MODE SRC DEST: configuration, filled; installed only when absent.
copy() { entry copy "$@"; }
tmpl() { entry tmpl "$@"; }
conf() { entry conf "$@"; }
entry() {
	kind=$1 mode=$2 src=$3 dest=$DESTDIR$4
	remember "$(dirname "$4")"
	if [ "$kind" = copy ]; then
		[ "$action" = uninstall ] || cp "$src" "$tmp"
	else
		fill "$src" > "$tmp"
		if grep -n '@[A-Z][A-Z_]*@' "$tmp" >&2; then
			echo "install: $src: a placeholder the list above does not fill" >&2
			exit 1
		fi
	fi
	case $action in
	install | install-htdocs)
		if [ "$kind" = conf ] && [ -e "$dest" ]; then
			cmp -s "$tmp" "$dest" || echo "install: kept $dest" \
			    "(changed there); this release's is $src, filled in"
			return 0
		fi
		install -d "$(dirname "$dest")"
		install -m "$mode" "$tmp" "$dest"
		if [ "$kind" = conf ] && [ -n "$owners" ] && [ "$mode" = 0640 ]; then
			chgrp "$QUILL_USER" "$dest"
		fi
		;;
	uninstall)
		[ -e "$dest" ] || return 0
		if [ "$kind" = conf ] && ! cmp -s "$tmp" "$dest"; then
			echo "uninstall: kept $dest (changed since install)"
			return 0
		fi
		rm -f "$dest"
		;;
	esac
}

# dir MODE OWNER:GROUP PATH: a directory for data (never removed with data).
dir() {
	remember "$3"
	[ "$action" = install ] || return 0
	install -d -m "$1" "$DESTDIR$3"
	if [ -n "$owners" ]; then
		chown "$2" "$DESTDIR$3" 2>/dev/null ||
		    chown "${2%%:*}" "$DESTDIR$3"
	fi
}

htdocs() {
	for f in $HTDOCS_FILES; do
		copy 0644 "$f" "$pkgdatadir/htdocs/${f##*/}"
	done
}

manifest() {
	for p in auth users posts; do
		copy 0755 "$BUILD/$p.fcgi" "$pkglibdir/$p.fcgi"
	done
	tmpl 0755 etc/spawn-fcgi/quill-spawn-fcgi "$pkglibdir/quill-spawn-fcgi"
	copy 0755 "$BUILD/quillctl" "$sbindir/quillctl"
	copy 0644 etc/common-passwords.txt "$pkgdatadir/common-passwords.txt"
	htdocs
	tmpl 0644 etc/quill.conf.example "$pkgdatadir/quill.conf.example"
	tmpl 0644 apache/quill.conf "$pkgdatadir/examples/apache-site.conf"
	tmpl 0644 lighttpd/quill.conf "$pkgdatadir/examples/lighttpd.conf"
	copy 0644 etc/prometheus/quill-rules.yml \
	    "$pkgdatadir/examples/prometheus-rules.yml"
	copy 0644 etc/haproxy.cfg.example "$pkgdatadir/examples/haproxy.cfg"
	tmpl 0644 etc/systemd/quill@.service "$SYSTEMDUNITDIR/quill@.service"
	tmpl 0644 etc/systemd/quill@.socket "$SYSTEMDUNITDIR/quill@.socket"
	for m in $MAN_PAGES; do
		copy 0644 "$m" "$MANDIR/man${m##*.}/${m##*/}"
	done
	conf 0640 etc/quill.conf.example "$confdir/quill.conf"
	conf 0644 apache/quill-api.conf "$SYSCONFDIR/apache2/conf-available/quill.conf"
	conf 0644 lighttpd/quill-api.conf "$SYSCONFDIR/lighttpd/conf-available/50-quill.conf"
	conf 0644 etc/crontab.example "$SYSCONFDIR/cron.d/quill"
	conf 0644 etc/logrotate.conf "$SYSCONFDIR/logrotate.d/quill"
	dir 0700 "$QUILL_USER:$QUILL_USER" "$statedir"
	dir 0700 "$QUILL_USER:$QUILL_USER" "$spooldir"
	dir 2750 "$QUILL_USER:adm" "$logdir"
	dir 0700 "$QUILL_USER:$QUILL_USER" "$backupdir"
}

# The directories uninstall may remove: Quill's own, never a shared one
# such as $SYSCONFDIR/cron.d or $PREFIX/sbin.
own_dir() {
	case $1 in
	"$pkglibdir" | "$pkgdatadir" | "$pkgdatadir"/* | "$confdir" | \
	    "$statedir" | "$spooldir" | "$logdir" | "$backupdir") return 0 ;;
	esac
	return 1
}

case $action in
install)
	manifest
	if [ -z "$owners" ] && [ -z "$DESTDIR" ]; then
		echo "install: the state, spool, log and backup directories and" \
		    "$confdir/quill.conf are not yet the $QUILL_USER user's:" \
		    "create it (adduser --system --group --home $statedir" \
		    "--no-create-home $QUILL_USER) and run make install again" \
		    "as root"
	fi
	;;
install-htdocs)
	htdocs
	;;
uninstall)
	manifest
	# Deepest first: the reverse of the order met.
	sed '1!G;h;$!d' "$dirs" | while read -r d; do
		own_dir "$d" || continue
		[ -d "$DESTDIR$d" ] || continue
		rmdir "$DESTDIR$d" 2>/dev/null ||
		    echo "uninstall: kept $DESTDIR$d (not empty)"
	done
	;;
*)
	echo "usage: tools/install.sh install|uninstall|install-htdocs" >&2
	exit 2
	;;
esac
