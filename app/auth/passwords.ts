import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { loadOnce } from '../load-once.ts';
import { workQueue } from './hash-queue.ts';

/*
 * scrypt from node:crypto: memory-hard, no native addon to build, and runs on
 * libuv's thread pool so hashing never blocks the event loop. Parameters are
 * stored with each hash so they can be raised later without breaking logins.
 * N=2^15, r=8 costs 32 MiB and ~60 ms per hash on these machines.
 */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

/*
 * At most two hashes at a time, with a bounded queue. libuv's thread pool
 * has four threads, shared with the pg driver (SCRAM authentication), DNS
 * lookups and the file system: 150 parallel signups once filled all four
 * for seconds, and signed-in users' requests failed with 503 waiting for a
 * database connection. Past the queue a hash is refused at once (a 503 with
 * Retry-After, code server_busy) instead of queuing minutes of work: 256 waiting
 * is about 15 s of hashing here, and 100 simultaneous signups (the caps
 * test) still all get their answer.
 */
export const HASH_CONCURRENCY = 2;
export const HASH_QUEUE_LIMIT = 256;
const hashes = workQueue(HASH_CONCURRENCY, HASH_QUEUE_LIMIT);

let started = 0;
/** Password hashes running, waiting, and started since the process began (for tests and metrics). */
export function hashLoad(): { active: number; waiting: number; started: number } {
  return { ...hashes.load(), started };
}

function derive(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 128 * params.N * params.r * 2 };
  return hashes.run(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        started++;
        scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
      }),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

// Verified against when the email is unknown, so a login for a missing
// account takes as long as one with a wrong password.
// (One that failed, say refused by a full hash queue, is tried again.)
export const dummyPasswordHash = loadOnce(() => hashPassword(randomBytes(16).toString('hex')));
