#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Speed and memory on real traffic (issue 11 item 6; a benchmark, not a
# test: it prints figures and asserts nothing).  ../shared/corpus/public-mix.pcap
# through sidewall with
#   (a) one never-matching rule,
#   (b) every ET Open 2025 rule of ../shared/corpus/etopen-2025-07/ that loads
#       (every rule file but the IP-reputation ones),
#   (c) (b) plus the IP-reputation files (ciarmy, compromised, drop, dshield,
#       tor, botcc, botcc.portgrouped),
# each for 1 and 2 threads (BENCH_THREADS), best of BENCH_ROUNDS (5) runs of
#   whole  - the whole process on the capture (rule compilation included),
#   empty  - the same command on an empty capture (start-up and shutdown),
#   proc   - net of start-up: the time sidewall reports from reading the
#            first packet to the last record logged (the difference whole -
#            empty is printed too, but start-up jitter of a 1 s rule
#            compilation swamps a 0.2 s difference),
# the throughput over the capture's wire bytes for whole and proc, peak RSS
# (max of all runs, /usr/bin/time %M), and the alerts of the last run.  Then the
# ceiling: a plain hs_scan of every TCP/UDP payload of the capture with the
# payload fast patterns of (b) and of (c) (bench/rules_load -L, bench/hs_ceiling),
# nothing else, and what fraction of it (b) and (c) reach net, 1 thread.
# Skips with a message when ../shared/corpus is absent.  The idle-CPU
# figures are bench/idle.sh's (root).
#
#   bench/real.sh [BUILD_DIR]        default build/release
#   env: BENCH_ROUNDS (5), BENCH_THREADS ("1 2"), BENCH_CASES ("a b c")
#
# Run it on an otherwise idle machine: wall-clock figures on two shared cores
# mean nothing otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build/release}
rounds=${BENCH_ROUNDS:-5}
threads=${BENCH_THREADS:-1 2}
cases=${BENCH_CASES:-a b c}
corpus=../shared/corpus
cap=$corpus/public-mix.pcap
et=$corpus/etopen-2025-07
if [ ! -s "$cap" ] || [ ! -d "$et" ]; then
	echo "real: $corpus not found: skipped"
	exit 0
fi
for x in sidewall rules_load hs_ceiling; do
	[ -x "$dir/$x" ] || { echo "real: $dir/$x not built" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# an empty capture (header only, Ethernet) for the start-up runs
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x01\x00\x00\x00' >"$work/empty.pcap"
echo 'alert tcp any any -> any any (msg:"never"; content:"zq-sidewall-never-matches-qz"; sid:1;)' >"$work/never.rules"
rep=" ciarmy compromised drop dshield tor botcc botcc.portgrouped "
args_a=(-S "$work/never.rules")
args_b=()
args_c=()
for f in "$et"/*.rules; do
	n=$(basename "$f" .rules)
	case "$rep" in *" $n "*) ;; *) args_b+=(-S "$f") ;; esac
	args_c+=(-S "$f")
done

wire=$("$dir/sidewall" -r "$cap" -l "$work" -k none "${args_a[@]}" 2>&1 | sed -n 's/^sidewall: [0-9]* packets, \([0-9]*\) bytes.*/\1/p')
echo "real: $cap: $wire wire bytes; best of $rounds; $(nproc) CPUs; $(date -u +%FT%TZ) $(git rev-parse --short HEAD 2>/dev/null || true)"

# one timed run: prints "whole_s maxrss_kb alerts startup_s processing_s"
# (the last two as sidewall reports them: main() to the first packet read,
# and first packet read to the last record logged)
run() {
	local out=$work/o
	rm -rf "$out"
	mkdir -p "$out"
	/usr/bin/time -f '%e %M' -o "$work/t" "$dir/sidewall" -r "$1" -l "$out" --threads "$2" "${@:3}" >/dev/null 2>"$work/err" ||
		{ cat "$work/err" >&2; exit 1; }
	echo "$(cat "$work/t") $(grep -c '"event_type":"alert"' "$out/eve.json" || true)" \
		"$(sed -n 's/^sidewall: start-up \([0-9.]*\) s; capture read, inspected and logged in \([0-9.]*\) s.*/\1 \2/p' "$work/err")"
}

declare -A net1
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b) ? a : b }'; }
printf '%-4s %3s %8s %8s %8s %9s %9s %10s %8s %7s\n' case thr whole_s empty_s w-e_s proc_s whole_Gb/s proc_Gb/s rss_MB alerts
for c in $cases; do
	eval "args=(\"\${args_$c[@]}\")"
	for t in $threads; do
		bw=999 bs=999 bp=999 rss=0 alerts=0
		for ((i = 0; i < rounds; i++)); do
			read -r s m a _ p < <(run "$cap" "$t" "${args[@]}")
			bw=$(min "$s" "$bw")
			bp=$(min "$p" "$bp")
			[ "$m" -gt "$rss" ] && rss=$m
			alerts=$a
			read -r s m a _ _ < <(run "$work/empty.pcap" "$t" "${args[@]}")
			bs=$(min "$s" "$bs")
			[ "$m" -gt "$rss" ] && rss=$m
		done
		awk -v c="$c" -v t="$t" -v w="$bw" -v s="$bs" -v p="$bp" -v b="$wire" -v r="$rss" -v al="$alerts" 'BEGIN {
			n = w - s
			# start-up noise larger than the processing: no difference figure
			nf = n > 0 ? sprintf("%8.2f", n) : sprintf("%8s", "-")
			printf "%-4s %3s %8.2f %8.2f %s %9.3f %9.2f %10.2f %8.1f %7d\n", c, t, w, s, nf, p, b * 8 / w / 1e9, b * 8 / p / 1e9, r / 1024, al }'
		[ "$t" = 1 ] && net1[$c]=$bp
	done
done
echo
echo "== ceiling: plain hs_scan of the capture's TCP/UDP payloads with the same payload fast patterns (1 thread)"
for c in b c; do
	case " $cases " in *" $c "*) ;; *) continue ;; esac
	eval "args=(\"\${args_$c[@]}\")"
	files=()
	for ((i = 1; i < ${#args[@]}; i += 2)); do files+=("${args[$i]}"); done
	"$dir/rules_load" -c rules/classification.config -L "$work/lit_$c.txt" "${files[@]}" >/dev/null 2>&1
	line=$("$dir/hs_ceiling" "$cap" "$work/lit_$c.txt" "$rounds")
	echo "($c) $line"
	secs=$(echo "$line" | sed -n 's/.*best of [0-9]*: \([0-9.]*\) s.*/\1/p')
	awk -v c="$c" -v n="${net1[$c]:-0}" -v s="$secs" 'BEGIN {
		if (n > 0 && s > 0) printf "(%s) sidewall net of start-up, 1 thread, reaches %.0f%% of the ceiling (%.3f s vs %.3f s)\n", c, 100 * s / n, n, s }'
done
