#!/usr/bin/env bash
# Debian packages the project needs beside Python's, installed where missing and possible.
#   build   - ICU's headers, for PyICU (Vietnamese alphabetical order): libicu-dev, pkg-config
#   browser - headless Chromium, its driver and an emoji font, for the web chat page's test
#   office  - LibreOffice (no GUI) and pdftoppm, to draw a page of each document in the tests
# Without apt-get or root (and no password-less sudo) it says what to install; for "build" that
# is an error (PyICU cannot compile), for "browser" the browser test skips and says why.
set -euo pipefail
want=${1:?usage: system-packages.sh build|browser|office}
case "$want" in
  build) have() { pkg-config --exists icu-i18n 2>/dev/null; }; packages=(libicu-dev pkg-config) ;;
  browser) have() { [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] &&
                    [ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; }
           packages=(chromium chromium-driver fonts-noto-color-emoji) ;;
  office) have() { command -v soffice >/dev/null && command -v pdftoppm >/dev/null; }
          packages=(libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils) ;;
  *) echo "unknown set: $want" >&2; exit 2 ;;
esac
have && exit 0
if [ "$(id -u)" = "0" ]; then SUDO=(); elif sudo -n true 2>/dev/null; then SUDO=(sudo -n);
else SUDO=(none); fi
if ! command -v apt-get >/dev/null 2>&1 || [ "${SUDO[0]:-}" = none ]; then
  echo "Missing system packages: ${packages[*]} (Debian names); install them and run again." >&2
  [ "$want" = build ] && exit 1 || exit 0
fi
echo "Installing ${packages[*]} (Debian packages)…"
if ! { "${SUDO[@]}" apt-get update -qq >/dev/null &&
       DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends \
         "${packages[@]}" >/dev/null; }; then
  echo "Could not install ${packages[*]}." >&2
  [ "$want" = build ] && exit 1 || exit 0
fi
