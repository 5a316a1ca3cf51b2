#!/bin/sh
# Runs the libFuzzer targets that `make fuzz-targets` built, or merges what
# they found into the seed corpus.  `make fuzz` / `make fuzz-merge` use it.
#   tools/fuzz.sh run BUILD SECONDS NAME...
#   tools/fuzz.sh merge BUILD 0 NAME...
#
# run: each target fuzzes for SECONDS with BUILD/corpus/NAME as its working
# corpus (created on the first run, kept across runs) and t/fuzz/corpus/NAME
# as read-only seeds; libFuzzer writes new inputs only into the first
# directory, so the committed corpus never changes.  A crash, a broken
# check, a leak or an input slower than 10 s fails the target; its input
# is saved as BUILD/artifacts/NAME-crash-... and the log is in BUILD/log.
#
# merge: adds to t/fuzz/corpus/NAME the inputs of BUILD/corpus/NAME that
# reach code the seeds do not (libFuzzer -merge=1).
set -u

mode=$1 build=$2 seconds=$3
shift 3
failed=""
mkdir -p "$build/artifacts" "$build/log"
for name in "$@"; do
	bin=$build/t/fuzz/fuzz-$name
	seeds=t/fuzz/corpus/$name
	work=$build/corpus/$name
	log=$build/log/$name.log
	mkdir -p "$work"
	if [ "$mode" = merge ]; then
		"$bin" -merge=1 "$seeds" "$work" >"$log" 2>&1 ||
		    { tail -n 20 "$log"; failed="$failed $name"; continue; }
		echo "fuzz-merge $name: $(ls "$seeds" | wc -l) files in $seeds"
		continue
	fi
	printf 'fuzz %-10s %4s s ... ' "$name" "$seconds"
	if "$bin" -max_total_time="$seconds" -timeout=10 -max_len=65536 \
	    -print_final_stats=1 -artifact_prefix="$build/artifacts/$name-" \
	    "$work" "$seeds" >"$log" 2>&1; then
		echo "ok, $(sed -n 's/^stat::number_of_executed_units: *//p' \
		    "$log") runs, corpus $(ls "$work" | wc -l) files"
	else
		echo "FAILED (log: $log)"
		grep -E '^(==|SUMMARY|.*fuzz check failed|.*runtime error)' \
		    "$log" | head -n 20
		grep -E 'Test unit written to' "$log"
		failed="$failed $name"
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz $mode failed:$failed"
	exit 1
fi
