import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

// Keeps the benchmark runnable (a few cards, one run). Its bounds hold at any size: the
// floods are refused, a multiget answers a card once, and the server is alive at the end.
it('bench/dav-abuse.ts runs every shape against the built server and prints the table', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  const out = spawnSync(process.execPath, ['--import', 'tsx', 'bench/dav-abuse.ts', '--smoke'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 150_000,
  });
  expect(out.status, out.stderr).toBe(0);
  expect(out.stdout).toMatch(/^2 parallel syncs, 4 photo cards\s+207\s/m);
  expect(out.stdout).toMatch(/^query over 2 cards at the caps\s+207\s/m);
  // One card of about 0.8 MB, answered once, not a thousand times.
  expect(out.stdout).toMatch(/^multiget of one photo card, 1,000 spellings\s+207\s+0\.\d\s/m);
  expect(out.stdout).toMatch(/^1 MiB PROPFIND of 262,000 elements, 4 at once\s+400\s/m);
  expect(out.stdout).toContain('server alive after all shapes: true');
}, 180_000);
