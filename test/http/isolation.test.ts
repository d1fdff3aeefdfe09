import { afterAll, beforeAll, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../support/harness.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

it("a second user can neither read, change, delete, list, search nor export the first user's contacts", async () => {
  const alice = t.client();
  const mallory = t.client();
  await signUp(alice);
  await signUp(mallory);
  const secret = await alice
    .post('/v1/contacts')
    .send({ firstName: 'Secretive', emails: [{ value: 'hidden@example.org' }], tags: ['private'] });
  const url = secret.headers.location!;

  expect((await mallory.get(url)).status).toBe(404);
  expect((await mallory.patch(url).send({ firstName: 'Hacked' })).status).toBe(404);
  expect((await mallory.patch(url).set('If-Match', '*').send({ firstName: 'Hacked' })).status).toBe(404);
  expect((await mallory.delete(url)).status).toBe(404);
  const list = await mallory.get('/v1/contacts');
  expect(list.body).toEqual({ items: [], nextCursor: null, total: 0 });
  expect((await mallory.get('/v1/contacts?q=secretive')).body.total).toBe(0);
  expect((await mallory.get('/v1/contacts?tag=private')).body.total).toBe(0);
  expect((await mallory.get('/v1/contacts/export?format=vcard')).text).toBe('');
  expect((await mallory.get('/v1/contacts/export?format=csv')).text).not.toContain('Secretive');
  expect((await mallory.get('/v1/limits')).body.contacts).toBe(0);

  // Merging and duplicates see only one's own contacts, and a vCard UID naming
  // someone else's contact (our export writes urn:uuid:<id>) creates a new one.
  const own = await mallory.post('/v1/contacts').send({ firstName: 'Secretive', emails: [{ value: 'hidden@example.org' }] });
  expect((await mallory.post(`${url}/merge`).send({ others: [{ id: own.body.id }] })).status).toBe(404);
  expect((await mallory.post(`${own.headers.location}/merge`).send({ others: [{ id: secret.body.id }] })).status).toBe(404);
  expect((await mallory.get('/v1/contacts/duplicates')).body).toEqual({ groups: [] });
  const forged = `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Hacked\r\nN:;Hacked;;;\r\nUID:urn:uuid:${secret.body.id}\r\nEND:VCARD\r\n`;
  expect((await mallory.post('/v1/contacts/import').type('text/vcard').send(forged)).body).toMatchObject({ imported: 1, merged: 0 });
  await mallory.delete(own.headers.location!);

  // Alice's contact is untouched.
  const mine = await alice.get(url);
  expect(mine.status).toBe(200);
  expect(mine.body.firstName).toBe('Secretive');
  expect(mine.headers.etag).toBe('"v1"');
});
