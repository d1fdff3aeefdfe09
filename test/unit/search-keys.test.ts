import { describe, expect, it } from 'vitest';
import { contactCreateSchema } from '../../app/contacts/schemas.ts';
import { escapeLike, fold, SEARCH_KEYS_VERSION, searchKeys } from '../../app/contacts/search-keys.ts';

describe('search keys', () => {
  it('folds case and accents, including letters NFKD does not decompose', () => {
    expect(fold('Zoë ØRSTED Łódź Straße Æsir Đorđe')).toBe('zoe orsted lodz strasse aesir dorde');
  });

  it('derives search text, phone digits and the name sort key', () => {
    const draft = contactCreateSchema.parse({
      firstName: 'Émile',
      lastName: 'Zola',
      emails: [{ value: 'E.Zola@Example.fr' }],
      phones: [{ value: '+33 (1) 23-45' }, { value: '06 00' }],
      jobTitle: 'Romancier',
      addresses: [{ street: '21 bis rue de Bruxelles', city: 'Paris', postalCode: '75009' }],
      tags: ['Écrivain', 'écrivain', 'Naturalisme'],
      notes: 'Wrote “J’accuse…!”',
    });
    // Tags keep the case first typed; a second spelling of one tag is dropped.
    expect(draft.tags).toEqual(['Écrivain', 'Naturalisme']);
    expect(searchKeys(draft)).toEqual({
      searchText:
        'emile zola romancier e.zola@example.fr +33 (1) 23-45 06 00 21 bis rue de bruxelles paris 75009 ecrivain naturalisme wrote “j’accuse...!”', // NFKD spells the ellipsis as three dots
      phoneDigits: '3312345 0600',
      sortName: 'zola emile',
      tagKeys: ['écrivain', 'naturalisme'],
      keysVersion: SEARCH_KEYS_VERSION,
    });
    expect(searchKeys(contactCreateSchema.parse({ company: 'Ärzte GmbH' })).sortName).toBe('arzte gmbh');
    expect(searchKeys(contactCreateSchema.parse({ emails: [{ value: 'only@mail.example' }] })).sortName).toBe('only@mail.example');
  });

  it('escapes LIKE wildcards and the escape character', () => {
    expect(escapeLike('50%_off\\now')).toBe('50\\%\\_off\\\\now');
  });
});
