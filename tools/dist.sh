#!/bin/sh
# The shared-hosting bundle (`make dist`, docs/deploy-shared-hosting.md):
#   tools/dist.sh tarball BUILD          BUILD/quill-VERSION-linux-ARCH.tar.gz
#   tools/dist.sh stage BINDIR DEST      lay the bundle out in DEST
#   tools/dist.sh floor FILE...          the glibc the files need
#   tools/dist.sh not-host < PATHS       the paths not the C library's
# `tarball` takes the programs linked for the bundle (BUILD/dist/bin, with
# $ORIGIN as their run path), puts the shared libraries they need beside
# them, lays the bundle out and packs it; the last line printed is the
# tarball's path.  `stage` lays it out with the programs of BINDIR as they
# are (the test suite serves its shared-hosting layouts so).  HTDOCS_FILES
# (from the Makefile) names the pages.
#
# The bundle is a document root:
#   .htaccess  INSTALL.txt  the site's files (style.css token.js)
#   cgi/       auth.fcgi users.fcgi posts.fcgi: the wrapper (bundle/quill.fcgi)
#   quill/     never served (its .htaccess, and the main one, deny it):
#              bin/ (the programs, quillctl, the libraries), quillctl (the
#              wrapper to run), cron (the periodic jobs), env.sh,
#              quill.conf, common-passwords.txt, setup-code.txt (the
#              first-run setup page's, gone once the site is set up),
#              state/ (database, key, logs, mail; mode 0700)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
programs="auth users posts"

die() { echo "dist: $*" >&2; exit 1; }

# stage BINDIR DEST
stage() {
	bindir=$1 dest=$2
	for f in auth.fcgi users.fcgi posts.fcgi quillctl; do
		[ -x "$bindir/$f" ] || die "no $bindir/$f: build it first (make programs)"
	done
	mkdir -p "$dest/cgi" "$dest/quill/bin" "$dest/quill/state"
	cp "$root/apache/htaccess" "$dest/.htaccess"
	for f in ${HTDOCS_FILES:-$(ls "$root"/htdocs/*.html "$root"/htdocs/*.css "$root"/htdocs/*.js 2>/dev/null)}; do
		[ "$(readlink -f "$f")" = "$(readlink -f "$dest/${f##*/}")" ] ||
		    cp "$f" "$dest/"
	done
	for p in $programs; do
		cp "$root/bundle/quill.fcgi" "$dest/cgi/$p.fcgi"
		cp "$bindir/$p.fcgi" "$dest/quill/bin/$p.fcgi"
	done
	cp "$bindir/quillctl" "$dest/quill/bin/quillctl"
	cp "$root/bundle/private.htaccess" "$dest/quill/.htaccess"
	cp "$root/bundle/env.sh" "$root/bundle/quillctl" "$root/bundle/cron" \
	    "$root/bundle/quill.conf" \
	    "$root/etc/common-passwords.txt" "$dest/quill/"
	chmod 0755 "$dest" "$dest/cgi" "$dest/quill" "$dest/quill/bin" \
	    "$dest"/cgi/*.fcgi "$dest"/quill/bin/* "$dest/quill/quillctl" \
	    "$dest/quill/cron"
	chmod 0644 "$dest/.htaccess" "$dest/quill/.htaccess" \
	    "$dest/quill/env.sh" "$dest/quill/common-passwords.txt"
	# The first-run setup page's code: empty, so the page makes one.
	: > "$dest/quill/setup-code.txt"
	chmod 0700 "$dest/quill/state"
	chmod 0600 "$dest/quill/quill.conf" "$dest/quill/setup-code.txt"
}

# The C library's shared objects, which the host has and the bundle never
# carries (the glibc floor below says which host will do): libc, libm,
# libpthread, libdl, librt, libresolv (which libpq needs) and the loader.
host_libs='libc|libm|libpthread|libdl|librt|libresolv|ld-linux[^/]*'

# The paths of stdin that are not the C library's, one a line.
not_host() {
	grep -vE "/($host_libs)\.so" || true
}

# The shared libraries a program loads from outside the C library, as
# ldd resolves them on this machine.
libraries() {
	ldd "$@" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | not_host |
	    sort -u
}

# The newest GLIBC_x.y symbol version any of the files needs.
glibc_floor() {
	objdump -T "$@" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' |
	    sort -uV | tail -n 1
}

# The C library docs/deploy-shared-hosting.md and INSTALL.txt promise
# (GLIBC_FLOOR, from the Makefile).  Built on Debian 12 it is 2.34: the
# programs' __libc_start_main and timer_* and Debian's libcrypto and
# libsqlite3 (dlopen, pthread_*) have the symbol versions of 2.34, where
# glibc took libdl, libpthread and librt in.  A lower one would mean
# building those libraries and the programs against an older glibc.
floor_promised=${GLIBC_FLOOR:-2.34}

# The symbols of the files that need a glibc newer than $1, one a line.
glibc_above() {
	want=$1
	shift
	newer=$({ echo "$want"; objdump -T "$@" | grep -o 'GLIBC_[0-9][0-9.]*' |
	    sed 's/GLIBC_//'; } | sort -uV | sed "1,/^$want\$/d")
	for v in $newer; do
		for f in "$@"; do
			objdump -T "$f" | awk -v v="GLIBC_$v" -v f="${f##*/}" \
			    'NF > 1 { g = $(NF - 1); gsub(/[()]/, "", g) }
			    NF > 1 && g == v { print f ": " $NF " (" v ")" }'
		done
	done | sort -u
}

tarball() {
	mkdir -p "$1/dist"
	build=$(cd "$1" && pwd)
	version=$(cd "$root" && dpkg-parsechangelog -S Version 2>/dev/null) ||
	    die "cannot read the version from debian/changelog (dpkg-dev)"
	arch=$(uname -m)
	name=quill-$version-linux-$arch
	out=$build/dist/$name
	bins=$build/dist/bin
	rm -rf "$out" "$out.tar.gz"
	stage "$bins" "$out"
	for lib in $(libraries "$bins"/*.fcgi "$bins/quillctl"); do
		cp -L "$lib" "$out/quill/bin/"
	done
	chmod 0644 "$out"/quill/bin/*.so*
	# Every program finds every library it needs beside it, none on this
	# machine: the run path is the bundle's, and nothing is missing.
	for f in "$out"/quill/bin/*.fcgi "$out/quill/bin/quillctl"; do
		# shellcheck disable=SC2016
		readelf -d "$f" | grep -q 'Library rpath: \[\$ORIGIN\]' ||
		    die "$f has no \$ORIGIN run path (link it with make dist)"
	done
	missing=$(cd "$out/quill/bin" && for f in ./*.so* ./*.fcgi ./quillctl; do
		objdump -p "$f" | awk '$1 == "NEEDED" { print $2 }'
	done | sort -u | while read -r need; do
		[ -e "$out/quill/bin/$need" ] || echo "/$need"
	done | not_host | sed 's|^/||')
	[ -z "$missing" ] || die "not in the bundle: $missing"
	floor=$(glibc_floor "$out"/quill/bin/*)
	above=$(glibc_above "$floor_promised" "$out"/quill/bin/*)
	[ -z "$above" ] || die "the bundle needs glibc $floor, more than the" \
	    "$floor_promised the guide promises (GLIBC_FLOOR): $(echo "$above" | head -n 5 | tr '\n' ' ')"
	sed -e "s|@VERSION@|$version|g" -e "s|@GLIBC@|$floor|g" \
	    -e "s|@ARCH@|$arch|g" "$root/bundle/INSTALL.txt" > "$out/INSTALL.txt"
	chmod 0644 "$out/INSTALL.txt"
	# Owned by whoever unpacks it; the modes as staged.
	tar -C "$build/dist" --owner=0 --group=0 --numeric-owner --sort=name \
	    -czf "$out.tar.gz" "$name"
	echo "dist: the bundle needs glibc $floor or newer on the host"
	echo "dist: $(du -sh "$out" | cut -f1) unpacked, $(du -h "$out.tar.gz" | cut -f1) packed"
	echo "$out.tar.gz"
}

case ${1:-} in
stage) stage "$2" "$3" ;;
tarball) tarball "$2" ;;
floor) shift; glibc_floor "$@" ;;
not-host) not_host ;;
*) echo "usage: dist.sh tarball BUILD | stage BINDIR DEST | floor FILE... | not-host" >&2; exit 2 ;;
esac
