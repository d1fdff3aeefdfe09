import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/*
 * Hostile imports against the built server, shared by test/abuse/import.test.ts
 * and bench/import-abuse.ts: the bodies, a build of dist of their own, and a
 * run of one import that watches /health and the process's peak RSS.
 */

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** Just under the import body limit (5 MiB). */
export const HOSTILE_BYTES = 5 * 1024 * 1024 - 4096;

/**
 * Builds the server bundle with scripts/build.mjs into a directory of this
 * run's own (a tree of symlinks to the sources), so a concurrent build of
 * dist/ by another test cannot rewrite a file this run's server is loading.
 * The bundle finds ../prisma/migrations as it does in the container.
 */
export function buildServer(): { entry: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'cf-abuse-build-'));
  for (const name of ['app', 'handlers', 'node_modules', 'prisma', 'scripts', 'package.json', 'tsconfig.json']) {
    symlinkSync(path.join(ROOT, name), path.join(dir, name));
  }
  const build = spawnSync(process.execPath, ['scripts/build.mjs', 'server'], { cwd: dir, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
  return { entry: path.join(dir, 'dist/server.mjs'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Shape {
  name: string;
  type: 'text/csv' | 'text/vcard';
  body: string;
  /** Records in the body (rows after the header, or cards). */
  records: number;
  status: 200 | 400;
  /** Contacts it should create for a user with room for 50 (200s only): rows that are one person merge into one. */
  imports: number;
}

/** `head` then `unit` repeated to fill the hostile size, then `tail`. */
function fill(head: string, unit: string, tail = ''): { body: string; count: number } {
  const count = Math.floor((HOSTILE_BYTES - head.length - tail.length) / unit.length);
  return { body: head + unit.repeat(count) + tail, count };
}

const card = (...lines: string[]) => `BEGIN:VCARD\r\nVERSION:3.0\r\n${lines.map((l) => `${l}\r\n`).join('')}END:VCARD\r\n`;

/** `head` then numbered units (distinct people) until the hostile size. */
function fillNumbered(unit: (i: number) => string, head = ''): { body: string; count: number } {
  const parts = [head];
  let size = head.length;
  let count = 0;
  for (let u = unit(0); size + u.length <= HOSTILE_BYTES; u = unit(++count)) {
    parts.push(u);
    size += u.length;
  }
  return { body: parts.join(''), count };
}

export function hostileShapes(): Shape[] {
  const shapes: Shape[] = [];
  const add = (
    name: string,
    type: Shape['type'],
    status: Shape['status'],
    imports: number,
    f: { body: string; count: number },
    records = f.count,
  ) => shapes.push({ name, type, status, imports, body: f.body, records });

  // Identical rows are one person: the first is created, the rest merge into it (nothing new).
  add('csv: millions of tiny rows', 'text/csv', 200, 1, fill('First Name\n', 'a\n'));
  add('csv: 4,000-column header', 'text/csv', 400, 0, fill(`${Array.from({ length: 4_000 }, (_, i) => `c${i}`).join(',')}\n`, 'a\n'));
  add('csv: a header of a million columns', 'text/csv', 400, 0, fill('', 'c,', '\nx\n'));
  const cols = 500;
  add(
    'csv: 500 columns per row',
    'text/csv',
    200,
    1,
    fill(`First Name,${Array.from({ length: cols - 1 }, (_, i) => `c${i}`).join(',')}\n`, `a${',x'.repeat(cols - 1)}\n`),
  );
  const emailHeader = `First Name,${Array.from({ length: 20 }, (_, i) => `E-mail ${i + 1} - Value`).join(',')}\n`;
  // The bad emails go into the notes (reported), so the row imports.
  add('csv: 20 invalid emails per row', 'text/csv', 200, 1, fill(emailHeader, `a${',not-an-email'.repeat(20)}\n`));
  add('csv: rows without a name', 'text/csv', 200, 0, fill('First Name,Notes\n', ',x\n'));
  add('csv: one huge field', 'text/csv', 400, 0, fill('First Name,Notes\na,', 'y', '\n'));
  add('csv: a quote never closed', 'text/csv', 400, 0, fill('First Name\na\n"', 'z'));
  add('csv: quoted fields with escaped quotes', 'text/csv', 200, 1, fill('First Name,Notes\n', 'a,"""x"",""y"""\n'));
  add(
    'vcard: distinct cards up to the limit',
    'text/vcard',
    200,
    50,
    fillNumbered((i) => `BEGIN:VCARD\nFN:a${i}\nEND:VCARD\n`),
  );
  add(
    'csv: distinct rows up to the limit',
    'text/csv',
    200,
    50,
    fillNumbered((i) => `a${i}\n`, 'First Name\n'),
  );
  add('vcard: minimal cards', 'text/vcard', 200, 1, fill('', 'BEGIN:VCARD\nFN:a\nEND:VCARD\n'));
  add('vcard: nesting never closed', 'text/vcard', 400, 0, fill('', 'BEGIN:VCARD\n'));
  // Without AGENT a BEGIN inside a card starts the next card (the first two have no END); the third is one person throughout.
  const nested = fill('', `${'BEGIN:VCARD\r\n'.repeat(3)}FN:n\r\n${'END:VCARD\r\n'.repeat(3)}`);
  add('vcard: nested cards', 'text/vcard', 200, 1, nested, nested.count * 3);
  add(
    'vcard: AGENT-nested cards',
    'text/vcard',
    200,
    0,
    fill('', `${'BEGIN:VCARD\r\nAGENT:\r\n'.repeat(3)}FN:n\r\n${'END:VCARD\r\n'.repeat(3)}`),
  );
  const props = `${'X-A:1\r\n'.repeat(990)}`;
  add('vcard: 990 properties per card, no name', 'text/vcard', 200, 0, fill('', card(props.trimEnd())));
  add('vcard: 14,000 properties per card', 'text/vcard', 200, 0, fill('', card(`FN:a\r\n${'X-A:1\r\n'.repeat(14_000)}`.trimEnd())));
  add('vcard: one 5 MB card', 'text/vcard', 200, 0, fill('BEGIN:VCARD\r\nFN:big\r\nNOTE:', 'n', '\r\nEND:VCARD\r\n'), 1);
  add('vcard: 20 invalid emails per card', 'text/vcard', 200, 0, fill('', card(...Array.from({ length: 20 }, () => 'EMAIL:bad'))));
  add(
    'vcard: VALUE= that does not fit',
    'text/vcard',
    200,
    1,
    fill('', card('FN;VALUE=date-and-or-time:abc', 'NOTE;VALUE=utc-offset:+99', 'BDAY;VALUE=date:x')),
  );
  add('vcard: folded lines', 'text/vcard', 200, 1, fill('', card('FN:a', `NOTE:${'x\r\n '.repeat(40)}x`)));
  return shapes;
}

/** Peak RSS since the last reset, and the current RSS, in KiB (Linux). */
export function memory(pid: number): { hwm: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { hwm: kib('VmHWM'), rss: kib('VmRSS') };
}

/** Resets the process's peak RSS to its current RSS (clear_refs 5), so a peak belongs to one import. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export async function signUpCookie(base: string, email: string): Promise<string> {
  const res = await fetch(`${base}/v1/auth/signup`, {
    method: 'POST',
    // Each account is another person at another address (the server trusts
    // one proxy hop): sign-ups are limited per address.
    headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}` },
    body: JSON.stringify({ email, password: 'abuse test password 1', name: 'Abuse' }),
  });
  if (res.status !== 201) throw new Error(`signup: ${res.status} ${await res.text()}`);
  return res.headers
    .getSetCookie()
    .find((c) => c.startsWith('cf.sid='))!
    .split(';')[0]!;
}

export interface ImportRun {
  status: number;
  text: string;
  ms: number;
  /** /health latencies (ms) sampled while the import ran. */
  health: number[];
  /** /health answers that were not 200. */
  healthFailures: number;
  /** Peak RSS during the import minus RSS just before it, KiB. */
  peakGrowthKiB: number;
}

// The /health prober runs in a worker thread: the thread sending 5 MB bodies
// (and generating them) must not delay the probes and blame the server.
const PROBE = `
const { parentPort, workerData } = require('node:worker_threads');
const health = [];
let failures = 0;
let done = false;
parentPort.on('message', () => { done = true; });
(async () => {
  // The first fetch in a thread loads undici (100-200 ms): not the server's time.
  await (await fetch(workerData.url)).arrayBuffer();
  parentPort.postMessage('ready');
  while (!done) {
    const s = performance.now();
    try {
      const res = await fetch(workerData.url);
      await res.arrayBuffer();
      health.push(performance.now() - s);
      if (res.status !== 200) failures++;
    } catch {
      failures++; // the server is gone (it ran out of memory on the unbounded code)
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  parentPort.postMessage({ health, failures });
})();
`;

export async function probeHealth(base: string): Promise<{ stop(): Promise<{ health: number[]; failures: number }> }> {
  const worker = new Worker(PROBE, { eval: true, workerData: { url: `${base}/health` } });
  const messages: unknown[] = [];
  const waiting: ((m: unknown) => void)[] = [];
  worker.on('message', (m) => (waiting.length ? waiting.shift()!(m) : messages.push(m)));
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      if (messages.length) return resolve(messages.shift());
      waiting.push(resolve);
      worker.once('error', reject);
    });
  await next(); // ready
  return {
    async stop() {
      worker.postMessage('stop');
      const r = (await next()) as { health: number[]; failures: number };
      await worker.terminate();
      return r;
    },
  };
}

/** Posts one hostile import and, until it answers, asks /health in a loop (from another thread). */
export async function runImport(base: string, pid: number, cookie: string, shape: Shape): Promise<ImportRun> {
  resetPeak(pid);
  const before = memory(pid).rss;
  const probe = await probeHealth(base);
  const t0 = performance.now();
  let answered: { status: number; text: string };
  try {
    const res = await fetch(`${base}/v1/contacts/import`, {
      method: 'POST',
      headers: { 'content-type': shape.type, cookie },
      body: shape.body,
    });
    answered = { status: res.status, text: await res.text() };
  } catch (err) {
    await probe.stop();
    throw err;
  }
  const ms = performance.now() - t0;
  const peakGrowthKiB = memory(pid).hwm - before;
  const probed = await probe.stop();
  return { ...answered, ms, health: probed.health, healthFailures: probed.failures, peakGrowthKiB };
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
