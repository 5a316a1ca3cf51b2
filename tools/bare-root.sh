# shellcheck shell=sh disable=SC2154
# A bare Debian 12 root to try Quill in, for tools/release-check.sh and
# tools/bundle-check.sh, which source this file after setting:
#   me    their name, which starts every message
#   work  their work directory: the root is WORK/root, the logs WORK/log
#   step  what they are doing, named when something fails
#   t0    when they started (date +%s)
#   ok    the verdict when all went well
#   keep  non-empty: the root is kept at the end
# It needs root; it empties WORK.  From then on, however they end, the root is torn down and the last line
# printed is the verdict: "ME: OK (Ns)", or the step that failed.
# bare_root PACKAGES makes the root: mmdebstrap --variant=minbase bookworm
# with PACKAGES (comma-separated), kept as a tarball in RELEASE_CACHE
# (default /var/cache/quill-release) for the day, with /proc, /sys, /dev,
# /run and /tmp mounted and no daemon started by a package.

[ "$(id -u)" = 0 ] || { echo "$me: run me as root (chroot, mount)" >&2; exit 2; }
root=$work/root
log=$work/log

# Everything mounted under the root, deepest first.
mounts() {
	awk -v r="$root" '$5 == r || index($5, r "/") == 1 { print $5 }' \
	    /proc/self/mountinfo | sort -r
}

# The processes whose root directory is the chroot.
root_pids() {
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && echo "${p#/proc/}"
	done
	return 0
}

# Ends every process in the root, unmounts it and removes it (unless KEEP,
# the first argument, is set).
root_teardown() {
	pids=$(root_pids)
	# shellcheck disable=SC2086,SC2046
	[ -z "$pids" ] || { kill $pids; sleep 2; kill -9 $(root_pids) 2>/dev/null; }
	for m in $(mounts); do umount "$m" || umount -l "$m"; done
	if [ -z "${1:-}" ] && [ -z "$(mounts)" ]; then
		rm -rf --one-file-system "$root"
	fi
}

# fail MESSAGE: the reason, and out.
fail() { echo "$me: $step: $*" >&2; exit 1; }

# in_root COMMAND: COMMAND under sh in the root, a clean environment.
in_root() {
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	    HOME=/root LANG=C.UTF-8 /bin/sh -c "$1" < /dev/null
}

# bare_root PACKAGES
bare_root() {
	# The host's sources and settings for reaching its mirror (proxies,
	# snapshot validity): how this machine gets packages, nothing of
	# Quill's.
	sources=
	for s in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
		[ -s "$s" ] && { sources=$s; break; }
	done
	apt-config dump 2>/dev/null | grep -E \
	    '^Acquire::(Check-Valid-Until|Check-Date|Max-FutureTime|https?::[Pp]roxy)( |::)' \
	    > "$work/apt.conf" || true
	# The root as a tarball, made again each day or for other packages
	# (the mirror moves on): a check run twice in a day does not
	# download it twice.
	cache=${RELEASE_CACHE:-/var/cache/quill-release}
	base=$cache/bookworm-$(echo "$1" | md5sum | cut -c1-12)-$(date +%F).tar
	mkdir -p "$cache" "$root"
	if [ ! -s "$base" ]; then
		echo "$me: mmdebstrap bookworm with $(echo "$1" | tr ',' ' ')"
		find "$cache" -name 'bookworm-*.tar' -mtime +1 -delete
		# shellcheck disable=SC2046
		mmdebstrap --variant=minbase --include="$1" \
		    $([ -s "$work/apt.conf" ] && echo "--aptopt=$work/apt.conf") \
		    --format=tar bookworm "$base.part" ${sources:+"$sources"} \
		    > "$log/mmdebstrap.log" 2>&1 || {
			rm -f "$base.part"
			fail "mmdebstrap failed: $(grep -m1 -E '^E: |error' "$log/mmdebstrap.log" || tail -n1 "$log/mmdebstrap.log")"
		}
		mv "$base.part" "$base"
	else
		echo "$me: the bare root of today, $base"
	fi
	tar -C "$root" --numeric-owner -xpf "$base"
	# Packages must not start daemons on their own: the checks start them.
	printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
	chmod 0755 "$root/usr/sbin/policy-rc.d"
	for m in proc sys dev dev/pts; do
		mount --bind "/$m" "$root/$m"
		mount --make-private "$root/$m"
	done
	mount -t tmpfs -o mode=0755 tmpfs "$root/run"
	mkdir -m 1777 "$root/run/lock"
	mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
}

finish() {
	rc=$?
	set +e
	root_teardown "$keep"
	elapsed=$(( $(date +%s) - t0 ))
	if [ $rc = 0 ]; then
		echo "$me: $ok (${elapsed}s)"
	else
		echo "$me: FAILED at $step (${elapsed}s; logs in $log)"
	fi
	exit $rc
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
rm -rf "$work"
mkdir -p "$work" "$log"
