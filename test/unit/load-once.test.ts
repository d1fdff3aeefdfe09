import { expect, it } from 'vitest';
import { loadOnce } from '../../app/load-once.ts';

it('loads on the first call only, and shares that promise with every later call', async () => {
  let loads = 0;
  const value = loadOnce(async () => ++loads);
  expect(value.started()).toBeUndefined();
  expect(loads).toBe(0);
  const [a, b] = await Promise.all([value(), value()]);
  expect([a, b, await value(), loads]).toEqual([1, 1, 1, 1]);
  expect(await value.started()).toBe(1);
  value.reset();
  expect(value.started()).toBeUndefined();
  expect(await value()).toBe(2);
});

it('forgets a failed load, so the next call tries again', async () => {
  let attempts = 0;
  const value = loadOnce(async () => {
    if (++attempts === 1) throw new Error('down');
    return 'up';
  });
  await expect(value()).rejects.toThrow('down');
  expect(value.started()).toBeUndefined();
  expect(await value()).toBe('up');
  expect(attempts).toBe(2);
});
