import { execFileSync } from 'node:child_process';

/** Builds dist/ once before any test file runs, for the tests that start the real server or CLI. */
export default function setup() {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
}
