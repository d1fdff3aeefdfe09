import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

it('`npm run synth` synthesizes both stacks offline, with no AWS credentials', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('CDK_')));
  const out = spawnSync('npm', ['run', 'synth'], {
    cwd: root,
    env: { ...env, AWS_EC2_METADATA_DISABLED: 'true' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(out.status, out.stdout + out.stderr).toBe(0);
  expect(out.stdout + out.stderr).toContain('Successfully synthesized');
  for (const stack of ['Contactfolio-Backend', 'Contactfolio-Frontend']) {
    const file = path.join(root, 'cdk.out', `${stack}.template.json`);
    expect(existsSync(file)).toBe(true);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).Resources).length).toBeGreaterThan(10);
  }
}, 150_000);
