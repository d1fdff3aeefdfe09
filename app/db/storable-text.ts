// PostgreSQL text and jsonb cannot hold U+0000, and jsonb refuses a lone
// surrogate ("\ud800" is valid JSON text but not Unicode): both were 500s.
// A zod regex check for every text that is stored or sent to the database.
export const STORABLE_TEXT = [
  // eslint-disable-next-line no-control-regex -- matching NUL is the point
  /^(?:[^\u0000\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/,
  'must not contain NUL characters or unpaired surrogates',
] as const;
