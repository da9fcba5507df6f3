#!/usr/bin/env bash
# Alternating speed comparison of two ttsi builds (e.g. before and after an engine change), same machine, same run.
#   tools/bench/before-after.sh BEFORE.jar AFTER.jar [ROUNDS] [SHAPE]
# Each round runs 'bench engine' (bf16, random weights, 2 threads: prefill 256, decode 32, one LoRA step on 256
# tokens) with BEFORE then AFTER, and prints each figure per round and the after/before ratio's median and range.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
before=$1 after=$2 rounds=${3:-3} shape=${4:-qwen2.5-0.5b}
java="$("$here/bin/find-jdk25")/bin/java"
out=$(mktemp -d)
for r in $(seq 1 "$rounds"); do
  for side in before after; do
    jar=$before; [ "$side" = after ] && jar=$after
    "$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseG1GC -jar "$jar" bench engine --shape "$shape" \
      --dtype bf16 --threads 2 --prefill 256 --decode 32 --train 256 --reps 2 --format json 2>/dev/null > "$out/$side-$r.json"
  done
done
python3 - "$out" "$rounds" <<'PY'
import json, sys, statistics
d, n = sys.argv[1], int(sys.argv[2])
keys = ["prefill_tokens_per_s", "decode_tokens_per_s", "lora_step_s"]
for k in keys:
    b = [json.load(open(f"{d}/before-{r}.json"))[k] for r in range(1, n + 1)]
    a = [json.load(open(f"{d}/after-{r}.json"))[k] for r in range(1, n + 1)]
    ratios = [x / y for x, y in zip(a, b)]
    print(f"{k}: before {b}, after {a}; after/before median {statistics.median(ratios):.3f} (range {min(ratios):.3f}-{max(ratios):.3f})")
PY
