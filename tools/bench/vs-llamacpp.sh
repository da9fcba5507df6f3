#!/usr/bin/env bash
# ttsi against the shared llama.cpp build, alternating, N rounds in one run: the ratios that docs/PERFORMANCE.md quotes.
#   tools/bench/vs-llamacpp.sh GGUF_DIR [ROUNDS]        (env: SIZES="0.5b 1.5b" THREADS=2 PP=256 TG=32)
# GGUF_DIR holds qwen2.5-{0.5b,1.5b}-rand-{bf16,q8_0}.gguf; make them once with
#   MKGGUF=1 SIZES=0.5b ../shared/tools/llamacpp/anchor.sh GGUF_DIR     (random weights, real shapes; needs python3-torch)
# Each round runs, per size: llama-bench on the BF16 file, ttsi bench engine --dtype bf16 (random weights of the same
# shape), llama-bench on the Q8_0 file, ttsi bench engine --dtype q8_0 (one repetition each, so rounds alternate
# finely). ttsi decodes from an empty cache (--decode-context 0), as llama-bench's tg test does after clearing its
# KV cache, and keeps the better of two decode runs (--reps 3), the first warming the JIT as llama-bench's warmup
# does. Prints every round's figures and, per ratio, the median and the range over the rounds. Run it on a quiet
# machine: nothing else training or testing.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
shared="${TTSI_SHARED:-$here/../shared}"
ll="$shared/tools/llamacpp"
gg="${1:?usage: $0 GGUF_DIR [ROUNDS]}"
rounds="${2:-5}"
sizes="${SIZES:-0.5b 1.5b}"
threads="${THREADS:-2}"; pp="${PP:-256}"; tg="${TG:-32}"
export LD_LIBRARY_PATH="$ll/bin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
[ -x "$ll/bin/llama-bench" ] || { echo "no llama-bench in $ll/bin" >&2; exit 2; }
[ -f "$here/cli/target/ttsi.jar" ] || { echo "build first: mvn -B -ntp package -DskipTests" >&2; exit 2; }
out="$(mktemp -d)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%FT%TZ); threads $threads, pp $pp, tg $tg, $rounds rounds"
echo "llama.cpp: $ll (b4747); ttsi: $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')"

llama() { # size type round -> one JSON line with avg_ts for pp and tg
  local f="$gg/qwen2.5-$1-rand-$2.gguf"
  [ -f "$f" ] || { echo "missing $f (see the header of this script)" >&2; exit 2; }
  "$ll/bin/llama-bench" -m "$f" -t "$threads" -p "$pp" -n "$tg" -r 1 -o jsonl 2>/dev/null > "$out/llama-$1-$2-$3.jsonl"
}
ttsi() { # size type round
  "$here/bin/ttsi" bench engine --shape "qwen2.5-$1" --dtype "$2" --threads "$threads" --prefill "$pp" --decode "$tg" --decode-context 0 --train 0 --reps 3 --format json \
    2>/dev/null > "$out/ttsi-$1-$2-$3.json"
}

for r in $(seq 1 "$rounds"); do
  for s in $sizes; do
    llama "$s" bf16 "$r"
    ttsi "$s" bf16 "$r"
    llama "$s" q8_0 "$r"
    ttsi "$s" q8_0 "$r"
  done
  echo "round $r done" >&2
done

/usr/bin/python3 - "$out" "$rounds" "$sizes" <<'PY'
import json, os, statistics, sys
out, rounds, sizes = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
def llama(size, typ, r):
    pp = tg = None
    for line in open(os.path.join(out, f"llama-{size}-{typ}-{r}.jsonl")):
        d = json.loads(line)
        if d["n_prompt"]: pp = d["avg_ts"]
        else: tg = d["avg_ts"]
    return pp, tg
for size in sizes:
    rows = []
    for r in range(1, rounds + 1):
        t = json.load(open(os.path.join(out, f"ttsi-{size}-bf16-{r}.json")))
        tq = json.load(open(os.path.join(out, f"ttsi-{size}-q8_0-{r}.json")))
        bp, bt = llama(size, "bf16", r)
        qp, qt = llama(size, "q8_0", r)
        rows.append(dict(ttsi_pp=t["prefill_tokens_per_s"], ttsi_tg=t["decode_tokens_per_s"], tq_pp=tq["prefill_tokens_per_s"],
                         tq_tg=tq["decode_tokens_per_s"], bf16_pp=bp, bf16_tg=bt, q8_pp=qp, q8_tg=qt))
    print(f"\nqwen2.5-{size}: tokens/s per round (ttsi and llama.cpp, each on BF16 and on Q8_0 weights)")
    print("round  ttsi bf16 pp  llama bf16 pp  ttsi q8_0 pp  llama q8_0 pp  ttsi bf16 tg  llama bf16 tg  ttsi q8_0 tg  llama q8_0 tg")
    for i, x in enumerate(rows, 1):
        print(f"{i:5d} {x['ttsi_pp']:13.1f} {x['bf16_pp']:14.1f} {x['tq_pp']:13.1f} {x['q8_pp']:14.1f} {x['ttsi_tg']:13.1f} {x['bf16_tg']:14.1f} {x['tq_tg']:13.1f} {x['q8_tg']:14.1f}")
    for name, a, b in [("prefill BF16: ttsi / llama.cpp", "ttsi_pp", "bf16_pp"), ("prefill Q8_0: ttsi / llama.cpp", "tq_pp", "q8_pp"),
                       ("decode BF16: ttsi / llama.cpp", "ttsi_tg", "bf16_tg"), ("decode Q8_0: ttsi / llama.cpp", "tq_tg", "q8_tg"),
                       ("prefill ttsi BF16 / llama.cpp Q8_0", "ttsi_pp", "q8_pp"), ("decode ttsi BF16 / llama.cpp Q8_0", "ttsi_tg", "q8_tg")]:
        ratios = [x[a] / x[b] for x in rows]
        print(f"  {name:32s} median {statistics.median(ratios):.2f}x  range {min(ratios):.2f}-{max(ratios):.2f}x")
PY
rm -rf "$out"
