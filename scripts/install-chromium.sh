#!/usr/bin/env bash
# Makes sure the browser the timeline tests drive is installed: Debian's
# `chromium` package at /usr/bin/chromium (or $CHROMIUM_PATH). Run by
# `npm test` before the tests and by .ci/run. Installs it with apt when it is
# missing; fails with a clear message when it cannot, so the browser tests
# never skip silently.
set -euo pipefail

browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$browser" ]; then
  exit 0
fi
if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "install-chromium: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file" >&2
  exit 1
fi

echo "install-chromium: $browser is missing; installing Debian's chromium package with apt-get" >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: apt-get not found: install Chromium yourself and set CHROMIUM_PATH to its binary (the timeline browser tests need it)" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "install-chromium: installing needs root (run: sudo apt-get update && sudo apt-get install -y chromium), or set CHROMIUM_PATH" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! "${as_root[@]}" apt-get update || ! "${as_root[@]}" apt-get install -y chromium; then
  echo "install-chromium: apt-get could not install chromium (see the output above); the timeline browser tests need it" >&2
  exit 1
fi
if [ ! -x "$browser" ]; then
  echo "install-chromium: apt-get finished but $browser is still missing" >&2
  exit 1
fi
echo "install-chromium: installed $("$browser" --version 2>/dev/null || echo chromium)" >&2
