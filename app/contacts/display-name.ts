import type { ContactDraft } from './schemas.ts';

type Named = Pick<ContactDraft, 'prefix' | 'firstName' | 'middleName' | 'lastName' | 'suffix' | 'nickname' | 'company' | 'emails' | 'phones'>;

/** The name a person would read for a contact: its full name, else nickname, company, email or phone. */
export function displayName(c: Named): string {
  return (
    [c.prefix, c.firstName, c.middleName, c.lastName, c.suffix].filter(Boolean).join(' ') ||
    c.nickname ||
    c.company ||
    c.emails[0]?.value ||
    c.phones[0]?.value ||
    ''
  );
}
