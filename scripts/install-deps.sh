#!/usr/bin/env bash
# Installs the Debian 12 packages HeelDrop needs to build, test and run.
# Safe to run again: apt-get only installs what is missing.
set -euo pipefail
pkgs=(
  build-essential cmake pkg-config git
  ffmpeg libavcodec-dev libavformat-dev libavutil-dev libswscale-dev
  libopencv-core-dev libopencv-imgproc-dev libopencv-video-dev
  libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev fonts-dejavu-core
  chromium
  libcjson-dev libsqlite3-dev libv4l-dev
  valgrind
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm for the report's browser test, from Debian unless a node is already
# installed (another packaging of node must not be replaced).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  for p in nodejs npm; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
else
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The report's browser test drives Debian's chromium with playwright-core from npm
# (tests/browser/package-lock.json; no browser is downloaded). Skipped without npm.
if [ -d "$(dirname "$0")/../tests/browser/node_modules/playwright-core" ]; then
  echo "install-deps: tests/browser/node_modules present"
elif command -v npm >/dev/null 2>&1; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$(dirname "$0")/../tests/browser" \
    --no-audit --no-fund
else
  echo "install-deps: npm not found; tests/browser (report_browser test) will be skipped"
fi
