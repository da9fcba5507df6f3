#!/bin/sh
# Regenerates engine/src/test/resources/{golden,bad} with the independent PyTorch reference and checks them.
# Needs /usr/bin/python3 with torch (Debian python3-torch) and /work/shared/tools/torch_ref.py
# (or TORCH_REF_DIR=<folder holding torch_ref.py>). Deterministic for a given torch version.
set -e
cd "$(dirname "$0")/../.."
/usr/bin/python3 tools/goldens/make_goldens.py --out engine/src/test/resources
/usr/bin/python3 tools/goldens/check_goldens.py --out engine/src/test/resources
# Full-parameter gradients of a few of those fixtures (reads golden/, writes fullgrad/).
/usr/bin/python3 tools/goldens/make_fullgrad_goldens.py --out engine/src/test/resources
