#!/usr/bin/env node
// Smoke test of a running contactfolio API: a new user's whole journey, one
// line per step with its latency, then "N passed, N failed". Needs only the
// base URL; cleans up after itself (its contacts and its account).
//   node scripts/smoke.mjs --base-url https://api.contactfolio.com [--timeout 10000]
//   npm run smoke -- --base-url http://localhost:3000
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    'base-url': { type: 'string' },
    timeout: { type: 'string', default: '10000' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help || !values['base-url']) {
  process.stderr.write('usage: smoke.mjs --base-url URL [--timeout MS]\n');
  process.exit(values.help ? 0 : 2);
}
const base = values['base-url'].replace(/\/+$/, '');
const timeoutMs = Number(values.timeout);

let cookie;
async function call(method, path, { json, body, type, expect: expected } = {}) {
  const headers = {};
  if (cookie) headers.cookie = cookie;
  if (json !== undefined) headers['content-type'] = 'application/json';
  if (type) headers['content-type'] = type;
  const res = await fetch(base + path, {
    method,
    headers,
    body: json !== undefined ? JSON.stringify(json) : body,
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  const session = res.headers.getSetCookie().find((c) => c.startsWith('cf.sid='));
  if (session) cookie = /^cf\.sid=;/.test(session) ? undefined : session.split(';')[0];
  const text = await res.text();
  if (expected !== undefined && res.status !== expected) {
    throw new Error(`${method} ${path}: expected ${expected}, got ${res.status} ${text.slice(0, 300)}`);
  }
  const isJson = (res.headers.get('content-type') ?? '').includes('json');
  return { status: res.status, headers: res.headers, text, body: isJson && text ? JSON.parse(text) : undefined };
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const run = randomBytes(4).toString('hex');
const email = `smoke+${Date.now()}-${run}@example.com`;
const password = `smoke-${randomBytes(12).toString('hex')}`;
const state = {};

const steps = [
  [
    'health',
    async () => {
      const r = await call('GET', '/health', { expect: 200 });
      check(r.body?.status === 'ok', `health: ${r.text}`);
      check(!r.headers.get('set-cookie'), 'health set a cookie');
    },
  ],
  [
    'signup',
    async () => {
      const r = await call('POST', '/v1/auth/signup', { json: { email, password, name: `Smoke ${run}` }, expect: 201 });
      check(r.body.user.email === email, 'signup returned another user');
      check(cookie, 'signup set no session cookie');
    },
  ],
  [
    'login',
    async () => {
      cookie = undefined;
      const r = await call('POST', '/v1/auth/login', { json: { email, password }, expect: 200 });
      check(r.body.user.email === email && cookie, 'login gave no session');
    },
  ],
  [
    'create',
    async () => {
      const r = await call('POST', '/v1/contacts', {
        json: {
          firstName: 'Zoë',
          lastName: `Smoke-${run}`,
          emails: [{ value: `zoe-${run}@example.com`, label: 'work' }],
          phones: [{ value: '+1 (555) 010-0199' }],
          tags: ['smoke'],
        },
        expect: 201,
      });
      state.contact = r.body;
      state.etag = r.headers.get('etag');
      check(r.headers.get('location') === `/v1/contacts/${r.body.id}`, 'create: wrong Location');
    },
  ],
  [
    'list',
    async () => {
      const r = await call('GET', '/v1/contacts', { expect: 200 });
      check(
        r.body.items.some((c) => c.id === state.contact.id),
        'list: the new contact is missing',
      );
    },
  ],
  [
    'search',
    async () => {
      const byName = await call('GET', `/v1/contacts?q=${encodeURIComponent(`zoe smoke-${run}`)}`, { expect: 200 });
      check(byName.body.total === 1, `search by name found ${byName.body.total}`);
      const byPhone = await call('GET', '/v1/contacts?q=555-010-0199', { expect: 200 });
      check(
        byPhone.body.items.some((c) => c.id === state.contact.id),
        'search by phone digits failed',
      );
    },
  ],
  [
    'update',
    async () => {
      const r = await call('PATCH', `/v1/contacts/${state.contact.id}`, { json: { company: 'Smoke Test Inc' }, expect: 200 });
      check(r.body.company === 'Smoke Test Inc', 'update did not change the company');
      // The ETag from create is stale now: a write that names it must be refused.
      const precondition = await fetch(`${base}/v1/contacts/${state.contact.id}`, {
        method: 'PATCH',
        headers: { cookie, 'content-type': 'application/json', 'if-match': state.etag },
        body: JSON.stringify({ company: 'stale' }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      check(precondition.status === 412, `stale If-Match gave ${precondition.status}`);
    },
  ],
  [
    'export',
    async () => {
      const r = await call('GET', '/v1/contacts/export?format=vcard', { expect: 200 });
      check((r.headers.get('content-type') ?? '').startsWith('text/vcard'), 'export: not text/vcard');
      check(r.text.includes(`Smoke-${run}`), 'export: the contact is missing');
      state.vcard = r.text;
    },
  ],
  [
    'import',
    async () => {
      // Our own export comes back onto the same contact (its UID); asked to, it makes a copy.
      const again = await call('POST', '/v1/contacts/import', { body: state.vcard, type: 'text/vcard', expect: 200 });
      check(again.body.imported === 0 && again.body.unchanged === 1, `import of the export: ${again.text}`);
      const r = await call('POST', '/v1/contacts/import?duplicates=create', { body: state.vcard, type: 'text/vcard', expect: 200 });
      check(r.body.imported === 1 && r.body.skipped.length === 0, `import: ${r.text}`);
      const after = await call('GET', `/v1/contacts?q=${encodeURIComponent(`smoke-${run}`)}`, { expect: 200 });
      check(after.body.total === 2, `after import ${after.body.total} contacts match`);
      state.ids = after.body.items.map((c) => c.id);
    },
  ],
  [
    'delete',
    async () => {
      for (const id of state.ids) await call('DELETE', `/v1/contacts/${id}`, { expect: 204 });
      await call('GET', `/v1/contacts/${state.contact.id}`, { expect: 404 });
    },
  ],
  [
    'logout',
    async () => {
      const before = cookie;
      await call('POST', '/v1/auth/logout', { expect: 204 });
      state.oldCookie = before;
    },
  ],
  [
    'session gone',
    async () => {
      cookie = state.oldCookie; // replay the old cookie: the server must have forgotten it
      const r = await call('GET', '/v1/auth/me');
      check(r.status === 401, `the old session still works (${r.status})`);
      cookie = undefined;
    },
  ],
];

let passed = 0;
let failed = 0;
let signedUp = false;
const started = performance.now();
for (const [name, fn] of steps) {
  const t0 = performance.now();
  try {
    await fn();
    if (name === 'signup') signedUp = true;
    passed++;
    process.stdout.write(`ok    ${name.padEnd(13)} ${(performance.now() - t0).toFixed(0).padStart(5)} ms\n`);
  } catch (err) {
    failed++;
    process.stdout.write(
      `FAIL  ${name.padEnd(13)} ${(performance.now() - t0).toFixed(0).padStart(5)} ms  ${err instanceof Error ? err.message : err}\n`,
    );
    if (name === 'health' || name === 'signup' || name === 'login') break; // nothing after makes sense
  }
}

// Clean up whatever the journey left: log in again and delete the account
// (its contacts go with it). Not counted as a step.
if (signedUp) {
  try {
    cookie = undefined;
    await call('POST', '/v1/auth/login', { json: { email, password }, expect: 200 });
    await call('DELETE', '/v1/auth/me', { expect: 204 });
    process.stdout.write(`      cleanup: account ${email} deleted\n`);
  } catch (err) {
    failed++;
    process.stdout.write(`FAIL  cleanup       could not delete ${email}: ${err instanceof Error ? err.message : err}\n`);
  }
}
process.stdout.write(`total ${(performance.now() - started).toFixed(0)} ms against ${base}\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed ? 1 : 0);
