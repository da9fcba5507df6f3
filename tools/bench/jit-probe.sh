#!/usr/bin/env bash
# Does this JVM start compile the training kernels well? N fresh JVMs, each training the ToolShift student for
# SECONDS (default 25); for each, the size of C2's code for OuterKernels.micro6x4 (about 10 KiB when the Vector API
# intrinsics were used, 20-48 KiB when C2 fell back to their Java code: ~5x slower steps) and the steps reached.
#   tools/bench/jit-probe.sh N [JVM flags...]          (env: JAR=cli/target/ttsi.jar DATA=a toolshift data folder's parent
#                                                        SECONDS_EACH=25)
# DATA defaults to a fresh `ttsi toolshift generate --seed 1` (about a minute, once). Run it on a quiet machine.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
n="${1:?usage: $0 N [JVM flags...]}"; shift
jar="${JAR:-$here/cli/target/ttsi.jar}"
each="${SECONDS_EACH:-25}"
jdk="$("$here/bin/find-jdk25")"
[ -f "$jar" ] || { echo "no $jar: build first (mvn -B -ntp package -DskipTests)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
java=("$jdk/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseG1GC -XX:MaxRAMPercentage=75)
if [ -n "${DATA:-}" ]; then cp -r "$DATA" "$work/data"; else "${java[@]}" -jar "$jar" toolshift generate --out "$work/data/toolshift" --seed 1 --tokenizer-vocab 2048 > /dev/null; fi
for i in $(seq 1 "$n"); do
  rm -rf "$work/out"; mkdir -p "$work/out"; cp -r "$work/data" "$work/out/data"
  "${java[@]}" "$@" -jar "$jar" toolshift train --out "$work/out" --recipe compact --threads 2 --only student --step-scale 0.02 > "$work/log" 2>&1 &
  pid=$!
  sleep "$each"
  kib=$("$jdk/bin/jcmd" "$pid" Compiler.codelist 2>/dev/null | grep 'OuterKernels.micro6x4' | python3 -c '
import re, sys
for line in sys.stdin:
    f = line.split()
    if len(f) > 1 and f[1] == "4":
        a = re.findall(r"0x[0-9a-f]+", line)
        print((int(a[2], 16) - int(a[1], 16)) // 1024, end=" ")
')
  steps=$(tr '\r' '\n' < "$work/log" | grep -o ' [0-9]*/[0-9]* steps' | tail -1 || true)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "start $i: micro6x4 C2 code KiB [${kib% }],${steps:- no step yet} in ${each} s"
done
