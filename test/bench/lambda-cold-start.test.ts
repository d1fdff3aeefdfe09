import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

// Keeps the benchmark runnable (one run, nothing written); its figures are not judged here.
it('bench/lambda-cold-start.mjs builds both bundles, cold-starts each and prints the table', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  const out = spawnSync(process.execPath, ['bench/lambda-cold-start.mjs', '--runs', '1', '--no-write'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(out.status, out.stderr).toBe(0);
  expect(out.stdout).toMatch(/hello-world\s+\d+ KiB\s+\d+ KiB/);
  expect(out.stdout).toMatch(/contactfolio \(GET list\)\s+\d+ KiB\s+\d+ KiB/);
  expect(out.stdout).toMatch(/ratio app\/hello \(process start to answer\): \d+\.\d\d/);
}, 150_000);
