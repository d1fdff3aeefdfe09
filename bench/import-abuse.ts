/*
 * Hostile imports against the built server (dist/server.mjs built into a
 * directory of its own, --max-old-space-size=384 as in a 512 MiB task), on
 * the machine's PostgreSQL (a scratch database) and Redis: for each shape of
 * test/abuse/import-harness.ts, the import's time and response size, /health
 * latency while it runs (p50, p99, max) and the process's peak RSS growth.
 *   node --import tsx bench/import-abuse.ts [--runs N]
 */
import { randomBytes } from 'node:crypto';
import { buildServer, hostileShapes, memory, percentile, runImport, signUpCookie } from '../test/abuse/import-harness.ts';
import { startNode } from '../test/support/process.ts';
import { createScratchDatabase } from './scratch-database.mjs';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/11';
const runsIndex = process.argv.indexOf('--runs');
const RUNS = runsIndex > 0 ? Number(process.argv[runsIndex + 1]) : 3;

const build = buildServer();
const db = await createScratchDatabase();
const server = await startNode(['--max-old-space-size=384', build.entry], {
  PORT: '0',
  HOST: '127.0.0.1',
  DATABASE_URL: db.url,
  REDIS_URL,
  SESSION_SECRET: randomBytes(24).toString('hex'),
  LOG_LEVEL: 'info',
  MAX_USERS: '1000',
  TRUST_PROXY: '1',
});
const pid = server.child.pid!;
let n = 0;
const email = () => `abuse-bench.${process.pid}.${Date.now()}.${n++}@example.test`;

try {
  // Idle /health first: what "no import running" looks like on this machine.
  const idle: number[] = [];
  for (let i = 0; i < 200; i++) {
    const s = performance.now();
    await (await fetch(`${server.url}/health`)).arrayBuffer();
    idle.push(performance.now() - s);
  }
  const warm = await signUpCookie(server.url, email());
  for (const [type, body] of [
    ['text/csv', 'First Name\nWarm\n'],
    ['text/vcard', 'BEGIN:VCARD\r\nFN:Warm\r\nEND:VCARD\r\n'],
  ] as const) {
    await fetch(`${server.url}/v1/contacts/import`, { method: 'POST', headers: { 'content-type': type, cookie: warm }, body });
  }
  const startRss = memory(pid).rss;
  const fmt = (ms: number) => ms.toFixed(1).padStart(7);
  console.log(
    `/health idle: p50 ${fmt(percentile(idle, 50))} ms, p99 ${fmt(percentile(idle, 99))} ms; RSS after warm-up ${(startRss / 1024).toFixed(0)} MiB; ${RUNS} runs per shape`,
  );
  console.log(`${'shape'.padEnd(44)} status  bytes  import ms  health n    p50 ms    p99 ms    max ms  peak RSS +MiB`);
  let worst = { p99: 0, rss: 0, p99Shape: '', rssShape: '' };
  for (const shape of hostileShapes()) {
    const health: number[] = [];
    const times: number[] = [];
    let peak = 0;
    let status = 0;
    let bytes = 0;
    for (let r = 0; r < RUNS; r++) {
      const run = await runImport(server.url, pid, await signUpCookie(server.url, email()), shape);
      if (run.healthFailures) throw new Error(`${shape.name}: /health failed ${run.healthFailures} times`);
      health.push(...run.health);
      times.push(run.ms);
      peak = Math.max(peak, run.peakGrowthKiB);
      status = run.status;
      bytes = Math.max(bytes, Buffer.byteLength(run.text));
    }
    const p99 = percentile(health, 99);
    if (p99 > worst.p99) worst = { ...worst, p99, p99Shape: shape.name };
    if (peak > worst.rss) worst = { ...worst, rss: peak, rssShape: shape.name };
    console.log(
      `${shape.name.padEnd(44)} ${String(status).padStart(6)} ${String(bytes).padStart(6)} ${fmt(percentile(times, 50)).padStart(10)} ${String(health.length).padStart(9)} ${fmt(percentile(health, 50)).padStart(9)} ${fmt(p99).padStart(9)} ${fmt(Math.max(...health)).padStart(9)} ${(peak / 1024).toFixed(1).padStart(14)}`,
    );
  }
  const endRss = memory(pid).rss;
  console.log(
    `worst /health p99: ${worst.p99.toFixed(1)} ms (${worst.p99Shape}); worst peak RSS growth: ${(worst.rss / 1024).toFixed(1)} MiB (${worst.rssShape})`,
  );
  console.log(
    `RSS after all imports: ${(endRss / 1024).toFixed(0)} MiB (${((endRss - startRss) / 1024).toFixed(1)} MiB over the warm-up); server alive: ${server.child.exitCode === null}`,
  );
} finally {
  await server.stop();
  await db.drop();
  build.remove();
}
