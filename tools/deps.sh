#!/bin/sh
# Installs the Debian packages named that this machine lacks (`make deps-run`
# and `make deps` call it with their lists):
#   tools/deps.sh PACKAGE...
# As root it runs apt-get.  Otherwise it installs nothing: it prints the
# apt-get line to run as root, and fails.
set -eu

missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: these Debian packages are missing:$missing" >&2
	echo "deps: as root, run this, then make again:" >&2
	echo "    apt-get update && apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi
echo "deps: installing$missing"
# A new machine often has unattended-upgrades (or another apt) running for
# its first minutes: wait for its lock rather than fail.
wait_lock="-o DPkg::Lock::Timeout=600"
# shellcheck disable=SC2086
apt-get $wait_lock update -q
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get $wait_lock install -y -q \
    --no-install-recommends $missing
