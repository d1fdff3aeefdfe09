/*
 * HTTP benchmark: the app against two hand-written baselines (Express 5 +
 * express-session + connect-redis + raw pg; Fastify + @fastify/session +
 * raw pg), same machine, same PostgreSQL and Redis, same seeded data (50
 * users x 50 contacts), interleaved: every endpoint and concurrency runs the
 * three servers back to back, so drift hits all of them alike.
 *   node --import tsx bench/http.ts [--quick] [--no-write]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { hashPassword } from '../app/auth/passwords.ts';
import { contactCreateSchema } from '../app/contacts/schemas.ts';
import { searchKeys } from '../app/contacts/search-keys.ts';
import { applyMigrations } from '../app/db/migrate.ts';
import { createScratchDatabase } from './scratch-database.mjs';

export const ROOT = path.resolve(import.meta.dirname, '..');
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/11';
const PASSWORD = 'bench password 1';
const FIRST = ['Ada', 'Grace', 'Alan', 'Zoë', 'Émile', 'Linus', 'Barbara', 'Ken', 'Radia', 'Niklaus'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Ørsted', 'Zola', 'Smith', 'Liskov', 'Thompson', 'Perlman', 'Wirth'];

export interface Scenario {
  name: string;
  run: (cell: Cell) => Promise<autocannon.Result>;
}
/** One measurement: a server, its sessions and what its earlier write cells left. */
export interface Cell {
  base: string;
  cookies: Cookies;
  connections: number;
  duration: number;
  writes: WriteState;
}
/** `reader` lists and searches; writes go to `writers`, taken in turn (see writerOf). */
export type Cookies = { reader: string; writers: string[] };
/** Contacts made by the create cells, for the PATCH and DELETE cells that follow. */
export interface WriteState {
  created: { cookie: string; id: string }[];
  patched: number;
  deleteCellsLeft: number;
}
export const newWriteState = (deleteCells: number): WriteState => ({ created: [], patched: 0, deleteCellsLeft: deleteCells });
export type Server = 'app' | 'express' | 'fastify';
export const SERVERS: Server[] = ['app', 'express', 'fastify'];

export async function seed(): Promise<{ url: string; drop: () => Promise<void> }> {
  const scratch = await createScratchDatabase();
  await applyMigrations(scratch.url, path.join(ROOT, 'prisma/migrations'));
  const db = new pg.Client({ connectionString: scratch.url });
  await db.connect();
  const hash = await hashPassword(PASSWORD); // one hash for all: same cost per login
  for (let u = 0; u < 50; u++) {
    const { rows } = await db.query(
      'INSERT INTO users (id, email, name, password_hash) VALUES (gen_random_uuid(), $1, $2, $3) RETURNING id',
      [`bench${u}@example.test`, `Bench ${u}`, hash],
    );
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (let c = 0; c < 50; c++) {
      const d = contactCreateSchema.parse({
        firstName: FIRST[c % 10],
        lastName: `${LAST[(c * 7) % 10]}-${c}`,
        company: c % 3 ? `Company ${c % 7}` : null,
        emails: [
          { value: `person${c}@example.org`, label: 'work' },
          { value: `p${c}@home.example`, label: 'home' },
        ],
        phones: [{ value: `+1 (555) 01${String(c).padStart(2, '0')}-${1000 + c}`, label: 'mobile' }],
        addresses: [{ street: `${c} Main Street`, city: 'Springfield', postalCode: '12345', country: 'US', label: 'home' }],
        tags: c % 4 ? ['work'] : ['family', 'friends'],
        notes: 'Met at a conference; likes benchmarks.',
        favorite: c % 9 === 0,
      });
      const k = searchKeys(d);
      const i = values.length;
      tuples.push(
        `(gen_random_uuid(), $${i + 1}, $${i + 2}, $${i + 3}, $${i + 4}, $${i + 5}, $${i + 6}, $${i + 7}, $${i + 8}, $${i + 9}, $${i + 10}, $${i + 11}, $${i + 12}, $${i + 13})`,
      );
      values.push(
        rows[0].id,
        d.firstName,
        d.lastName,
        d.company,
        JSON.stringify(d.emails),
        JSON.stringify(d.phones),
        JSON.stringify(d.addresses),
        d.notes,
        d.tags,
        d.favorite,
        k.searchText,
        k.phoneDigits,
        k.sortName,
      );
    }
    await db.query(
      `INSERT INTO contacts (id, user_id, first_name, last_name, company, emails, phones, addresses, notes, tags, favorite, search_text, phone_digits, sort_name) VALUES ${tuples.join(',')}`,
      values,
    );
  }
  await db.query('ANALYZE');
  await db.end();
  return scratch;
}

export interface Running {
  name: Server;
  base: string;
  child: ChildProcess;
  pid: number;
}

export function startServer(name: Server, databaseUrl: string, nodeArgs: string[] = []): Promise<Running> {
  const env = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    MAX_CONTACTS_PER_USER: '100000',
    MAX_USERS: '1000',
    PORT: '0',
    HOST: '127.0.0.1',
    // The app as production runs it (JSON logs at info, to a discarded stdout here).
    NODE_ENV: 'production',
    CORS_ORIGIN: 'https://contactfolio.com',
    PGSSLMODE: 'disable',
    COOKIE_SECURE: 'false',
    MIGRATE_ON_BOOT: 'false',
  };
  const args = name === 'app' ? containerCommand() : [`bench/baselines/${name}-app.mjs`];
  const child = spawn(process.execPath, [...nodeArgs, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/[\w.]+:\d+)/.exec(out);
      if (m) {
        // From here on, drain the logs without keeping them.
        child.stdout!.removeAllListeners('data').on('data', () => undefined);
        resolve({ name, base: m[1]!.replace('localhost', '127.0.0.1'), child, pid: child.pid! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`${name} exited ${code}: ${out}`)));
  });
}

/** The app is started exactly as the image's CMD starts it (node flags included), from the same bundle. */
export function containerCommand(): string[] {
  const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
  const [node, ...args] = cmd ? (JSON.parse(cmd) as string[]) : [];
  if (node !== 'node' || !args.includes('dist/server.mjs')) throw new Error(`unexpected Dockerfile CMD: ${cmd}`);
  return args;
}

export async function login(base: string, email: string): Promise<string> {
  const res = await fetch(`${base}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login at ${base}: ${res.status} ${await res.text()}`);
  // The app also sets a device cookie (cf.dev); the session is the other one.
  return res.headers
    .getSetCookie()
    .find((c) => !c.startsWith('cf.dev='))!
    .split(';')[0]!;
}

/** Users 1 and 3-49 write (0 reads, 2 is the login flood's). */
const WRITERS = Array.from({ length: 50 }, (_, u) => u).filter((u) => u !== 0 && u !== 2);

export async function sessions(base: string): Promise<Cookies> {
  const writers: string[] = [];
  // A few at a time: each login is a scrypt hash, and the app's hash queue refuses a flood (by design).
  for (let i = 0; i < WRITERS.length; i += 4) {
    writers.push(...(await Promise.all(WRITERS.slice(i, i + 4).map((u) => login(base, `bench${u}@example.test`)))));
  }
  return { reader: await login(base, 'bench0@example.test'), writers };
}

const cannon = (opts: autocannon.Options) =>
  new Promise<autocannon.Result>((resolve, reject) => autocannon(opts, (err, result) => (err ? reject(err) : resolve(result))));

/** What autocannon keeps from a request's setup to its answer (its `context`, reset every request here). */
type Connection = { cookie?: string };
/** Requests take the writers in turn, so requests in flight write as different users, as people do. */
function writerOf(cell: Cell): (ctx: Connection) => string {
  let next = 0;
  return (ctx) => (ctx.cookie = cell.cookies.writers[next++ % cell.cookies.writers.length]!);
}
/** A cell of POSTs of one body, each as the next writer (see writerOf). */
function postAsWriters(
  c: Cell,
  post: { path: string; type: string; body: string; onResponse?: (status: number, body: string, cookie: string) => void },
): Promise<autocannon.Result> {
  const writer = writerOf(c);
  return cannon({
    url: c.base,
    connections: c.connections,
    duration: c.duration,
    requests: [
      {
        method: 'POST',
        path: post.path,
        body: post.body,
        setupRequest: (req, ctx) => ({ ...req, headers: { cookie: writer(ctx as Connection), 'content-type': post.type } }),
        onResponse: (status, body, ctx) => post.onResponse?.(status, body, (ctx as Connection).cookie!),
      },
    ],
  });
}
const header = (headers: Record<string, unknown> | undefined, name: string) =>
  Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1] as string | undefined;

/** 50 cards as a phone exports them (vCard 3.0: N, FN, ORG, two EMAILs, a TEL). */
export const IMPORT_BODY = Array.from(
  { length: 50 },
  (_, i) =>
    `BEGIN:VCARD\r\nVERSION:3.0\r\nN:${LAST[i % 10]}-${i};${FIRST[(i * 3) % 10]};;;\r\nFN:${FIRST[(i * 3) % 10]} ${LAST[i % 10]}-${i}\r\nORG:Company ${i % 7}\r\n` +
    `EMAIL;TYPE=INTERNET,WORK:import${i}@example.org\r\nEMAIL;TYPE=INTERNET,HOME:i${i}@home.example\r\nTEL;TYPE=CELL:+1 555 01${String(i).padStart(2, '0')} ${1000 + i}\r\nEND:VCARD\r\n`,
).join('');

// Login comes last: scrypt work queued by a login flood would otherwise
// still be running while the next scenario is measured. The write cells run
// in this order: create leaves the contacts that patch edits and delete removes.
export const SCENARIOS: Scenario[] = [
  { name: 'health', run: (c) => cannon({ url: `${c.base}/health`, connections: c.connections, duration: c.duration }) },
  {
    name: 'list 50',
    run: (c) =>
      cannon({
        url: `${c.base}/v1/contacts?limit=50`,
        headers: { cookie: c.cookies.reader },
        connections: c.connections,
        duration: c.duration,
      }),
  },
  {
    name: 'search',
    run: (c) =>
      cannon({
        url: `${c.base}/v1/contacts?q=smith`,
        headers: { cookie: c.cookies.reader },
        connections: c.connections,
        duration: c.duration,
      }),
  },
  {
    name: 'create',
    run: (c) =>
      postAsWriters(c, {
        path: '/v1/contacts',
        type: 'application/json',
        body: JSON.stringify({
          firstName: 'Bench',
          lastName: 'Write',
          company: 'Acme',
          emails: [{ value: 'w@example.org', label: 'work' }],
        }),
        onResponse: (status, body, cookie) => {
          if (status === 201) c.writes.created.push({ cookie, id: (JSON.parse(body) as { id: string }).id });
        },
      }),
  },
  {
    // Each request edits a contact no other request in flight holds, with the
    // ETag of its last answer (autocannon's context lasts one request here).
    name: 'patch',
    run: (c) => {
      const free = c.writes.created.slice(c.writes.patched, c.writes.patched + 2 * c.connections).map((t) => ({ ...t, etag: '"v1"' }));
      c.writes.patched += free.length;
      let edit = 0;
      return cannon({
        url: c.base,
        connections: c.connections,
        duration: c.duration,
        requests: [
          {
            method: 'PATCH',
            setupRequest: (req, context) => {
              const target = free.shift()!;
              (context as { target?: typeof target }).target = target;
              return {
                ...req,
                path: `/v1/contacts/${target.id}`,
                headers: { cookie: target.cookie, 'content-type': 'application/json', 'if-match': target.etag },
                body: JSON.stringify({ company: `Acme ${edit++}`, lastName: 'Edited' }),
              };
            },
            onResponse: (status, _body, context, headers) => {
              const { target } = context as { target: (typeof free)[number] };
              if (status === 200) target.etag = header(headers, 'etag') ?? target.etag;
              free.push(target);
            },
          },
        ],
      });
    },
  },
  {
    // As many deletes as the create cells left, shared out over the delete cells.
    name: 'delete',
    run: async (c) => {
      const amount = Math.max(1, Math.floor(c.writes.created.length / c.writes.deleteCellsLeft--));
      const result = await cannon({
        url: c.base,
        connections: c.connections,
        amount,
        requests: [
          {
            method: 'DELETE',
            setupRequest: (req) => {
              const target = c.writes.created.pop() ?? { cookie: '', id: 'none' };
              return { ...req, path: `/v1/contacts/${target.id}`, headers: { cookie: target.cookie } };
            },
          },
        ],
      });
      // A run of a fixed amount may end within its first second, whose count autocannon reports as the rate.
      result.requests.average = result.requests.total / result.duration;
      return result;
    },
  },
  {
    name: 'import 50',
    run: (c) => postAsWriters(c, { path: '/v1/contacts/import?duplicates=create', type: 'text/vcard', body: IMPORT_BODY }),
  },
  {
    name: 'login',
    run: (c) =>
      cannon({
        url: `${c.base}/v1/auth/login`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'bench2@example.test', password: PASSWORD }),
        connections: c.connections,
        duration: c.duration,
      }),
  },
];

export interface Row {
  scenario: string;
  connections: number;
  server: Server;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

export function toRow(scenario: string, connections: number, server: Server, r: autocannon.Result): Row {
  return {
    scenario,
    connections,
    server,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
  };
}

/** Peak and current resident set of a process, in MiB (Linux /proc). */
export function memory(pid: number): { peakMiB: number; rssMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { peakMiB: kib('VmHWM') / 1024, rssMiB: kib('VmRSS') / 1024 };
}

export function buildServerBundle(): void {
  const b = spawnSync(process.execPath, ['scripts/build.mjs', 'server'], { cwd: ROOT, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(b.stderr);
}
