#!/usr/bin/env bash
# Regenerates engine/src/test/resources/tokenizer/golden-*.json from Hugging Face's Rust tokenizer (via DJL,
# offline). Needs Maven Central once for the DJL jars and the shared/ folder beside the checkout.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
shared="${TTSI_SHARED:-$(cd "$here/.." && pwd)/shared}"
[ -d "$shared/models" ] || shared=/work/shared
java_bin="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$shared/tools/tokref/pom.xml" "$work/pom.xml"
(cd "$work" && mvn -q dependency:build-classpath -Dmdep.outputFile="$work/cp.txt")
res="$here/engine/src/test/resources/tokenizer"
"$java_bin" -Dai.djl.offline=true --enable-native-access=ALL-UNNAMED -cp "$(cat "$work/cp.txt")" \
  "$here/tools/tokenizer-goldens/MakeTokenizerGoldens.java" "$res/texts.json" "$shared" "$here" "$res" \
  qwen3=models/Qwen3-0.6B/tokenizer.json llama3=models/llama3.1-tokenizer/tokenizer.json \
  gpt2-fixture=engine/src/test/resources/tokenizer/gpt2-fixture/tokenizer.json \
  gpt2-prefix-fixture=engine/src/test/resources/tokenizer/gpt2-prefix-fixture/tokenizer.json
