import type { ContactDraft } from './schemas.ts';

// Only a type import: the web app uses these too, without bundling the schemas.

type Named = Pick<
  ContactDraft,
  'prefix' | 'firstName' | 'middleName' | 'lastName' | 'suffix' | 'nickname' | 'company' | 'emails' | 'phones'
>;

/** "Dr. Ada King Lovelace Jr.": every name part that is set, in order. */
function fullName(c: Pick<ContactDraft, 'prefix' | 'firstName' | 'middleName' | 'lastName' | 'suffix'>): string {
  return [c.prefix, c.firstName, c.middleName, c.lastName, c.suffix].filter(Boolean).join(' ');
}

/** The name a person would read for a contact: its full name, else nickname, company, email or phone. */
export function displayName(c: Named): string {
  return fullName(c) || c.nickname || c.company || c.emails[0]?.value || c.phones[0]?.value || '';
}
