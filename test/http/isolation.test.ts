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
  const secret = await alice.post('/v1/contacts').send({ firstName: 'Secretive', emails: [{ value: 'hidden@example.org' }], tags: ['private'] });
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

  // Alice's contact is untouched.
  const mine = await alice.get(url);
  expect(mine.status).toBe(200);
  expect(mine.body.firstName).toBe('Secretive');
  expect(mine.headers.etag).toBe('"v1"');
});
