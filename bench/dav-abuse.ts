/*
 * Hostile CardDAV requests against the built server (its own build of
 * dist/server.mjs, --max-old-space-size=256), on the machine's PostgreSQL (a
 * scratch database) and Redis. For each: its time, the answer's size,
 * /health latency while it runs (p50, p99, max; from another thread) against
 * /health idle in the same run, and the process's peak RSS growth.
 *   node --import tsx bench/dav-abuse.ts [--runs N] [--smoke]
 * (--smoke: one run over a few cards, for test/bench/dav-abuse.test.ts.)
 *
 * The shapes are the two hostile reviews' (issue 20): two parallel syncs of
 * a book of 800 KB photos (43 MB answers; the whole answer built as a string
 * needed more than 200 MB of heap), a query over cards at the caps (1,000
 * parameters each; 100,000 in one property blocked the event loop 8 s), a
 * multiget naming one photo card a thousand ways, and 1 MiB XML floods
 * (262,000 elements took a 256 MB heap).
 */
import { randomBytes } from 'node:crypto';
import { memory, percentile, probeHealth, resetPeak, signUpCookie } from '../test/abuse/import-harness.ts';
import { startBuiltServer } from './built-server.ts';

const runsIndex = process.argv.indexOf('--runs');
const smoke = process.argv.includes('--smoke');
const RUNS = smoke ? 1 : runsIndex > 0 ? Number(process.argv[runsIndex + 1]) : 3;
const PHOTO_CARDS = smoke ? 4 : 50;
const CAPPED_CARDS = smoke ? 2 : 30;

const server = await startBuiltServer(256);
const pid = server.pid;
let n = 0;
const email = () => `dav-bench.${process.pid}.${Date.now()}.${n++}@example.test`;

/** A signed-up user's Basic credentials and book. */
async function davUser() {
  const address = email();
  const cookie = await signUpCookie(server.url, address);
  const minted = await fetch(`${server.url}/v1/app-passwords`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ name: 'bench' }),
  });
  const { password } = (await minted.json()) as { password: string };
  const me = (await (await fetch(`${server.url}/v1/auth/me`, { headers: { cookie } })).json()) as { user: { id: string } };
  return {
    authorization: `Basic ${Buffer.from(`${address}:${password}`).toString('base64')}`,
    book: `/dav/addressbooks/${me.user.id}/contacts/`,
  };
}
type DavUser = Awaited<ReturnType<typeof davUser>>;

const request = async (u: DavUser, method: string, path: string, body: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: u.authorization, 'content-type': 'application/xml', ...headers },
    body,
  });
  let bytes = 0;
  // Read as a stream, as a phone does: the answer is never whole on this side either.
  const reader = res.body?.getReader();
  for (let part = await reader?.read(); part && !part.done; part = await reader!.read()) bytes += part.value.byteLength;
  return { status: res.status, bytes };
};

async function putCards(u: DavUser, count: number, lines: (i: number) => string[]) {
  for (let i = 0; i < count; i += 5) {
    await Promise.all(
      Array.from({ length: Math.min(5, count - i) }, async (_, k) => {
        const body = ['BEGIN:VCARD', 'VERSION:3.0', `UID:bench-${i + k}`, `FN:Card ${i + k}`, ...lines(i + k), 'END:VCARD', ''].join(
          '\r\n',
        );
        const res = await request(u, 'PUT', `${u.book}c${i + k}.vcf`, body, { 'content-type': 'text/vcard' });
        if (res.status !== 201) throw new Error(`PUT: ${res.status}`);
      }),
    );
  }
}

const sync = (u: DavUser) =>
  request(
    u,
    'REPORT',
    u.book,
    '<D:sync-collection xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/><C:address-data/></D:prop></D:sync-collection>',
  );

try {
  const photos = await davUser();
  // A phone's 800 KB JPEG, base64 in a 3.0 card, as iOS sends it.
  await putCards(photos, PHOTO_CARDS, () => [`PHOTO;ENCODING=b;TYPE=JPEG:${randomBytes(600 * 1024).toString('base64')}`]);
  const capped = await davUser();
  await putCards(capped, CAPPED_CARDS, () =>
    Array.from({ length: 990 }, (_, p) => `X-P${p};A=${p}:${'v'.repeat(800)}`).concat('EMAIL:someone@example.test'),
  );

  const shapes: { name: string; run: () => Promise<{ status: number; bytes: number }[]> }[] = [
    { name: `2 parallel syncs, ${PHOTO_CARDS} photo cards`, run: () => Promise.all([sync(photos), sync(photos)]) },
    {
      name: `query over ${CAPPED_CARDS} cards at the caps`,
      run: async () => [
        await request(
          capped,
          'REPORT',
          capped.book,
          '<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/></D:prop><C:filter><C:prop-filter name="X-P500"><C:param-filter name="A"><C:text-match>nothing</C:text-match></C:param-filter></C:prop-filter></C:filter></C:addressbook-query>',
          { depth: '1' },
        ),
      ],
    },
    {
      name: 'multiget of one photo card, 1,000 spellings',
      run: async () => {
        const hrefs = Array.from({ length: 1000 }, (_, i) => `<D:href>${photos.book}c0.vcf?v=${i}</D:href>`).join('');
        return [
          await request(
            photos,
            'REPORT',
            photos.book,
            `<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><C:address-data/></D:prop>${hrefs}</C:addressbook-multiget>`,
          ),
        ];
      },
    },
    {
      name: '1 MiB PROPFIND of 262,000 elements, 4 at once',
      run: () =>
        Promise.all(
          Array.from({ length: 4 }, () =>
            request(photos, 'PROPFIND', photos.book, `<D:propfind xmlns:D="DAV:"><D:prop>${'<a/>'.repeat(262_000)}</D:prop></D:propfind>`, {
              depth: '0',
            }),
          ),
        ),
    },
  ];

  const idle = await server.idleHealth();
  const fmt = (ms: number) => ms.toFixed(1).padStart(8);
  console.log(
    `/health idle (the baseline): p50 ${fmt(percentile(idle, 50))} ms, p99 ${fmt(percentile(idle, 99))} ms; ${RUNS} runs per shape`,
  );
  console.log(`${'shape'.padEnd(46)} status      MB     ms  health n   p50 ms   p99 ms   max ms  peak RSS +MiB`);
  for (const shape of shapes) {
    const health: number[] = [];
    const times: number[] = [];
    let peak = 0;
    let statuses = '';
    let bytes = 0;
    for (let r = 0; r < RUNS; r++) {
      resetPeak(pid);
      const before = memory(pid).rss;
      const probe = await probeHealth(server.url);
      const t0 = performance.now();
      const answers = await shape.run();
      times.push(performance.now() - t0);
      peak = Math.max(peak, memory(pid).hwm - before);
      const probed = await probe.stop();
      if (probed.failures) throw new Error(`${shape.name}: /health failed ${probed.failures} times (the server died?)`);
      health.push(...probed.health);
      statuses = [...new Set(answers.map((a) => a.status))].join('/');
      bytes = Math.max(bytes, ...answers.map((a) => a.bytes));
    }
    console.log(
      `${shape.name.padEnd(46)} ${statuses.padStart(6)} ${(bytes / 1e6).toFixed(1).padStart(7)} ${percentile(times, 50).toFixed(0).padStart(6)} ${String(health.length).padStart(9)} ${fmt(percentile(health, 50))} ${fmt(percentile(health, 99))} ${fmt(Math.max(...health))} ${(peak / 1024).toFixed(1).padStart(14)}`,
    );
  }
  console.log(`server alive after all shapes: ${server.alive()}`);
} finally {
  await server.close();
}
