/*
 * Hostile imports against the built server (dist/server.mjs built into a
 * directory of its own, --max-old-space-size=384 as in a 512 MiB task), on
 * the machine's PostgreSQL (a scratch database) and Redis: for each shape of
 * test/abuse/import-harness.ts, the import's time and response size, /health
 * latency while it runs (p50, p99, max) and the process's peak RSS growth.
 *   node --import tsx bench/import-abuse.ts [--runs N]
 */
import { hostileShapes, memory, percentile, runImport, signUpCookie } from '../test/abuse/import-harness.ts';
import { startBuiltServer } from './built-server.ts';

const runsIndex = process.argv.indexOf('--runs');
const RUNS = runsIndex > 0 ? Number(process.argv[runsIndex + 1]) : 3;

const server = await startBuiltServer(384);
const pid = server.pid;
let n = 0;
const email = () => `abuse-bench.${process.pid}.${Date.now()}.${n++}@example.test`;

try {
  // Idle /health first: what "no import running" looks like on this machine.
  const idle = await server.idleHealth();
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
    `RSS after all imports: ${(endRss / 1024).toFixed(0)} MiB (${((endRss - startRss) / 1024).toFixed(1)} MiB over the warm-up); server alive: ${server.alive()}`,
  );
} finally {
  await server.close();
}
