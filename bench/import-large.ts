/*
 * A large, realistic import: N Google-CSV rows (two phones in one " ::: "
 * cell, an email, notes, labels) into the app on the machine's PostgreSQL
 * and Redis (a scratch database), three times per run: into an empty
 * account, the same file again (every row already there), and the file with
 * every email changed (every row merges). In the same run, the baseline: the
 * write path imports had before (Prisma createMany for the new contacts, one
 * Prisma update per merged contact) against the bulk statements now used
 * (app/contacts/bulk-write.ts), on the same prepared contacts.
 *   node --import tsx bench/import-large.ts [--rows N] [--runs R]
 */
import { randomUUID } from 'node:crypto';
import { parseCsv } from '../app/contacts/csv.ts';
import { insertContacts, updateContacts } from '../app/contacts/bulk-write.ts';
import type { ParsedRecord } from '../app/contacts/import.ts';
import { prepareRecord } from '../app/contacts/import-report.ts';
import { withSearchKeys } from '../app/contacts/search-keys.ts';
import { createDatabase } from '../app/db/client.ts';
import { signUp, startTestApp } from '../test/support/harness.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROWS = arg('--rows', 5_000);
const RUNS = arg('--runs', 3);

const header =
  'First Name,Last Name,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,Notes,Labels';
const row = (i: number, domain: string) =>
  `Person${i},Family${i % 97},Work,p${i}@${domain},Mobile,+34 6${String(i).padStart(8, '0')} ::: +34 7${String(i).padStart(8, '0')},Home,+34 9${String(i).padStart(8, '0')},Note for ${i},friends ::: * myContacts`;
const file = (domain: string) => [header, ...Array.from({ length: ROWS }, (_, i) => row(i, domain))].join('\n');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const t = await startTestApp({ MAX_CONTACTS_PER_USER: String(ROWS * 2) });
const times: Record<string, number[]> = {
  new: [],
  again: [],
  merge: [],
  'baseline insert (Prisma createMany)': [],
  'bulk insert': [],
  'baseline update (Prisma, one per contact)': [],
  'bulk update': [],
};
try {
  const first = file('example.org');
  const changed = file('example.net');
  for (let run = 0; run < RUNS; run++) {
    const agent = t.client();
    await signUp(agent);
    for (const [name, body, want] of [
      ['new', first, 'imported'],
      ['again', first, 'unchanged'],
      ['merge', changed, 'merged'],
    ] as const) {
      const s = performance.now();
      const res = await agent.post('/v1/contacts/import').type('text/csv').send(body);
      times[name]!.push(performance.now() - s);
      if (res.status !== 200 || res.body[want] !== ROWS)
        throw new Error(`${name}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    }
  }

  // The write paths alone, on the same prepared contacts.
  const records: ParsedRecord[] = [];
  await parseCsv(
    first,
    (r) => (records.push(r), true),
    async () => {},
  );
  const drafts = records.map((r) => {
    const p = 'input' in r ? prepareRecord(r.input) : undefined;
    if (!p?.ok) throw new Error('a bench row did not validate');
    return p.draft;
  });
  const db = createDatabase({ ...t.runtime.config.database, url: t.database.url, poolMax: 2 });
  const prisma = await db.prisma();
  const owner = async () => {
    const u = await prisma.user.create({ data: { email: `${randomUUID()}@bench.example`, name: 'Bench', passwordHash: 'x' } });
    return u.id;
  };
  const timed = async (name: string, fn: () => Promise<unknown>) => {
    const s = performance.now();
    await fn();
    times[name]!.push(performance.now() - s);
  };
  for (let run = 0; run < RUNS; run++) {
    const a = await owner();
    const b = await owner();
    const ids = drafts.map(() => randomUUID());
    const idsB = drafts.map(() => randomUUID());
    const at = new Date();
    await timed('baseline insert (Prisma createMany)', () =>
      prisma.$transaction(
        (tx) => tx.contact.createMany({ data: drafts.map((d, i) => ({ id: ids[i]!, userId: a, ...withSearchKeys(d) })) }),
        { timeout: 120_000 },
      ),
    );
    await timed('bulk insert', () =>
      prisma.$transaction(
        (tx) =>
          insertContacts(
            tx,
            b,
            drafts.map((d, i) => ({ id: idsB[i]!, draft: d, at })),
          ),
        { timeout: 120_000 },
      ),
    );
    const edited = drafts.map((d) => ({ ...d, notes: `${d.notes} (edited)` }));
    await timed('baseline update (Prisma, one per contact)', () =>
      prisma.$transaction(
        async (tx) => {
          for (const [i, d] of edited.entries())
            await tx.contact.update({ where: { id: ids[i]! }, data: { ...withSearchKeys(d), version: { increment: 1 } } });
        },
        { timeout: 120_000 },
      ),
    );
    await timed('bulk update', () =>
      prisma.$transaction(
        (tx) =>
          updateContacts(
            tx,
            b,
            edited.map((d, i) => ({ id: idsB[i]!, draft: d, at })),
          ),
        { timeout: 120_000 },
      ),
    );
  }
  await db.close();

  console.log(`${ROWS} rows (${(first.length / 1024 / 1024).toFixed(2)} MiB of CSV), median of ${RUNS} runs`);
  for (const [name, xs] of Object.entries(times))
    console.log(`${name.padEnd(44)} ${median(xs).toFixed(0).padStart(7)} ms   (${xs.map((x) => x.toFixed(0)).join(', ')})`);
  const ratio = (a: string, b: string) => (median(times[a]!) / median(times[b]!)).toFixed(1);
  console.log(
    `bulk insert is ${ratio('baseline insert (Prisma createMany)', 'bulk insert')}x faster than the baseline; bulk update ${ratio('baseline update (Prisma, one per contact)', 'bulk update')}x`,
  );
} finally {
  await t.close();
}
