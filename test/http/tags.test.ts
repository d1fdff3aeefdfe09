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
  await ana.post('/v1/contacts').send({ firstName: 'C' });
  await bob.post('/v1/contacts').send({ firstName: 'D', tags: ['secret'] });
  const res = await ana.get('/v1/tags');
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ tags: [{ name: 'family', count: 1 }, { name: 'work', count: 2 }] });
  expect((await bob.get('/v1/tags')).body).toEqual({ tags: [{ name: 'secret', count: 1 }] });
  expect((await t.client().get('/v1/tags')).status).toBe(401);
});
