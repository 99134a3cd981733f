#!/usr/bin/env bash
# Installs what the VS Code test harness needs, once, into a cache outside the repository:
#  - Debian packages (when root): chromium, socat, lrzsz, ripgrep, libkrb5-dev, fonts-wqy-microhei, stress-ng
#  - code-server 4.100.3 (VS Code 1.100.3), built for offline use
# Idempotent: a finished install leaves a marker file and is reused.
set -euo pipefail

CS_VERSION="4.100.3"
CACHE="${OTA_HARNESS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ota-vscode-harness}"
DEST="$CACHE/code-server-$CS_VERSION"
MARKER="$DEST/.installed"

need_pkgs=()
command -v chromium >/dev/null 2>&1 || need_pkgs+=(chromium)
command -v socat >/dev/null 2>&1 || need_pkgs+=(socat)
command -v rb >/dev/null 2>&1 || need_pkgs+=(lrzsz)
command -v stm32flash >/dev/null 2>&1 || need_pkgs+=(stm32flash)
command -v stress-ng >/dev/null 2>&1 || need_pkgs+=(stress-ng)
command -v rg >/dev/null 2>&1 || need_pkgs+=(ripgrep)
command -v make >/dev/null 2>&1 || need_pkgs+=(make)
command -v cc >/dev/null 2>&1 || need_pkgs+=(gcc libc6-dev)
command -v arm-none-eabi-gcc >/dev/null 2>&1 || need_pkgs+=(gcc-arm-none-eabi libnewlib-arm-none-eabi)
[ -f /usr/include/gssapi/gssapi.h ] || [ -f /usr/include/krb5.h ] || need_pkgs+=(libkrb5-dev)
# A font with Chinese glyphs, so the zh-cn UI test's screenshots can be read.
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need_pkgs+=(fonts-wqy-microhei)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "harness: installing Debian packages: ${need_pkgs[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
  else
    echo "harness: missing Debian packages: ${need_pkgs[*]}; install them (sudo apt-get install ${need_pkgs[*]})" >&2
    exit 1
  fi
fi

if [ -f "$MARKER" ]; then
  echo "$DEST/package"
  exit 0
fi

echo "harness: installing code-server $CS_VERSION into $DEST (a few minutes, once)" >&2
rm -rf "$DEST"
mkdir -p "$DEST"
cd "$DEST"
npm pack "code-server@$CS_VERSION" --silent >/dev/null
tar xzf "code-server-$CS_VERSION.tgz"
rm -f "code-server-$CS_VERSION.tgz"
cd package
npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
npm rebuild argon2 --loglevel=error >/dev/null
cd lib/vscode
npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
npm_config_yes=true npm rebuild --loglevel=error >/dev/null
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sf code-linux.sh code-server)
(cd bin/helpers && ln -sf browser-linux.sh browser.sh)
(cd extensions && npm install --omit=dev --no-audit --no-fund --loglevel=error >/dev/null)
touch "$MARKER"
echo "$DEST/package"
