/*
 * Entity tags of cards and the conditional requests on them (RFC 9110
 * 8.8.3, 13.1.1, 13.1.2).
 */

/**
 * A card's strong ETag: its contact's id and version. The version alone
 * ("v1") would come back when a card is deleted and created again under the
 * same name, and a client's If-Match from the old card would pass on the new one.
 */
export const contactEtag = (id: string, version: number) => `"${id}-${version}"`;

/** An If-Match or If-None-Match field: "*" or a list of entity tags. */
export type EtagList = '*' | { tag: string; weak: boolean }[];

// RFC 9110 8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE; etagc excludes DQUOTE, spaces and controls.
const ENTITY_TAG = /(W\/)?("[\x21\x23-\x7e\x80-\xff]*")/g;

export function parseEtags(field: string | undefined): EtagList | undefined {
  if (field === undefined) return undefined;
  if (field.trim() === '*') return '*';
  // A field with no valid tag matches nothing (If-Match then fails, If-None-Match holds).
  return [...field.matchAll(ENTITY_TAG)].map((m) => ({ tag: m[2]!, weak: Boolean(m[1]) }));
}

export interface Preconditions {
  ifMatch?: EtagList;
  ifNoneMatch?: EtagList;
}

/** Which precondition fails for a resource whose tag is `current` (null: it does not exist), if any. */
export function failedPrecondition({ ifMatch, ifNoneMatch }: Preconditions, current: string | null): 'if-match' | 'if-none-match' | null {
  // 13.1.1: If-Match uses the strong comparison: a weak tag never matches.
  if (ifMatch && (current === null || (ifMatch !== '*' && !ifMatch.some((t) => !t.weak && t.tag === current)))) return 'if-match';
  // 13.1.2: If-None-Match uses the weak comparison.
  if (ifNoneMatch && current !== null && (ifNoneMatch === '*' || ifNoneMatch.some((t) => t.tag === current))) return 'if-none-match';
  return null;
}
