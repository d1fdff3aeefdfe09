import type supertest from 'supertest';
import { signUp, uniqueEmail, type TestApp } from '../support/harness.ts';

/** A signed-up user with an app password, for the CardDAV tests. */
export interface DavUser {
  id: string;
  email: string;
  password: string;
  /** The browser session of the same user (the JSON API). */
  agent: supertest.Agent;
  /** Basic credentials as a header value. */
  authorization: string;
}

export async function davUser(app: TestApp, device = 'Test phone'): Promise<DavUser> {
  const agent = app.client();
  const email = uniqueEmail('dav');
  const user = await signUp(agent, email);
  const res = await agent.post('/v1/app-passwords').send({ name: device });
  if (res.status !== 201) throw new Error(`app password: ${res.status} ${JSON.stringify(res.body)}`);
  const password = res.body.password as string;
  return { id: user.id, email, password, agent, authorization: `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}` };
}

/** A raw WebDAV request (the method and body as a client sends them), with the user's credentials. */
export async function dav(
  app: TestApp,
  user: Pick<DavUser, 'authorization'> | null,
  method: string,
  path: string,
  { body, headers = {} }: { body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(`${app.baseUrl}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      ...(user ? { authorization: user.authorization } : {}),
      ...(body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')
        ? { 'content-type': 'application/xml; charset=utf-8' }
        : {}),
      ...headers,
    },
    ...(body !== undefined ? { body } : {}),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

export const card = (uid: string, ...lines: string[]) =>
  ['BEGIN:VCARD', 'VERSION:3.0', `UID:${uid}`, ...lines, 'END:VCARD', ''].join('\r\n');
