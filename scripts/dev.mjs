// `npm run dev`: the server from the TypeScript sources, restarted on every change. tsc builds dist/ once,
// then rebuilds what changes (`--watch`); `node --watch` restarts the server when a file it loaded changes.
// Both are tools the project already has (no dev dependency): the server runs as built, as `npm start` runs it.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'];

if (spawnSync(process.execPath, tsc, { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
const children = [
  spawn(process.execPath, [...tsc, '--watch', '--preserveWatchOutput'], { cwd: root, stdio: 'inherit' }),
  spawn(process.execPath, ['--watch', 'dist/server.js'], { cwd: root, stdio: 'inherit' }),
];
const stop = () => {
  for (const child of children) child.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const child of children) child.on('exit', stop);
