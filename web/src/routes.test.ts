import { describe, expect, it } from 'vitest';
import { listSearch, parseListQuery, paths } from './routes.ts';

describe('routes', () => {
  it('the list state reads from the query and writes back without defaults', () => {
    expect(parseListQuery('')).toEqual({ q: '', tag: '', sort: 'name' });
    expect(parseListQuery('q=ada+love&tag=Book%20Club&sort=favorites')).toEqual({ q: 'ada love', tag: 'Book Club', sort: 'favorites' });
    expect(listSearch({ q: 'ada love', tag: 'Book Club', sort: 'favorites' })).toBe('?q=ada+love&tag=Book+Club&sort=favorites');
    expect(listSearch({ q: '', tag: '', sort: 'name' })).toBe('');
    // A hand-edited or stale link never reaches the API with a sort it refuses.
    expect(parseListQuery('sort=drop-table').sort).toBe('name');
    // Round trip of what a person can type.
    const typed = { q: 'a&b=c #1 ?', tag: 'ünïcode/tag', sort: '-updatedAt' as const };
    expect(parseListQuery(listSearch(typed).slice(1))).toEqual(typed);
  });

  it('a contact id is one path segment whatever it holds', () => {
    expect(paths.contact('abc')).toBe('/contacts/abc');
    expect(paths.edit('../account')).toBe('/contacts/..%2Faccount/edit');
  });
});
