import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { cdkJsonContext } from './support/synth.ts';

/*
 * infra/cdk.json sets every feature flag the pinned aws-cdk-lib recommends
 * for new projects (the list it ships, the one `cdk init` writes), so the app
 * gets today's defaults rather than CDK v2.0's. The other infra tests
 * synthesize with this context, so their assertions hold with the flags on.
 */
const root = path.resolve(import.meta.dirname, '../..');
const recommended = JSON.parse(readFileSync(path.join(root, 'node_modules/aws-cdk-lib/recommended-feature-flags.json'), 'utf8')) as Record<
  string,
  unknown
>;

it('cdk.json sets each recommended feature flag of the installed aws-cdk-lib to its recommended value', () => {
  expect(Object.keys(recommended).length).toBeGreaterThan(50);
  const context = cdkJsonContext();
  const missing = Object.entries(recommended).filter(([flag, value]) => JSON.stringify(context[flag]) !== JSON.stringify(value));
  expect(missing).toEqual([]);
});
