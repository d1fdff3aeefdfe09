import { describe, expect, it } from 'vitest';
import { contactCreateSchema } from '../../app/contacts/schemas.ts';
import { escapeLike, fold, searchKeys } from '../../app/contacts/search-keys.ts';

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
      tags: ['Écrivain'],
    });
    expect(searchKeys(draft)).toEqual({ searchText: 'emile zola e.zola@example.fr +33 (1) 23-45 06 00 ecrivain', phoneDigits: '3312345 0600', sortName: 'zola emile' });
    expect(searchKeys(contactCreateSchema.parse({ company: 'Ärzte GmbH' })).sortName).toBe('arzte gmbh');
    expect(searchKeys(contactCreateSchema.parse({ emails: [{ value: 'only@mail.example' }] })).sortName).toBe('only@mail.example');
  });

  it('escapes LIKE wildcards and the escape character', () => {
    expect(escapeLike('50%_off\\now')).toBe('50\\%\\_off\\\\now');
  });
});
