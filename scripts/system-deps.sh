#!/usr/bin/env bash
# System packages the product needs beside Python: Pango/HarfBuzz for WeasyPrint, the DejaVu fonts
# the PDF embeds, poppler for PDF checks in tests. Installs what is missing (as root, via apt).
set -euo pipefail
missing=()
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
for pkg in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
# Optional: headless Chromium for the browser test of the HTML site (tests/test_site_browser.py).
# Installed in CI (CI=true), where that test must run; elsewhere the test skips with a reason.
if [ "${CI:-}" = "true" ] && ! command -v chromium >/dev/null; then missing+=(chromium); fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing system packages: ${missing[*]} (install them with apt-get as root)" >&2
  exit 1
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq "${missing[@]}"
