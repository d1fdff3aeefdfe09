/*
 * The label words of each list of a contact: the contract's enums. Their own
 * module, with no imports, so the web app takes the same lists without
 * bundling zod.
 */
export const EMAIL_LABELS = ['home', 'work', 'other'] as const;
export const PHONE_LABELS = ['mobile', 'home', 'work', 'other'] as const;
export const ADDRESS_LABELS = ['home', 'work', 'other'] as const;
export const URL_LABELS = ['home', 'work', 'other'] as const;
// Google Contacts' relation types (its CSV and People API), which cover
// Apple's X-ABRELATEDNAMES built-ins; vCard 4 RELATED types map onto them.
export const RELATED_LABELS = [
  'spouse',
  'partner',
  'child',
  'mother',
  'father',
  'parent',
  'brother',
  'sister',
  'sibling',
  'friend',
  'relative',
  'manager',
  'assistant',
  'other',
] as const;
