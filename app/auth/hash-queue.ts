import { HttpProblem } from '../http/problem.ts';

/** Runs at most `concurrency` jobs at a time; past `queueLimit` waiting, refuses at once. */
export interface WorkQueue {
  run<T>(job: () => Promise<T>): Promise<T>;
  load(): { active: number; waiting: number };
}

/**
 * A bounded semaphore, written here (20 lines) rather than taken from p-limit:
 * what matters is refusing at once past the limit and handing a freed slot
 * straight to the first waiter, which p-limit would need wrapping for anyway.
 * Refusing past the queue is a 503 with Retry-After
 * (RFC 9110, section 15.6.4: the server is overloaded, the request may be
 * retried): queuing minutes of work would only turn into timeouts.
 */
export function workQueue(concurrency: number, queueLimit: number): WorkQueue {
  let active = 0;
  const waiting: Array<() => void> = [];
  // A finished job hands its slot straight to the first waiter, so a new
  // arrival cannot slip in between and run one job too many.
  const release = () => {
    const waiter = waiting.shift();
    if (waiter) waiter();
    else active--;
  };
  return {
    async run(job) {
      if (active < concurrency) active++;
      else if (waiting.length >= queueLimit) {
        throw new HttpProblem('server_busy', 'The server is busy; try again in a moment.', { headers: { 'Retry-After': '1' } });
      } else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await job();
      } finally {
        release();
      }
    },
    load: () => ({ active, waiting: waiting.length }),
  };
}
