import { DOMParser, type Element } from '@xmldom/xmldom';
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

export interface DavResponse {
  href: string;
  /** The response's own status (a member that is gone), if it has one. */
  status?: number;
  /** Each property by Clark name ("{DAV:}getetag"): the status of its propstat and its text. */
  props: Map<string, { status: number; text: string; element: Element }>;
}

/** The DAV:response elements of a 207 multistatus body, read with the same XML library as the server (by namespace, not prefix). */
export function parseMultistatus(text: string): { responses: DavResponse[]; syncToken?: string; root: Element } {
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  const root = doc.documentElement!;
  if (root.namespaceURI !== 'DAV:' || root.localName !== 'multistatus') throw new Error(`not a multistatus: ${text.slice(0, 200)}`);
  const kids = (el: Element, local: string, ns = 'DAV:') =>
    Array.from(el.childNodes).filter(
      (n): n is Element => n.nodeType === 1 && (n as Element).localName === local && (n as Element).namespaceURI === ns,
    );
  const statusOf = (el: Element | undefined) => (el ? Number(/HTTP\/1\.1 (\d{3})/.exec(el.textContent ?? '')?.[1]) : undefined);
  const responses = kids(root, 'response').map((r) => {
    const props = new Map<string, { status: number; text: string; element: Element }>();
    for (const ps of kids(r, 'propstat')) {
      const status = statusOf(kids(ps, 'status')[0])!;
      for (const prop of kids(ps, 'prop'))
        for (const p of Array.from(prop.childNodes).filter((n): n is Element => n.nodeType === 1)) {
          props.set(`{${p.namespaceURI ?? ''}}${p.localName}`, { status, text: p.textContent ?? '', element: p });
        }
    }
    const status = statusOf(kids(r, 'status')[0]);
    return { href: kids(r, 'href')[0]?.textContent ?? '', ...(status ? { status } : {}), props };
  });
  const syncToken = kids(root, 'sync-token')[0]?.textContent ?? undefined;
  return { responses, root, ...(syncToken ? { syncToken } : {}) };
}
