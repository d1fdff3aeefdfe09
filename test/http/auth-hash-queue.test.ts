import { expect, it } from 'vitest';
import { workQueue } from '../../app/auth/hash-queue.ts';
import { HttpProblem } from '../../app/http/problem.ts';

it('runs at most `concurrency` jobs at once, in arrival order, and refuses past the queue with 503 server_busy and Retry-After', async () => {
  const queue = workQueue(2, 3);
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  const releases: Array<() => void> = [];
  const job = (n: number) => () =>
    new Promise<number>((resolve) => {
      running++;
      peak = Math.max(peak, running);
      order.push(n);
      releases.push(() => {
        running--;
        resolve(n);
      });
    });
  const accepted = [0, 1, 2, 3, 4].map((n) => queue.run(job(n)));
  expect(queue.load()).toEqual({ active: 2, waiting: 3 });
  const refused = await queue.run(job(5)).catch((err: unknown) => err);
  expect(refused).toBeInstanceOf(HttpProblem);
  expect(refused).toMatchObject({ status: 503, code: 'server_busy', headers: { 'Retry-After': '1' } });
  // Release jobs one by one; a job arriving meanwhile must not overtake a waiter or exceed the limit.
  while (releases.length) {
    releases.shift()!();
    await new Promise((r) => setImmediate(r));
    if (order.length === 3) accepted.push(queue.run(job(6)));
  }
  expect(await Promise.all(accepted)).toEqual([0, 1, 2, 3, 4, 6]);
  expect(order).toEqual([0, 1, 2, 3, 4, 6]);
  expect(peak).toBe(2);
  expect(queue.load()).toEqual({ active: 0, waiting: 0 });
});
