#!/usr/bin/env bash
# prove with the arguments given, its output shown as it comes; when a
# test fails, what the failing tests said (Test::More's "Failed test" and
# the lines of diagnosis after it) is repeated after prove's summary, so
# that a log of which only the end is kept, as CI keeps, still shows why.
set -uo pipefail
log=$(mktemp "${TMPDIR:-/tmp}/quill-prove.XXXXXX") || exit 1
trap 'rm -f "$log"' EXIT
prove "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
	echo "== what the failing tests said (prove: exit $rc)"
	awk '/^#   Failed test/ { n = 12; print; next }
	    n > 0 && /^#/ { n--; print; next }
	    { n = 0 }' "$log" | tail -n 80
fi
exit "$rc"
