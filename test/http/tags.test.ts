import { afterAll, beforeAll, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../support/harness.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

it("GET /v1/tags lists the user's tags with their counts, by name, and no one else's", async () => {
  const ana = t.client();
  const bob = t.client();
  await signUp(ana);
  await signUp(bob);
  expect((await ana.get('/v1/tags')).body).toEqual({ tags: [] });
  await ana.post('/v1/contacts').send({ firstName: 'A', tags: ['Work', 'family'] });
  await ana.post('/v1/contacts').send({ firstName: 'B', tags: ['work'] });
  await ana.post('/v1/contacts').send({ firstName: 'E', tags: ['Work'] });
  await ana.post('/v1/contacts').send({ firstName: 'C' });
  await bob.post('/v1/contacts').send({ firstName: 'D', tags: ['secret'] });
  const res = await ana.get('/v1/tags');
  expect(res.status).toBe(200);
  // One entry per tag whatever its case, named as most contacts spell it.
  expect(res.body).toEqual({
    tags: [
      { name: 'family', count: 1 },
      { name: 'Work', count: 3 },
    ],
  });
  expect((await bob.get('/v1/tags')).body).toEqual({ tags: [{ name: 'secret', count: 1 }] });
  expect((await t.client().get('/v1/tags')).status).toBe(401);
});

it('tags keep the case typed, are one tag in any case, and filter without case', async () => {
  const c = t.client();
  await signUp(c);
  const made = await c.post('/v1/contacts').send({ firstName: 'Ada', tags: ['Book Club', 'book club', 'VIP', 'Ärzte'] });
  expect(made.status).toBe(201);
  expect(made.body.tags).toEqual(['Book Club', 'VIP', 'Ärzte']);
  await c.post('/v1/contacts').send({ firstName: 'Bea', tags: ['vip'] });
  await c.post('/v1/contacts').send({ firstName: 'Cy', tags: ['other'] });
  const names = async (tag: string) =>
    ((await c.get('/v1/contacts').query({ tag })).body.items as { firstName: string }[]).map((x) => x.firstName);
  expect(await names('vip')).toEqual(['Ada', 'Bea']);
  expect(await names('VIP')).toEqual(['Ada', 'Bea']);
  expect(await names('book club')).toEqual(['Ada']);
  expect(await names('ärzte')).toEqual(['Ada']);
  // Matching is by case, not by accents: a different tag.
  expect(await names('arzte')).toEqual([]);
  // Renaming a tag's case is an edit like any other.
  const edited = await c.patch(`/v1/contacts/${made.body.id}`).send({ tags: ['book club'] });
  expect(edited.body.tags).toEqual(['book club']);
  expect(await names('Book Club')).toEqual(['Ada']);
});

it('search finds words in notes, addresses and job titles', async () => {
  const c = t.client();
  await signUp(c);
  await c.post('/v1/contacts').send({ firstName: 'Noor', notes: 'Met at the Lisbon marathon', jobTitle: 'Cartographer' });
  await c.post('/v1/contacts').send({ firstName: 'Olu', addresses: [{ street: '4 Rua Augusta', city: 'Lisboa', postalCode: '1100-048' }] });
  await c.post('/v1/contacts').send({ firstName: 'Pia' });
  const found = async (q: string) =>
    ((await c.get('/v1/contacts').query({ q })).body.items as { firstName: string }[]).map((x) => x.firstName).sort();
  expect(await found('marathon')).toEqual(['Noor']);
  expect(await found('cartographer')).toEqual(['Noor']);
  expect(await found('augusta')).toEqual(['Olu']);
  expect(await found('1100-048')).toEqual(['Olu']);
  expect(await found('lis')).toEqual(['Noor', 'Olu']);
  expect(await found('lisboa noor')).toEqual([]);
});
