#!/usr/bin/env bash
# Engine throughput against the independent PyTorch reference, in one run on the same machine:
#   tools/bench/engine-vs-torch.sh [SHAPE...]      (default: qwen2.5-0.5b qwen2.5-1.5b)
# ttsi: bf16 weights, 2 threads, 256-token prefill (last-position logits), 32 decode tokens, one 256-token LoRA step.
# torch_ref (Debian python3-torch 1.13 + OpenBLAS): f32 compute on bf16-rounded weights, 2 threads. Its prefill
# computes logits for all 256 positions; OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE are unset for it alone (they slow OpenBLAS).
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
shared="${TTSI_SHARED:-$here/../shared}"
shapes=("$@"); [ ${#shapes[@]} -gt 0 ] || shapes=(qwen2.5-0.5b qwen2.5-1.5b)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
for shape in "${shapes[@]}"; do
  echo "== $shape"
  echo "ttsi:  $("$here/bin/ttsi" bench engine --shape "$shape" --dtype bf16 --threads 2 --format json 2>/dev/null)"
  cfg="$shared/tools/configs/$shape.json"
  if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import torch' 2>/dev/null && [ -f "$cfg" ]; then
    echo "torch: $(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 "$shared/tools/torch_ref.py" bench --config "$cfg" --threads 2 --dtype BF16 --decode 32 --reps 2)"
  else
    echo "torch: skipped (needs /usr/bin/python3 with python3-torch and $cfg)"
  fi
done
