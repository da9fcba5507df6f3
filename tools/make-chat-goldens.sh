#!/bin/sh
# Regenerates the golden chat-template renderings (engine/src/test/resources/chat/golden, cases.tsv) and the
# jinja2 conformance cases (jinja/src/test/resources/jinja/cases.json) with jinja2 (Debian: python3-jinja2).
# Usage: tools/make-chat-goldens.sh [SHARED_DIR]   (default: the shared/ folder beside the checkout)
set -e
cd "$(dirname "$0")/.."
/usr/bin/python3 -c 'import jinja2; print("jinja2", jinja2.__version__)'
/usr/bin/python3 tools/make_chat_goldens.py "$@"
/usr/bin/python3 tools/jinja_cases.py
