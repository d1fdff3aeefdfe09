import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../support/harness.ts';

/*
 * One fixture per exporter quirk (test/fixtures/exports/README.md says where
 * each fact comes from), each with what a lossless import makes of it: every
 * contact field, and what is reported as not kept. A second import of the
 * same file adds nothing. Files go as a browser uploads them: bytes, no
 * charset (the server reads the exporter's encoding: UTF-16, Windows-1252...).
 */

const DIR = path.join(import.meta.dirname, '../fixtures/exports');
const fixtures = readdirSync(DIR)
  .filter((f) => /\.(vcf|csv)$/.test(f))
  .sort();

interface Expected {
  contacts: Record<string, unknown>[];
  dropped: string[][];
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ MAX_CONTACTS_PER_USER: '100' });
});
afterAll(() => t.close());

async function freshUser(): Promise<supertest.Agent> {
  const agent = t.client();
  await signUp(agent);
  return agent;
}

const CONTACT_FIELDS = [
  'prefix',
  'firstName',
  'middleName',
  'lastName',
  'suffix',
  'nickname',
  'company',
  'jobTitle',
  'emails',
  'phones',
  'addresses',
  'urls',
  'related',
  'birthday',
  'notes',
  'tags',
  'favorite',
] as const;
const fieldsOf = (c: Record<string, unknown>) => Object.fromEntries(CONTACT_FIELDS.map((k) => [k, c[k]]));

it('has a fixture for each exporter quirk of issue 16', () => {
  expect(fixtures).toEqual(
    expect.arrayContaining(['google-multivalue.csv', 'outlook.csv', 'apple-labels.vcf', 'vcard21-qp.vcf', 'vcard4.vcf']),
  );
});

describe.each(fixtures)('%s', (file) => {
  const body = readFileSync(path.join(DIR, file));
  const expected = JSON.parse(readFileSync(path.join(DIR, `${file.replace(/\.(vcf|csv)$/, '')}.expected.json`), 'utf8')) as Expected;
  const type = file.endsWith('.csv') ? 'text/csv' : 'text/vcard';

  it('imports every contact without loss, names what it cannot keep, and a second import adds nothing', async () => {
    const agent = await freshUser();
    const first = await agent.post('/v1/contacts/import').set('content-type', type).send(body);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ imported: expected.contacts.length, merged: 0, skipped: [] });
    const items = (await agent.get('/v1/contacts?limit=100&sort=createdAt')).body.items as Record<string, unknown>[];
    expect(items.map(fieldsOf)).toEqual(expected.contacts.map(fieldsOf));

    // What each contact could not keep is in its report entry ("not kept: PHOTO, IMPP").
    const notKept = (first.body.changes as { index: number; notes: string[] }[]).map((c) => [
      c.index,
      (c.notes.find((n) => n.startsWith('not kept: ')) ?? '').replace('not kept: ', '').split(', ').filter(Boolean).sort(),
    ]);
    const wanted = expected.dropped.map((d, i) => [i, [...d].sort()]).filter(([, d]) => (d as string[]).length > 0);
    expect(notKept.filter(([, d]) => (d as string[]).length > 0)).toEqual(wanted);

    const second = await agent.post('/v1/contacts/import').set('content-type', type).send(body);
    expect(second.body).toMatchObject({ imported: 0, merged: 0, skipped: [] });
    expect((await agent.get('/v1/contacts?limit=100&sort=createdAt')).body.items).toEqual(items);
  });
});
