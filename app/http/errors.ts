/*
 * Every problem code the API answers with, its HTTP status and title: the
 * one list the routes throw from (HttpProblem), the OpenAPI document
 * describes, and the web app's messages are keyed by. No imports, so the web
 * bundle can use it as it is. `title` is the status's reason phrase, as every
 * response has sent it (RFC 9457 3.1.3: the same for every occurrence of a type).
 */
export const ERRORS = {
  validation_failed: { status: 400, title: 'Bad Request', means: 'A field of the body is not valid; `errors` names each' },
  invalid_query: { status: 400, title: 'Bad Request', means: 'A query parameter is not valid; `errors` names each' },
  invalid_cursor: { status: 400, title: 'Bad Request', means: 'The cursor is not one this API gave for this sort' },
  malformed_json: { status: 400, title: 'Bad Request', means: 'The body is not JSON' },
  invalid_utf8: { status: 400, title: 'Bad Request', means: 'The body is not valid UTF-8' },
  invalid_content_encoding: { status: 400, title: 'Bad Request', means: 'The body could not be decoded as its Content-Encoding says' },
  request_aborted: { status: 400, title: 'Bad Request', means: 'The client stopped sending the body' },
  body_length_mismatch: { status: 400, title: 'Bad Request', means: 'The body is shorter or longer than its Content-Length' },
  unparseable_import: { status: 400, title: 'Bad Request', means: 'The import file could not be read' },
  invalid_xml: { status: 400, title: 'Bad Request', means: 'A CardDAV request body is not well-formed XML, or carries a DTD' },
  unauthenticated: { status: 401, title: 'Unauthorized', means: 'No session, or it has ended' },
  invalid_credentials: { status: 401, title: 'Unauthorized', means: 'Wrong email or password' },
  origin_not_allowed: { status: 403, title: 'Forbidden', means: 'A browser request from an origin other than CORS_ORIGIN' },
  user_limit_reached: { status: 403, title: 'Forbidden', means: 'MAX_USERS accounts exist' },
  contact_limit_reached: { status: 403, title: 'Forbidden', means: 'MAX_CONTACTS_PER_USER contacts exist' },
  app_password_limit_reached: { status: 403, title: 'Forbidden', means: 'The account has as many app passwords as it may; revoke one' },
  insecure_transport: { status: 403, title: 'Forbidden', means: 'An app password sent over plain HTTP; CardDAV needs HTTPS' },
  wrong_password: { status: 403, title: 'Forbidden', means: 'The current password given is not right' },
  not_found: { status: 404, title: 'Not Found', means: 'No such contact (also for another user’s) or route' },
  email_taken: { status: 409, title: 'Conflict', means: 'An account with this email exists' },
  precondition_failed: { status: 412, title: 'Precondition Failed', means: 'If-Match does not match: the contact changed' },
  payload_too_large: { status: 413, title: 'Content Too Large', means: 'The body is over its limit' },
  unsupported_media_type: { status: 415, title: 'Unsupported Media Type', means: 'The body is not a type this route reads' },
  too_many_attempts: { status: 429, title: 'Too Many Requests', means: 'A sign-in or sign-up limit; see Retry-After' },
  internal_error: { status: 500, title: 'Internal Server Error', means: 'A bug; the log has the request id' },
  database_unavailable: { status: 503, title: 'Service Unavailable', means: 'PostgreSQL did not answer in time; see Retry-After' },
  sessions_unavailable: { status: 503, title: 'Service Unavailable', means: 'Redis did not answer in time; see Retry-After' },
  server_busy: { status: 503, title: 'Service Unavailable', means: 'The password-hashing queue is full; see Retry-After' },
} as const satisfies Record<string, { status: number; title: string; means: string }>;

export type ErrorCode = keyof typeof ERRORS;
