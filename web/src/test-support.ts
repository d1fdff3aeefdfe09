import { vi } from 'vitest';
import type { Contact } from './api.ts';

/** Answers fetch calls in component tests (the network is the edge here; e2e uses the real server). */
export function answer(status: number, body?: unknown, headers: Record<string, string> = {}) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  });
}

export function problem(status: number, code: string, detail = code, errors?: { path: string; message: string }[]) {
  return answer(status, {
    type: `https://contactfolio.com/problems/${code}`,
    title: 'x',
    status,
    detail,
    code,
    ...(errors ? { errors } : {}),
  });
}

export function stubFetch(...responses: Response[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      const next = responses.shift();
      if (!next) throw new Error(`unexpected fetch ${init.method} ${url}`);
      return next;
    }),
  );
  return calls;
}

/** A complete contact as the API answers, with `fields` over the defaults. */
export function contact(fields: Partial<Contact> = {}): Contact {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    prefix: null,
    firstName: null,
    middleName: null,
    lastName: null,
    suffix: null,
    nickname: null,
    company: null,
    jobTitle: null,
    emails: [],
    phones: [],
    addresses: [],
    urls: [],
    related: [],
    birthday: null,
    notes: null,
    tags: [],
    favorite: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-02T00:00:00.000Z',
    ...fields,
  };
}
