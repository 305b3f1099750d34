#!/usr/bin/env bash
# Makes sure headless Chromium is installed at /usr/bin/chromium for the
# browser tests of web/e2e. Installs Debian's package when running as root;
# otherwise explains what is missing. With CI=true a browser that cannot be
# installed is an error (the tests would fail anyway); elsewhere the tests
# skip.
set -uo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
	exit 0
fi

fail() {
	echo "ensure-chromium: $*" >&2
	if [ "${CI:-}" = "true" ]; then
		exit 1
	fi
	echo "ensure-chromium: the browser tests will be skipped" >&2
	exit 0
}

if [ "$(id -u)" -ne 0 ]; then
	fail "$CHROMIUM is missing and this script is not running as root: run 'sudo apt-get install chromium'"
fi
if ! command -v apt-get >/dev/null 2>&1; then
	fail "$CHROMIUM is missing and apt-get is not available: install Chromium with this system's package manager"
fi

echo "ensure-chromium: installing chromium with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q chromium >/dev/null; then
	echo "ensure-chromium: install failed, updating the package lists first" >&2
	apt-get update -q >/dev/null || fail "apt-get update failed"
	apt-get install -y -q chromium >/dev/null || fail "apt-get install chromium failed"
fi
[ -x "$CHROMIUM" ] || fail "chromium was installed but $CHROMIUM does not exist"
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo chromium) installed" >&2
