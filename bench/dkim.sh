#!/bin/sh
# bench/dkim.sh [BUILD_DIR] - DKIM verifications per second on one core:
# authdeliver vs libopendkim vs python3-dkim, same corpus, same run.
#
# Corpus (bench/dkim_corpus.py, python3-dkim): 2, 20 and 200 KB messages,
# rsa-sha256 2048-bit and ed25519-sha256, c=relaxed/relaxed.  Each driver
# verifies one class round-robin for SECONDS (default 3), RUNS times
# (default 5), pinned to CPU 0; the table shows medians and the ratio
# authdeliver / peer.  Needs: libopendkim-dev, python3-dkim, python3-nacl.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-build}
case $B in /*) ;; *) B=$TOP/$B ;; esac
SECS=${SECONDS_PER_RUN:-3}
RUNS=${RUNS:-5}
W=$(mktemp -d "${TMPDIR:-/tmp}/dkimbench.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM

[ -f "$B/libauthdeliver.a" ] || { echo "build first (make)"; exit 1; }
CFLAGS=$(sed -n 's/^CFLAGS = //p' "$TOP/config.mk")
LIBS=$(sed -n 's/^LIBS = //p' "$TOP/config.mk")
# shellcheck disable=SC2086
cc $CFLAGS -I"$TOP/src" -o "$W/dkim_bench" "$TOP/bench/dkim_bench.c" "$B/libauthdeliver.a" $LIBS
cc -O2 -o "$W/opendkim_bench" "$TOP/bench/opendkim_bench.c" -lopendkim
/usr/bin/python3 "$TOP/bench/dkim_corpus.py" "$W/c"

pin=""
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

run() {	# run CMD... RUNS times, print the median rate
	i=0
	while [ $i -lt "$RUNS" ]; do
		$pin "$@" | awk '{ print $1 }'
		i=$((i + 1))
	done | median
}

printf '%-14s %12s %12s %12s %9s %9s\n' corpus authdeliver libopendkim dkimpy 'x opendkim' 'x dkimpy'
for cls in 2k-rsa 20k-rsa 200k-rsa 2k-ed 20k-ed 200k-ed mixed; do
	if [ "$cls" = mixed ]; then
		files=$(ls "$W"/c/*.eml)
	else
		files="$W/c/$cls.eml"
	fi
	# shellcheck disable=SC2086
	a=$(run "$W/dkim_bench" "$W/c/zone" "$SECS" $files)
	# libopendkim 2.11 has no ed25519 verification in Debian 12's build? try it
	# shellcheck disable=SC2086
	o=$(run "$W/opendkim_bench" "$W/c/keys.txt" "$SECS" $files 2>/dev/null || echo 0)
	# shellcheck disable=SC2086
	p=$(run /usr/bin/python3 "$TOP/bench/dkim_py.py" "$W/c/keys.txt" "$SECS" $files)
	ro=$(awk -v a="$a" -v o="$o" 'BEGIN { if (o > 0) printf "%.1f", a / o; else print "-" }')
	rp=$(awk -v a="$a" -v p="$p" 'BEGIN { if (p > 0) printf "%.1f", a / p; else print "-" }')
	printf '%-14s %12s %12s %12s %9s %9s\n' "$cls" "$a" "${o:-0}" "$p" "$ro" "$rp"
done
echo "(verifications/s on one core, median of $RUNS runs of ${SECS}s; $(nproc) CPUs, $(openssl version))"
