import * as z from '../zod.ts';
import { HttpProblem } from '../http/problem.ts';
import { SORTS, STORABLE_TEXT, type Sort } from './schemas.ts';

/** Keyset position after the last item of a page: its sort key and id. */
export interface Cursor {
  sort: Sort;
  key: string;
  id: string;
}

const cursorSchema = z.object({ s: z.enum(SORTS), k: z.string(), i: z.uuid() });

// The date sorts' keys are written by PostgreSQL's to_char (list-query.ts)
// in exactly this form; Date.parse accepts far more ("1", "foo 1",
// "+275760-09-13T00:00:00.000Z") than timestamptz does, and those were 500s.
const ISO_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function validKey(sort: Sort, key: string): boolean {
  if (sort === 'name') return STORABLE_TEXT[0].test(key);
  // "0" (a favorite) or "1", then the name (list-query.ts FAVORITE_KEY).
  if (sort === 'favorites') return /^[01]/.test(key) && STORABLE_TEXT[0].test(key);
  const time = Date.parse(key);
  return ISO_KEY.test(key) && !Number.isNaN(time) && new Date(time).toISOString() === key;
}

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
    throw new HttpProblem('invalid_cursor', 'The cursor is not valid.', {
      errors: [{ path: 'cursor', message: 'is not a cursor from this API' }],
    });
  }
  if (parsed.s !== sort) {
    throw new HttpProblem('invalid_cursor', 'The cursor belongs to a different sort order.', {
      errors: [{ path: 'cursor', message: `was issued for sort=${parsed.s}` }],
    });
  }
  if (!validKey(sort, parsed.k)) {
    throw new HttpProblem('invalid_cursor', 'The cursor is not valid.', {
      errors: [{ path: 'cursor', message: 'is not a cursor from this API' }],
    });
  }
  return { sort: parsed.s, key: parsed.k, id: parsed.i };
}
