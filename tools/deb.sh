#!/bin/sh
# Builds the Debian package from debian/ and checks it with lintian
# (`make deb`):
#   tools/deb.sh OUTDIR
# The tree is copied to OUTDIR/quill-VERSION first (the files git knows, or every
# file but the build output when there is no git), so that dpkg-buildpackage
# writes its results into OUTDIR and never beside the checkout.  Prints the
# package's path last; fails when lintian reports an error.
set -eu

out=$1
version=$(dpkg-parsechangelog -S Version)
arch=$(dpkg-architecture -q DEB_HOST_ARCH)
deb=$out/quill_${version}_$arch.deb
src=$out/quill-$version

rm -rf "$out"
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
	    xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
	    tar --null -T - -cf - | tar -C "$src" -xf -
else
	tar --exclude=./build --exclude=./var --exclude=./node_modules -cf - . |
	    tar -C "$src" -xf -
fi

echo "deb: dpkg-buildpackage in $src (log: $out/build.log)"
if ! (cd "$src" && dpkg-buildpackage -b -us -uc) > "$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log" >&2
	echo "deb: dpkg-buildpackage failed; the whole log is $out/build.log" >&2
	exit 1
fi
[ -f "$deb" ] || { echo "deb: no $deb was built" >&2; exit 1; }

# lintian: errors fail; warnings are shown (an accepted one has an
# override with its reason in debian/quill.lintian-overrides).
echo "deb: lintian"
if ! lintian --fail-on error --display-info "$out"/quill_"${version}"_"$arch".changes \
    > "$out/lintian.log" 2>&1; then
	cat "$out/lintian.log" >&2
	echo "deb: lintian reports errors" >&2
	exit 1
fi
cat "$out/lintian.log"
echo "deb: $deb"
