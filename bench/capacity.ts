/*
 * Capacity of one task (issue 19): the image built from the Dockerfile, run
 * with podman in a container shaped like the Fargate task (0.25 vCPU,
 * 512 MiB, read-only root), under a realistic mix of requests at rising
 * rates. The capacity is the highest rate it holds with p99 under 100 ms, no
 * errors, and the rate asked for actually served. PostgreSQL, Redis and the
 * load generator run outside the container, as Aurora, ElastiCache and the
 * users do.
 *   npm run bench:capacity [-- --quick] [-- --no-write]
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { TASK_CPU_UNITS, TASK_MEMORY_MIB } from '../infra/constructs/service.ts';
import { buildImage, freePort, pod } from '../scripts/container/image.mjs';
import { IMPORT_BODY, login, ROOT, seed } from './http.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const write = !args.includes('--no-write');
const STEP_SECONDS = quick ? 5 : 30;
const WARM_UP_SECONDS = quick ? 45 : 60;
const P99_LIMIT_MS = 100;
const RATES = [10, 20, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250, 300, 400];
type Shape = { cpu: number; memoryMiB: number };
type Row = { rate: number; served: number; p50: number; p99: number; errors: number; cpuPercent: number; ok: boolean };
/**
 * The task as infra/ sizes it, then the next Fargate size up (0.5 vCPU needs
 * at least 1 GiB): a quarter of a CPU is a CFS quota of 25 ms per 100 ms,
 * which one import of 50 cards (about 25 ms of CPU) uses up on its own.
 */
const SHAPES: Shape[] = [{ cpu: TASK_CPU_UNITS / 1024, memoryMiB: TASK_MEMORY_MIB }, ...(quick ? [] : [{ cpu: 0.5, memoryMiB: 1024 }])];
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/11';
const log = (s: string) => process.stdout.write(`${s}\n`);

/**
 * What people do in a contacts app, per 200 requests: mostly reading the
 * list, searching and opening a card; saving an edit; now and then a new
 * contact; once, an import of 50 cards (a phone's export).
 */
export const MIX = { list: 80, search: 50, open: 40, save: 20, create: 9, import: 1 } as const;
type Kind = keyof typeof MIX;
const SEQUENCE: Kind[] = (() => {
  // Spread each kind evenly over the 200 (a fixed order: every run the same mix).
  const slots = Object.entries(MIX).flatMap(([kind, n]) =>
    Array.from({ length: n }, (_, i) => ({ kind: kind as Kind, at: (i + 0.5) / n })),
  );
  return slots.sort((a, b) => a.at - b.at).map((s) => s.kind);
})();
type Request = { method: string; path: string; headers: Record<string, string>; body?: string };
const WORDS = ['smith', 'ada', 'turing', 'lovelace', 'springfield', 'company 3', 'grace', '555', 'conference', 'wirth'];

const tag = `localhost/contactfolio-api:capacity-${process.pid}`;
const name = `contactfolio-capacity-${process.pid}`;
const started = Date.now();
log(`building ${tag}`);
const build = buildImage(tag);
const db = await seed();
const port = await freePort();
try {
  const env = {
    NODE_ENV: 'production',
    PORT: String(port),
    DATABASE_URL: db.url,
    REDIS_URL,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    CORS_ORIGIN: 'https://contactfolio.com',
    PGSSLMODE: 'disable',
    COOKIE_SECURE: 'false',
    MIGRATE_ON_BOOT: 'false',
    DB_POOL_MAX: '10', // the task's (TASK_DB_POOL_MAX)
    MAX_CONTACTS_PER_USER: '100000',
    MAX_USERS: '1000',
  };
  const base = `http://127.0.0.1:${port}`;
  /** Starts the image with the given CPU and memory (a read-only root, as the task) and waits for /health. */
  async function startTask(shape: Shape): Promise<void> {
    pod(['rm', '-f', '-t', '0', name]);
    const run = pod([
      'run',
      '-d',
      '--name',
      name,
      '--network',
      'host',
      '--read-only',
      '--cpus',
      String(shape.cpu),
      '--memory',
      `${shape.memoryMiB}m`,
      ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
      tag,
    ]);
    if (run.status !== 0) throw new Error(`podman run: ${run.stderr}`);
    const t = Date.now();
    while (
      !(await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (Date.now() - t > 60_000) throw new Error(`not healthy in 60 s: ${pod(['logs', name]).stdout}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await startTask(SHAPES[0]!);
  /** CPU seconds the container has used (cgroup v1 or v2). */
  const cpuSeconds = () => {
    const out = pod([
      'exec',
      name,
      'sh',
      '-c',
      'cat /sys/fs/cgroup/cpuacct/cpuacct.usage 2>/dev/null || cat /sys/fs/cgroup/cpu/cpuacct.usage 2>/dev/null || grep usage_usec /sys/fs/cgroup/cpu.stat',
    ]).stdout;
    const v2 = /usage_usec (\d+)/.exec(out);
    return v2 ? Number(v2[1]) / 1e6 : Number(out.trim()) / 1e9;
  };

  // 20 people, each with the 50 seeded contacts; one session each (a scrypt login
  // takes about a second at a quarter of a CPU, so one at a time). The sessions
  // live in Redis: the next container, with the same secret, takes them too.
  const users: { cookie: string; ids: string[] }[] = [];
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  for (let u = 3; u < 23; u++) {
    const email = `bench${u}@example.test`;
    const { rows } = await client.query<{ id: string }>('SELECT c.id FROM contacts c JOIN users u ON u.id = c.user_id WHERE u.email = $1', [
      email,
    ]);
    users.push({ cookie: await login(base, email), ids: rows.map((r) => r.id) });
  }
  await client.end();
  // Contacts an edit may take: none is edited by two requests at once, each with the ETag of its last answer.
  const editable = users.flatMap((u) => u.ids.slice(0, 10).map((id) => ({ cookie: u.cookie, id, etag: '"v1"' })));

  // Open loop, requests at even intervals whatever the answers do (autocannon's
  // rate limit sends each second's requests in a burst at its start, and waits
  // on slow answers: neither is how users arrive). Latency counts from when a
  // request was due, so time queued behind a slow one counts too.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const send = (r: Request) =>
    new Promise<{ status: number; etag?: string }>((resolve, reject) => {
      const req = http.request(`${base}${r.path}`, { method: r.method, headers: r.headers, agent, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, etag: res.headers.etag }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(r.body);
    });
  let turn = 0;
  function next(): { request: Request; done?: (status: number, etag?: string) => void } {
    const n = turn++;
    const kind = SEQUENCE[n % SEQUENCE.length]!;
    const user = users[n % users.length]!;
    const json = { cookie: user.cookie, 'content-type': 'application/json' };
    const open = { method: 'GET', path: `/v1/contacts/${user.ids[n % user.ids.length]}`, headers: { cookie: user.cookie } };
    switch (kind) {
      case 'list':
        return { request: { method: 'GET', path: '/v1/contacts?limit=50', headers: { cookie: user.cookie } } };
      case 'search':
        return {
          request: {
            method: 'GET',
            path: `/v1/contacts?q=${encodeURIComponent(WORDS[n % WORDS.length]!)}`,
            headers: { cookie: user.cookie },
          },
        };
      case 'open':
        return { request: open };
      case 'save': {
        const target = editable.shift();
        if (!target) return { request: open }; // every editable contact has an edit in flight
        return {
          request: {
            method: 'PATCH',
            path: `/v1/contacts/${target.id}`,
            headers: { ...json, cookie: target.cookie, 'if-match': target.etag },
            body: JSON.stringify({ notes: `Edited ${n}`, company: `Company ${n % 7}` }),
          },
          done: (status, etag) => {
            if (status === 200 && etag) target.etag = etag;
            editable.push(target);
          },
        };
      }
      case 'create':
        return {
          request: {
            method: 'POST',
            path: '/v1/contacts',
            headers: json,
            body: JSON.stringify({ firstName: 'New', lastName: `Person ${n}`, emails: [{ value: `new${n}@example.org`, label: 'home' }] }),
          },
        };
      case 'import':
        return {
          request: {
            method: 'POST',
            path: '/v1/contacts/import?duplicates=create',
            headers: { cookie: user.cookie, 'content-type': 'text/vcard' },
            body: IMPORT_BODY,
          },
        };
    }
  }
  async function step(rate: number, seconds: number) {
    const latencies: number[] = [];
    let errors = 0;
    const total = Math.round(rate * seconds);
    const start = performance.now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const { request, done } = next();
      inflight.push(
        send(request).then(
          ({ status, etag }) => {
            latencies.push(performance.now() - due);
            done?.(status, etag);
            if (status >= 400) errors++;
          },
          () => {
            done?.(0);
            errors++;
          },
        ),
      );
    }
    await Promise.all(inflight);
    const elapsed = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN);
    return { served: total / elapsed, p50: at(0.5), p99: at(0.99), errors, elapsed };
  }

  const results: { shape: Shape; steps: Row[]; capacityRps: number; memory: string }[] = [];
  for (const [i, shape] of SHAPES.entries()) {
    if (i > 0) await startTask(shape);
    // Warm-up: a task serves for hours, so measure it warm. At a quarter of a CPU,
    // V8's background compilation of newly hot code is throttled with the rest;
    // after 10 s at 20 req/s the p99 at 50 req/s was 170-320 ms, after 45 s at
    // 40 req/s, 72 ms (without imports in the mix).
    await step(40, WARM_UP_SECONDS);
    const steps: Row[] = [];
    log(
      `\nOne task of ${shape.cpu} vCPU and ${shape.memoryMiB} MiB, ${STEP_SECONDS} s per rate, mix per 200 requests: ${JSON.stringify(MIX)}`,
    );
    log(
      `${'asked'.padStart(6)}${'served'.padStart(8)}${'p50'.padStart(6)}${'p99'.padStart(6)}${'errors'.padStart(8)}${'cpu%'.padStart(6)}`,
    );
    for (const rate of RATES) {
      const cpuBefore = cpuSeconds();
      const { served, p50, p99, errors, elapsed } = await step(rate, STEP_SECONDS);
      // What ECS reports as the service's CPU utilization: use over the task's reservation.
      const cpuPercent = Math.round((100 * (cpuSeconds() - cpuBefore)) / elapsed / shape.cpu);
      const ok = p99 < P99_LIMIT_MS && errors === 0 && served >= 0.95 * rate;
      steps.push({ rate, served, p50, p99, errors, cpuPercent, ok });
      log(
        `${String(rate).padStart(6)}${served.toFixed(0).padStart(8)}${String(p50).padStart(6)}${String(p99).padStart(6)}${String(errors).padStart(8)}${String(cpuPercent).padStart(6)}${ok ? '' : '  over'}`,
      );
      if (!ok) break;
    }
    const held = steps.filter((r) => r.ok).at(-1);
    const memory = pod(['stats', '--no-stream', '--format', '{{.MemUsage}}', name]).stdout.trim();
    log(`capacity: ${held ? `${held.rate} req/s (p99 ${held.p99} ms)` : `under ${steps[0]!.rate} req/s`}; memory after: ${memory}`);
    results.push({ shape, steps, capacityRps: held?.rate ?? 0, memory });
  }
  log(`\nrun in ${((Date.now() - started) / 1000).toFixed(0)} s on ${os.cpus().length} x ${os.cpus()[0]?.model}`);
  if (write) {
    const date = new Date().toISOString();
    const result = {
      date,
      mode: quick ? 'quick' : 'full',
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model },
      mix: MIX,
      stepSeconds: STEP_SECONDS,
      warmUpSeconds: WARM_UP_SECONDS,
      p99LimitMs: P99_LIMIT_MS,
      tasks: results,
      build,
    };
    mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    const file = path.join(ROOT, 'bench/results', `capacity-${date.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(result, null, 2));
    log(`written ${path.relative(ROOT, file)}`);
  }
} finally {
  pod(['rm', '-f', '-t', '0', name]);
  pod(['rmi', '-f', tag]);
  await db.drop();
}
