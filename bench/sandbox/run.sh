#!/usr/bin/env bash
# bench/sandbox/run.sh - the sandbox against moto's server, side by side in one run.
#
# For each server: time from process launch to the first answered (200) signed request, idle
# RSS, then the same signed requests replayed by the same load generator (bench/loadgen.c,
# built as cpw-loadgen) for operations both implement - STS GetCallerIdentity, IAM ListRoles,
# Connect ListInstances - then loaded RSS. The sandbox runs with --no-rate-limits: its default
# AWS request rates would otherwise throttle the load (Connect 2/s) and the run would measure
# the rate limiter. The loadgen counts every non-200 answer; a column with errors is void.
# As a floor for start-up, the same run times `cpwarden --version` (exec + dynamic loading of
# the same binary, no server). moto is only a comparison peer: when `python3 -m moto.server` is
# not importable, its column says n/a. Everything listens on 127.0.0.1; every load is bounded
# by -n requests and each request by a 30 s timeout.
#
# With BASE_BUILD=DIR in the environment, a second sandbox (DIR/cpwarden, e.g. a build of the
# previous commit) runs in the same script between the two, and the report adds a "before"
# column: before/after ratios then come from one run on one machine state. With ROUNDS=R (default
# 1), the two sandboxes run R times each, alternately (after, before, after, before, ...), so that
# a change in the machine's load falls on both; each cell is then the median of its R figures,
# and the report gives the load average before each round. Latencies: p50 and p99 per operation,
# in ms with two decimals (sub-millisecond medians would otherwise all read 0.5).
#
# usage: bench/sandbox/run.sh BUILD_DIR [N] [CONCURRENCY]    (prints a Markdown report)
set -euo pipefail
BUILD=${1:?usage: run.sh BUILD_DIR [N] [CONCURRENCY]}
N=${2:-3000}
CONC=${3:-8}
CPWARDEN="$BUILD/cpwarden"
LOADGEN="$BUILD/cpw-loadgen"
PY=${MOTO_PYTHON:-python3}
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

now_us() { date +%s%6N; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# Private memory (not shared with other processes: heap, stacks, written pages of libraries).
private_kb() { awk '/^Private_(Clean|Dirty)/ {s += $2} END {print s}' "/proc/$1/smaps_rollup"; }
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

STS_BODY='Action=GetCallerIdentity&Version=2011-06-15'
IAM_BODY='Action=ListRoles&Version=2010-05-08&PathPrefix=%2Faws-service-role%2F'

load() { # URL: the three operations, one JSON line each
    local url=$1
    echo "sts $("$LOADGEN" "$url" sts "$STS_BODY" -n "$N" -c "$CONC" || true)"
    echo "iam $("$LOADGEN" "$url" iam "$IAM_BODY" -n "$N" -c "$CONC" || true)"
    echo "connect $("$LOADGEN" "$url" connect '' --get /instance -n "$N" -c "$CONC" || true)"
}

run_server() { # NAME URL CMD...
    local name=$1 url=$2
    shift 2
    local t0
    t0=$(now_us)
    "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    local pid=$!
    pids+=("$pid")
    local first
    if ! first=$("$LOADGEN" "$url" sts "$STS_BODY" --wait-ms 60000); then
        echo "$name did not answer in 60 s:" >&2
        cat "$tmp/$name.err" >&2
        return 1
    fi
    local t1
    t1=$(echo "$first" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["first_answer_unix_us"])')
    sleep 1 # let start-up work that follows the first answer settle before reading idle memory
    {
        echo "start_ms $(((t1 - t0) / 1000)).$(((t1 - t0) % 1000 / 100))"
        echo "idle_rss_kb $(rss_kb "$pid")"
        echo "idle_private_kb $(private_kb "$pid")"
        load "$url"
        echo "loaded_rss_kb $(rss_kb "$pid")"
        echo "loaded_private_kb $(private_kb "$pid")"
    } >"$tmp/$name.res"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
}

# Start-up floor: exec + dynamic loading of the same binary, best of 5.
floor=999999
for _ in 1 2 3 4 5; do
    t0=$(now_us)
    "$CPWARDEN" --version >/dev/null
    t=$(($(now_us) - t0))
    [ "$t" -lt "$floor" ] && floor=$t
done
echo "version_ms $((floor / 1000)).$((floor % 1000 / 100))" >"$tmp/floor.res"

ROUNDS=${ROUNDS:-1}
base=0
: >"$tmp/rounds.txt"
for ((r = 1; r <= ROUNDS; r++)); do
    echo "round $r: load average $(cut -d' ' -f1-3 /proc/loadavg)" >>"$tmp/rounds.txt"
    port=$(free_port)
    run_server "sandbox.$r" "http://127.0.0.1:$port" "$CPWARDEN" sandbox --port "$port" \
        --no-rate-limits
    if [ -n "${BASE_BUILD:-}" ]; then
        port=$(free_port)
        run_server "before.$r" "http://127.0.0.1:$port" "$BASE_BUILD/cpwarden" sandbox \
            --port "$port" --no-rate-limits && base=1
    fi
done
moto=0
if "$PY" -c 'import moto.server' 2>/dev/null; then
    moto_py=$("$PY" -c 'import sys; print(sys.executable)')
    port=$(free_port)
    run_server moto "http://127.0.0.1:$port" "$moto_py" -m moto.server -H 127.0.0.1 -p "$port" && moto=1
fi

/usr/bin/python3 - "$tmp" "$moto" "$N" "$CONC" "$base" "$ROUNDS" <<'PY'
import json, os, platform, statistics, sys
tmp, moto, n, conc = sys.argv[1], sys.argv[2] == "1", sys.argv[3], sys.argv[4]
base, rounds = sys.argv[5] == "1", int(sys.argv[6])
def read_one(name):
    res = {}
    for line in open(f"{tmp}/{name}.res"):
        key, _, rest = line.strip().partition(" ")
        res[key] = json.loads(rest) if rest.startswith("{") else float(rest)
    return res
def read(name):
    # The median of each figure over the rounds; a load with errors in any round stays void.
    runs = [read_one(f"{name}.{r}") for r in range(1, rounds + 1)]
    res = {}
    for key, v in runs[0].items():
        if isinstance(v, dict):
            res[key] = {k: statistics.median(run[key][k] for run in runs) for k in v
                        if isinstance(v[k], (int, float))}
            res[key]["errors"] = max(run[key].get("errors", 1) for run in runs)
        else:
            res[key] = statistics.median(run[key] for run in runs)
    return res
s = read("sandbox")
m = read_one("moto") if moto else {}
b = read("before") if base else None
floor = read_one("floor")["version_ms"]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"Machine: {os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}, "
      f"load average {os.getloadavg()[0]:.2f} at the end.")
print(f"{n} requests per operation, {conc} connections, the same signed requests for both "
      f"servers; sandbox with --no-rate-limits.\n")
print(f"Load average at the start of the report: {open('/proc/loadavg').read().strip()}\n")
if rounds > 1:
    print(f"Sandbox cells: median of {rounds} alternating rounds "
          f"({'; '.join(l.strip() for l in open(f'{tmp}/rounds.txt'))}).\n")
if b is not None:
    print("| measure | sandbox (before) | cpwarden sandbox | moto server | ratio to moto | after / before |")
    print("|---|---|---|---|---|---|")
else:
    print("| measure | cpwarden sandbox | moto server | ratio |")
    print("|---|---|---|---|")
labels = {"sts": "STS GetCallerIdentity", "iam": "IAM ListRoles", "connect": "Connect ListInstances"}
for op in ("sts", "iam", "connect"):
    so, mo = s.get(op, {}), m.get(op, {})
    for k, label, better in (("rps", "req/s", "higher"), ("p50_ms", "p50 ms", "lower"),
                             ("p99_ms", "p99 ms", "lower")):
        sv = so.get(k) if so.get("errors", 1) == 0 else None
        mv = mo.get(k) if mo.get("errors", 1) == 0 else None
        ratio = "n/a"
        if sv and mv:
            ratio = f"{sv / mv:.1f}x" if better == "higher" else f"{mv / sv:.1f}x lower"
        fmt = (lambda v: f"{v:.0f}") if k == "rps" else (lambda v: f"{v:.2f}")
        if b is not None:
            bo = b.get(op, {})
            bv = bo.get(k) if bo.get("errors", 1) == 0 else None
            gain = "n/a"
            if sv and bv:
                gain = f"{sv / bv:.2f}x" if better == "higher" else f"{bv / sv:.2f}x lower"
            print(f"| {labels[op]} {label} | {fmt(bv) if bv is not None else 'n/a (errors)'} | "
                  f"{fmt(sv) if sv is not None else 'n/a (errors)'} | "
                  f"{fmt(mv) if mv is not None else 'n/a'} | {ratio} | {gain} |")
            continue
        print(f"| {labels[op]} {label} | {fmt(sv) if sv is not None else 'n/a (errors)'} | "
              f"{fmt(mv) if mv is not None else 'n/a'} | {ratio} |")
for k, label in (("start_ms", "launch to first 200 answer (ms)"),
                 ("idle_rss_kb", "idle RSS (KiB)"), ("idle_private_kb", "idle private memory (KiB)"),
                 ("loaded_rss_kb", "RSS after the load (KiB)"),
                 ("loaded_private_kb", "private memory after the load (KiB)")):
    sv, mv = s.get(k), m.get(k)
    ratio = f"{mv / sv:.1f}x lower" if sv and mv else "n/a"
    if b is not None:
        bv = b.get(k)
        f = (lambda v: f"{v:.1f}") if k == "start_ms" else (lambda v: f"{v:.0f}")
        print(f"| {label} | {f(bv) if bv else 'n/a'} | {f(sv)} | "
              f"{'n/a' if mv is None else f(mv)} | {ratio} | {f'{sv / bv:.2f}x' if bv else 'n/a'} |")
        continue
    print(f"| {label} | {sv:.1f} | {'n/a' if mv is None else f'{mv:.1f}'} | {ratio} |" if k == "start_ms"
          else f"| {label} | {sv:.0f} | {'n/a' if mv is None else f'{mv:.0f}'} | {ratio} |")
print(f"| floor: `cpwarden --version` exec to exit (ms, best of 5) | {floor:.1f} | | |")
errs = {f"{name} {op}": d[op]["errors"] for name, d in (("sandbox", s), ("moto", m), ("before", b or {}))
        for op in ("sts", "iam", "connect") if op in d and d[op]["errors"]}
if errs:
    print(f"\nNon-200 answers (void cells): {errs}")
PY
