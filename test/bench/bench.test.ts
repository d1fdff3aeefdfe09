import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

// Keeps `npm run bench` runnable end to end (one connection, tiny cells); its figures are not judged here.
it('npm run bench -- --smoke seeds, loads the app and both baselines, and prints the table and targets', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  const out = spawnSync('npm', ['run', 'bench', '--', '--smoke'], { cwd: root, encoding: 'utf8', timeout: 240_000 });
  expect(out.status, out.stdout.slice(-3000) + out.stderr.slice(-3000)).toBe(0);
  for (const scenario of ['health', 'list 50', 'search', 'create', 'patch', 'delete', 'import 50', 'login']) {
    expect(out.stdout).toMatch(new RegExp(`^${scenario}\\s+1\\s+\\d+`, 'm'));
  }
  expect(out.stdout).not.toMatch(/\[\d+\]/); // no errors or non-2xx answers in any cell
  expect(out.stdout).toMatch(/Memory \(app, fresh process/);
  expect(out.stdout).toMatch(/Targets\n( {2}(met {3}|MISSED) {2}.+\n){19}/);
}, 300_000);
