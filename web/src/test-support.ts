import { vi } from 'vitest';

/** Answers fetch calls in component tests (the network is the edge here; e2e uses the real server). */
export function answer(status: number, body?: unknown, headers: Record<string, string> = {}) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  });
}

export function problem(status: number, code: string, detail = code, errors?: { path: string; message: string }[]) {
  return answer(status, { type: `https://contactfolio.com/problems/${code}`, title: 'x', status, detail, code, ...(errors ? { errors } : {}) });
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
