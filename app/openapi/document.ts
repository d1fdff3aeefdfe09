import * as z from '../zod.ts';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { loginSchema, passwordChangeSchema, profileSchema, signupSchema, userEnvelopeSchema } from '../auth/schemas.ts';
import {
  contactCreateSchema,
  contactListSchema,
  contactPatchSchema,
  contactSchema,
  duplicateGroupsSchema,
  exportQuerySchema,
  importQuerySchema,
  importResultSchema,
  listQuerySchema,
  mergeRequestSchema,
} from '../contacts/schemas.ts';
import { IMPORT_LIMIT, IMPORT_TYPES } from '../contacts/formats.ts';
import { healthSchema, livenessSchema } from '../health/handlers.ts';
import { limitsSchema } from '../limits/schemas.ts';
import { tagListSchema } from '../tags/schemas.ts';
import { appPasswordCreateSchema, appPasswordListSchema, MAX_APP_PASSWORDS, newAppPasswordSchema } from '../carddav/app-passwords.ts';
import { ERRORS, type ErrorCode } from '../http/errors.ts';
import { problemSchema } from '../http/problem.ts';

/*
 * Built from the same zod schemas that validate requests, so the document
 * cannot drift from what the server accepts.
 */

/** A problem answer: its codes from the registry (app/http/errors.ts), each with what it means, and a note. */
const problem = (codes: ErrorCode[], note?: string) => ({
  description: [codes.map((c) => `\`${c}\`: ${ERRORS[c].means}`).join('; '), note].filter(Boolean).join('. '),
  content: { 'application/problem+json': { schema: problemSchema } },
});

const common: ZodOpenApiResponsesObject = {
  '400': problem(['validation_failed', 'malformed_json', 'invalid_query', 'invalid_utf8']),
  '401': problem(['unauthenticated']),
  '403': problem(['origin_not_allowed']),
  '503': problem(['database_unavailable', 'sessions_unavailable']),
};

const json = <S extends z.ZodMiniType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const id = z.object({ id: z.uuid().register(z.globalRegistry, { description: 'Contact id (a malformed id is a 404)' }) });
const etagHeader = { ETag: { description: 'Strong validator for If-Match', schema: { type: 'string' as const } } };

function op(o: ZodOpenApiOperationObject, auth = true): ZodOpenApiOperationObject {
  return { ...o, security: auth ? [{ session: [] }] : [], responses: { ...common, ...o.responses } };
}

export function buildOpenApiDocument(version: string) {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'contactfolio API',
      version,
      description: 'Contacts with server-side sessions. Errors are RFC 9457 problem documents with a stable `code`.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'cf.sid' } },
    },
    paths: {
      '/health': {
        get: op(
          {
            summary: 'Readiness: the app can reach its database and session store (each checked within 2 s); never sets a cookie',
            responses: { '200': json(healthSchema, 'All checks pass'), '503': json(healthSchema, 'A check failed') },
          },
          false,
        ),
      },
      '/health/live': {
        get: op(
          {
            summary:
              'Liveness: the process answers, whatever its dependencies do (the load balancer and container health checks); never sets a cookie',
            responses: { '200': json(livenessSchema, 'The process serves') },
          },
          false,
        ),
      },
      '/v1/auth/signup': {
        post: op(
          {
            summary: 'Create an account and sign in',
            requestBody: { content: { 'application/json': { schema: signupSchema } } },
            responses: {
              '201': json(userEnvelopeSchema, 'Signed up; a session cookie (and a device cookie, see login) is set'),
              '403': problem(['user_limit_reached', 'origin_not_allowed']),
              '409': problem(['email_taken']),
              '429': problem(['too_many_attempts'], 'Too many sign-ups from this address'),
              '503': problem(['database_unavailable', 'sessions_unavailable', 'server_busy'], 'No account is created'),
            },
          },
          false,
        ),
      },
      '/v1/auth/login': {
        post: op(
          {
            summary: 'Sign in (a new session id is issued)',
            requestBody: { content: { 'application/json': { schema: loginSchema } } },
            responses: {
              '200': json(
                userEnvelopeSchema,
                'Signed in; the browser also gets a device cookie that exempts it from the account-wide attempt limit',
              ),
              '401': problem(['invalid_credentials']),
              '429': problem(['too_many_attempts'], 'Counted per account and address, per address, and per account from unknown browsers'),
              '503': problem(['database_unavailable', 'sessions_unavailable', 'server_busy']),
            },
          },
          false,
        ),
      },
      '/v1/auth/logout': {
        post: op(
          { summary: 'Sign out; the session is deleted from the store', responses: { '204': { description: 'Signed out' } } },
          false,
        ),
      },
      '/v1/auth/logout-all': {
        post: op({
          summary: 'Sign out everywhere: every session of the account ends, this one included',
          responses: { '204': { description: 'Signed out everywhere' }, '503': problem(['sessions_unavailable']) },
        }),
      },
      '/v1/auth/password': {
        post: op({
          summary: 'Change the password; every other session of the account ends, this one continues under a new id',
          requestBody: { content: { 'application/json': { schema: passwordChangeSchema } } },
          responses: {
            '200': json(userEnvelopeSchema, 'Changed'),
            '403': problem(['wrong_password'], 'Counted like a failed sign-in'),
            '429': problem(['too_many_attempts']),
            '503': problem(['database_unavailable', 'sessions_unavailable', 'server_busy']),
          },
        }),
      },
      '/v1/auth/me': {
        get: op({ summary: 'The signed-in user', responses: { '200': json(userEnvelopeSchema, 'The user') } }),
        patch: op({
          summary: 'Change the name',
          requestBody: { content: { 'application/json': { schema: profileSchema } } },
          responses: { '200': json(userEnvelopeSchema, 'The user, changed') },
        }),
        delete: op({
          summary: 'Delete the account, all its contacts and the session (frees a place under MAX_USERS)',
          responses: { '204': { description: 'Deleted' } },
        }),
      },
      '/v1/limits': { get: op({ summary: 'Deployment and personal caps', responses: { '200': json(limitsSchema, 'Limits and usage') } }) },
      '/v1/contacts': {
        get: op({
          summary: 'List, search and page through contacts',
          requestParams: { query: listQuerySchema },
          responses: { '200': json(contactListSchema, 'One page') },
        }),
        post: op({
          summary: 'Create a contact',
          requestBody: { content: { 'application/json': { schema: contactCreateSchema } } },
          responses: {
            '201': { ...json(contactSchema, 'Created'), headers: { ...etagHeader, Location: { schema: { type: 'string' } } } },
            '403': problem(['contact_limit_reached']),
            '413': problem(['payload_too_large'], 'Over 1 MiB'),
            '415': problem(['unsupported_media_type'], 'Not application/json'),
          },
        }),
      },
      '/v1/contacts/export': {
        get: op({
          summary: 'Export every contact',
          requestParams: { query: exportQuerySchema },
          responses: {
            '200': {
              description:
                'vCard 3.0 or 4.0 (`version`; one VCARD per contact, custom labels as Apple item groups) or CSV in Google Contacts columns, several values of one label joined with " ::: " as Google does',
              content: { 'text/vcard': { schema: { type: 'string' } }, 'text/csv': { schema: { type: 'string' } } },
            },
          },
        }),
      },
      '/v1/contacts/import': {
        post: op({
          summary: `Import vCard 2.1/3.0/4.0, or Google or Outlook CSV (up to ${IMPORT_LIMIT}); contacts already there are merged, skipped or created again as \`duplicates\` says; imports up to the contact limit and reports the rest in words`,
          requestParams: { query: importQuerySchema },
          requestBody: {
            content: Object.fromEntries(IMPORT_TYPES.map((t) => [t, { schema: { type: 'string' } }])),
          },
          responses: {
            '200': json(importResultSchema, 'What was imported, merged, left unchanged or skipped, and why'),
            '413': problem(['payload_too_large'], `Over ${IMPORT_LIMIT}`),
            '415': problem(['unsupported_media_type'], 'Not a vCard or CSV content type'),
          },
        }),
      },
      '/v1/app-passwords': {
        get: op({
          summary:
            'The app passwords CardDAV clients sign in with (/dav, HTTP Basic: the email and one of these); never the passwords themselves',
          responses: { '200': json(appPasswordListSchema, 'Oldest first') },
        }),
        post: op({
          summary: `Create one, named after its device; the password is in this answer only. At most ${MAX_APP_PASSWORDS} per account`,
          requestBody: { content: { 'application/json': { schema: appPasswordCreateSchema } } },
          responses: {
            '201': json(newAppPasswordSchema, 'The app password, with `password` (shown once)'),
            '403': problem(['origin_not_allowed', 'app_password_limit_reached']),
          },
        }),
      },
      '/v1/app-passwords/{id}': {
        delete: op({
          summary: 'Revoke one: the device it was given to can no longer sync',
          requestParams: { path: z.object({ id: z.uuid() }) },
          responses: { '204': { description: 'Revoked' }, '404': problem(['not_found']) },
        }),
      },
      '/v1/tags': {
        get: op({
          summary: "Every tag of the user's contacts, with how many contacts carry it, by name",
          responses: { '200': json(tagListSchema, 'The tags') },
        }),
      },
      '/v1/contacts/duplicates': {
        get: op({
          summary:
            'Groups of contacts that are likely one person: a shared email, a shared phone number, or the same name without an email or phone that says otherwise',
          responses: { '200': json(duplicateGroupsSchema, 'The groups, each contact in one group at most') },
        }),
      },
      '/v1/contacts/{id}/merge': {
        post: op({
          summary:
            'Merge other contacts into this one and delete them, in one transaction: emails, phones, addresses, web addresses, related people and tags united; names kept, other values added to the notes; notes kept when one holds the other, else joined',
          requestParams: { path: id, header: z.object({ 'if-match': z.optional(z.string()) }) },
          requestBody: { content: { 'application/json': { schema: mergeRequestSchema } } },
          responses: {
            '200': { ...json(contactSchema, 'The merged contact'), headers: etagHeader },
            '400': problem(
              ['validation_failed'],
              'No others, the contact itself, one named twice, or a result over the caps (20 emails...)',
            ),
            '404': problem(['not_found'], 'This contact or one of the others'),
            '412': problem(['precondition_failed'], "If-Match or an other's etag no longer matches"),
          },
        }),
      },
      '/v1/contacts/{id}': {
        get: op({
          summary: 'One contact',
          requestParams: { path: id },
          responses: { '200': { ...json(contactSchema, 'The contact'), headers: etagHeader }, '404': problem(['not_found']) },
        }),
        patch: op({
          summary: 'Change some fields (arrays replace the stored list); optional If-Match',
          requestParams: { path: id, header: z.object({ 'if-match': z.optional(z.string()) }) },
          requestBody: { content: { 'application/json': { schema: contactPatchSchema } } },
          responses: {
            '200': { ...json(contactSchema, 'Updated'), headers: etagHeader },
            '404': problem(['not_found']),
            '412': problem(['precondition_failed']),
          },
        }),
        delete: op({
          summary: 'Delete a contact',
          requestParams: { path: id },
          responses: { '204': { description: 'Deleted' }, '404': problem(['not_found']) },
        }),
      },
    },
  });
}
