// Writes the README's screenshots (docs/screenshots/) from the browser tests,
// against a real server, PostgreSQL and Redis. A plain `npm test` writes its
// screenshots to a temporary folder instead: tests never rewrite tracked files.
import { spawnSync } from 'node:child_process';

const run = spawnSync('npx', ['vitest', 'run', 'test/e2e/web.test.ts'], {
  stdio: 'inherit',
  env: { ...process.env, UPDATE_SCREENSHOTS: '1' },
});
process.exit(run.status ?? 1);
