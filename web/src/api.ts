import type { User } from '../../app/auth/schemas.ts';
import type { Contact, ContactList, DuplicateGroups, DuplicateMode, ImportResult } from '../../app/contacts/schemas.ts';
import type { Problem } from '../../app/http/problem-schema.ts';
import type { Limits } from '../../app/limits/schemas.ts';
import type { TagList } from '../../app/tags/schemas.ts';

// Types come from the server's zod schemas (type-only imports: no code ships).
export type { Contact, DuplicateMode, ImportResult, Limits, Problem, TagList, User };
export type ContactInput = Partial<Omit<Contact, 'id' | 'createdAt' | 'updatedAt'>>;
export type DuplicateGroup = DuplicateGroups['groups'][number];
/** The export formats offered: vCard 3.0 (what every contacts app reads), vCard 4.0, and CSV in Google's layout. */
export type ExportFormat = 'vcard3' | 'vcard4' | 'csv';
/**
 * An app password as /v1/app-passwords lists it (app/carddav/app-passwords.ts, "AppPassword" in the OpenAPI
 * document). Written out here: that module is the routes too, and importing even its types pulls Express into the web.
 */
export interface AppPassword {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}
/** The answer to creating one: the only time `password` is ever sent. */
export type NewAppPassword = AppPassword & { password: string };

/** Same origin by default; the production build points at the API's own origin. */
export const API_BASE = (import.meta.env.VITE_API_BASE_URL ?? '').replace(/\/+$/, '');

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    readonly retryAfter?: number,
  ) {
    super(problem.detail);
  }
  get code(): string {
    return this.problem.code;
  }
}

/** The request never reached the server (offline, DNS, CORS). */
export class OfflineError extends Error {}

type Listener = () => void;
const expiredListeners = new Set<Listener>();
/** Called when a request that had a session gets 401: the session has expired. */
export function onSessionExpired(listener: Listener): () => void {
  expiredListeners.add(listener);
  return () => expiredListeners.delete(listener);
}

interface Options {
  json?: unknown;
  body?: BodyInit;
  type?: string;
  ifMatch?: string;
  /** Don't treat a 401 as an expired session (login, me at start-up). */
  quiet401?: boolean;
  /** Sent even if the page is closing (a delete whose undo time ran out as the tab closed). */
  keepalive?: boolean;
}

export async function request<T>(method: string, path: string, opts: Options = {}): Promise<{ data: T; etag: string | null }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.json !== undefined) headers['content-type'] = 'application/json';
  if (opts.type) headers['content-type'] = opts.type;
  if (opts.ifMatch) headers['if-match'] = opts.ifMatch;
  let res: Response;
  try {
    res = await fetch(API_BASE + path, {
      method,
      headers,
      credentials: 'include',
      keepalive: opts.keepalive,
      body: opts.json !== undefined ? JSON.stringify(opts.json) : opts.body,
    });
  } catch {
    throw new OfflineError('You appear to be offline. Check your connection and try again.');
  }
  const text = await res.text();
  if (!res.ok) {
    let problem: Problem;
    try {
      problem = JSON.parse(text) as Problem;
    } catch {
      problem = {
        type: 'about:blank',
        title: res.statusText,
        status: res.status,
        detail: `The server answered ${res.status}.`,
        code: 'http_error',
      };
    }
    if (res.status === 401 && !opts.quiet401) for (const l of expiredListeners) l();
    const retry = Number(res.headers.get('retry-after'));
    throw new ApiError(res.status, problem, Number.isFinite(retry) && retry > 0 ? retry : undefined);
  }
  return { data: (text ? JSON.parse(text) : undefined) as T, etag: res.headers.get('etag') };
}

export const api = {
  me: () => request<{ user: User }>('GET', '/v1/auth/me', { quiet401: true }),
  login: (email: string, password: string) =>
    request<{ user: User }>('POST', '/v1/auth/login', { json: { email, password }, quiet401: true }),
  signup: (email: string, password: string, name: string) =>
    request<{ user: User }>('POST', '/v1/auth/signup', { json: { email, password, name } }),
  logout: () => request<void>('POST', '/v1/auth/logout', { quiet401: true }),
  logoutAll: () => request<void>('POST', '/v1/auth/logout-all'),
  updateMe: (input: { name: string }) => request<{ user: User }>('PATCH', '/v1/auth/me', { json: input }),
  changePassword: (currentPassword: string, newPassword: string) =>
    request<{ user: User }>('POST', '/v1/auth/password', { json: { currentPassword, newPassword } }),
  deleteMe: () => request<void>('DELETE', '/v1/auth/me'),
  tags: () => request<TagList>('GET', '/v1/tags'),
  limits: () => request<Limits>('GET', '/v1/limits'),
  list: (query: Record<string, string>) => request<ContactList>('GET', `/v1/contacts?${new URLSearchParams(query)}`),
  get: (id: string) => request<Contact>('GET', `/v1/contacts/${id}`),
  create: (input: ContactInput) => request<Contact>('POST', '/v1/contacts', { json: input }),
  update: (id: string, input: ContactInput, etag?: string) =>
    request<Contact>('PATCH', `/v1/contacts/${id}`, { json: input, ifMatch: etag }),
  remove: (id: string, opts?: { keepalive?: boolean }) => request<void>('DELETE', `/v1/contacts/${id}`, opts),
  /** The file's bytes as they are: the server finds their encoding (a BOM, a declared charset, UTF-16, UTF-8 or Windows-1252). */
  importFile: (file: Blob, type: string, duplicates: DuplicateMode = 'merge') =>
    request<ImportResult>('POST', `/v1/contacts/import?duplicates=${duplicates}`, { body: file, type }),
  exportUrl: (format: ExportFormat) =>
    `${API_BASE}/v1/contacts/export?${format === 'csv' ? 'format=csv' : `format=vcard&version=${format === 'vcard4' ? '4.0' : '3.0'}`}`,
  duplicates: () => request<{ groups: DuplicateGroup[] }>('GET', '/v1/contacts/duplicates'),
  /** Merges `others` into `id` (and deletes them); each etag as read, so a contact changed since fails with 412. */
  merge: (id: string, others: { id: string; etag?: string }[], etag?: string) =>
    request<Contact>('POST', `/v1/contacts/${id}/merge`, { json: { others }, ifMatch: etag }),
  appPasswords: () => request<{ items: AppPassword[] }>('GET', '/v1/app-passwords'),
  createAppPassword: (name: string) => request<NewAppPassword>('POST', '/v1/app-passwords', { json: { name } }),
  revokeAppPassword: (id: string) => request<void>('DELETE', `/v1/app-passwords/${encodeURIComponent(id)}`),
};
