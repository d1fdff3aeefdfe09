import * as z from '../zod.ts';
import { HttpProblem } from '../http/problem.ts';
import type { Sort } from './schemas.ts';

/** Keyset position after the last item of a page: its sort key and id. */
export interface Cursor {
  sort: Sort;
  key: string;
  id: string;
}

const cursorSchema = z.object({ s: z.enum(['name', '-updatedAt', 'createdAt']), k: z.string(), i: z.uuid() });

// Opaque to clients: base64url JSON. Nothing secret is in it and the server
// re-checks ownership on every query, so it needs no signature.
export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify({ s: c.sort, k: c.key, i: c.id })).toString('base64url');
}

export function decodeCursor(raw: string, sort: Sort): Cursor {
  let parsed: z.infer<typeof cursorSchema>;
  try {
    parsed = cursorSchema.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
  } catch {
    throw new HttpProblem(400, 'invalid_cursor', 'The cursor is not valid.', [{ path: 'cursor', message: 'is not a cursor from this API' }]);
  }
  if (parsed.s !== sort) {
    throw new HttpProblem(400, 'invalid_cursor', 'The cursor belongs to a different sort order.', [
      { path: 'cursor', message: `was issued for sort=${parsed.s}` },
    ]);
  }
  if (sort !== 'name' && Number.isNaN(Date.parse(parsed.k))) {
    throw new HttpProblem(400, 'invalid_cursor', 'The cursor is not valid.', [{ path: 'cursor', message: 'is not a cursor from this API' }]);
  }
  return { sort: parsed.s, key: parsed.k, id: parsed.i };
}
