#!/usr/bin/env bash
# Install the system packages the book needs, when they are missing:
#   bash tools/setup-system.sh build   Node.js with npm (the build installs MathJax from the npm registry)
#   bash tools/setup-system.sh test    the same, Debian's Chromium for the browser tests and bubblewrap
#   bash tools/setup-system.sh grade   bubblewrap, which isolates students' code when grading
# Python packages come from requirements.txt.
set -euo pipefail
purpose="${1:-test}"
missing=()
if [ "$purpose" != "grade" ]; then
  command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
fi
if [ "$purpose" = "test" ]; then
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
fi
if [ "$purpose" = "test" ] || [ "$purpose" = "grade" ]; then
  command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
fi
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: please install ${missing[*]} (no apt-get on this machine)" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing ${missing[*]} with apt-get"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
