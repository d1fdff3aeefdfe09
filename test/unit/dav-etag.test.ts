import { describe, expect, it } from 'vitest';
import { contactEtag, failedPrecondition, parseEtags } from '../../app/carddav/etag.ts';

const id = '0b9c7a52-4a51-4f0e-9a8e-2f0f7d4c1e11';
const current = contactEtag(id, 3);

describe('card ETags and conditional requests (RFC 9110 13.1)', () => {
  it('names the contact as well as its version, so a card made again under one name has a new tag', () => {
    expect(current).toBe(`"${id}-3"`);
    expect(contactEtag('5d1d3f8e-0c0e-4d7c-8a55-3b7f4a2c9e01', 3)).not.toBe(current);
  });

  it('reads "*", lists, weak tags, and nothing from a field that holds no tag', () => {
    expect(parseEtags(undefined)).toBeUndefined();
    expect(parseEtags(' * ')).toBe('*');
    expect(parseEtags(`"a", W/"b" ,"c"`)).toEqual([
      { tag: '"a"', weak: false },
      { tag: '"b"', weak: true },
      { tag: '"c"', weak: false },
    ]);
    expect(parseEtags('v3')).toEqual([]);
  });

  it('If-Match: the strong comparison, so a weak or merely similar tag fails', () => {
    expect(failedPrecondition({ ifMatch: parseEtags(current) }, current)).toBeNull();
    expect(failedPrecondition({ ifMatch: parseEtags(`"x", ${current}`) }, current)).toBeNull();
    expect(failedPrecondition({ ifMatch: parseEtags(`W/${current}`) }, current)).toBe('if-match');
    expect(failedPrecondition({ ifMatch: parseEtags(`"${id}-03"`) }, current)).toBe('if-match');
    expect(failedPrecondition({ ifMatch: parseEtags('garbage') }, current)).toBe('if-match');
    expect(failedPrecondition({ ifMatch: '*' }, current)).toBeNull();
    expect(failedPrecondition({ ifMatch: '*' }, null)).toBe('if-match');
  });

  it('If-None-Match: the weak comparison; "*" fails on any existing card', () => {
    expect(failedPrecondition({ ifNoneMatch: '*' }, null)).toBeNull();
    expect(failedPrecondition({ ifNoneMatch: '*' }, current)).toBe('if-none-match');
    expect(failedPrecondition({ ifNoneMatch: parseEtags(`W/${current}`) }, current)).toBe('if-none-match');
    expect(failedPrecondition({ ifNoneMatch: parseEtags('"other"') }, current)).toBeNull();
  });

  it('If-Match is evaluated first (13.2.2)', () => {
    expect(failedPrecondition({ ifMatch: parseEtags('"other"'), ifNoneMatch: '*' }, current)).toBe('if-match');
  });
});
