import { Router, type Request, type Response } from 'express';
import { requireUser, userIdOf } from '../auth/session.ts';
import { jsonBody, rawBody, requireContentType } from '../http/middleware.ts';
import { csvFormat, IMPORT_LIMIT, IMPORT_TYPES, readImportBody, vcardFormat } from './formats.ts';
import { HttpProblem } from '../http/problem.ts';
import { parseBody, parseQuery } from '../http/validate.ts';
import {
  contactCreateSchema,
  contactIdSchema,
  contactPatchSchema,
  exportQuerySchema,
  IDENTITY_MESSAGE,
  importQuerySchema,
  listQuerySchema,
  mergeRequestSchema,
  type DuplicateGroups,
} from './schemas.ts';
import { duplicateGroups } from './duplicates.ts';
import { importContacts } from './import.ts';
import type { ContactStore, StoredContact } from './store.ts';

export interface ContactRouteDeps {
  contacts: ContactStore;
  maxContactsPerUser: number;
}

const etag = (s: StoredContact) => `"v${s.version}"`;

/** If-Match: "*" or a list of our strong ETags; anything else matches nothing. */
function ifMatch(req: Request): number[] | '*' | undefined {
  const header = req.get('if-match');
  return header === undefined ? undefined : parseIfMatch(header);
}

function parseIfMatch(header: string): number[] | '*' {
  if (header.trim() === '*') return '*';
  return header
    .split(',')
    .map((t) => /^\s*"v(\d+)"\s*$/.exec(t)?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number);
}

function contactId(req: Request): string {
  // A malformed id cannot name a contact: 404, not 400 or 500 (contract).
  const parsed = contactIdSchema.safeParse(req.params.id);
  if (!parsed.success) throw notFound();
  return parsed.data;
}

const notFound = () => new HttpProblem('not_found', 'No such contact.');

function sendContact(res: Response, stored: StoredContact, status = 200): void {
  res.status(status).setHeader('ETag', etag(stored)).json(stored.contact);
}

export function contactRoutes({ contacts, maxContactsPerUser }: ContactRouteDeps): Router {
  const router = Router();
  router.use(requireUser);

  const limitReached = () => new HttpProblem('contact_limit_reached', `You have reached the limit of ${maxContactsPerUser} contacts.`);

  router.get('/', async (req, res) => {
    const query = parseQuery(listQuerySchema, req.query);
    const page = await contacts.list(userIdOf(req), query);
    // The items are JSON text from PostgreSQL; only the envelope is written here.
    res.type('application/json').send(`{"items":${page.itemsJson},"nextCursor":${JSON.stringify(page.nextCursor)},"total":${page.total}}`);
  });

  router.post('/', requireContentType(['application/json']), jsonBody, async (req, res) => {
    const draft = parseBody(contactCreateSchema, req.body);
    const created = await contacts.create(userIdOf(req), draft);
    if (!created) throw limitReached();
    res.location(`${req.baseUrl}/${created.contact.id}`);
    sendContact(res, created, 201);
  });

  router.get('/export', async (req, res) => {
    const { format, version } = parseQuery(exportQuerySchema, req.query);
    const all = await contacts.all(userIdOf(req));
    const stamp = new Date().toISOString().slice(0, 10);
    if (format === 'csv') {
      const { contactsToCsv } = await csvFormat();
      res.attachment(`contacts-${stamp}.csv`).type('text/csv; charset=utf-8').send(contactsToCsv(all));
    } else {
      const { contactToVCard } = await vcardFormat();
      res
        .attachment(`contacts-${stamp}.vcf`)
        .type('text/vcard; charset=utf-8')
        .send(all.map((c) => contactToVCard(c, version)).join(''));
    }
  });

  router.post('/import', requireContentType(IMPORT_TYPES), rawBody(IMPORT_TYPES, IMPORT_LIMIT), async (req, res) => {
    const { duplicates } = parseQuery(importQuerySchema, req.query);
    const { text, parser } = await readImportBody(req);
    res.json(await importContacts({ contacts, maxContactsPerUser }, userIdOf(req), text, parser, duplicates));
  });

  router.get('/duplicates', async (req, res) => {
    const stored = await contacts.allStored(userIdOf(req));
    const version = new Map(stored.map((s) => [s.contact.id, s]));
    const groups = duplicateGroups(stored.map((s) => s.contact)).map((g) => ({
      ...g,
      etags: g.contacts.map((c) => etag(version.get(c.id)!)),
    }));
    res.json({ groups } satisfies DuplicateGroups);
  });

  router.post('/:id/merge', requireContentType(['application/json']), jsonBody, async (req, res) => {
    const id = contactId(req);
    const { others } = parseBody(mergeRequestSchema, req.body);
    const ids = others.map((o) => o.id);
    if (ids.includes(id) || new Set(ids).size !== ids.length) {
      throw new HttpProblem('validation_failed', 'Each contact can be merged once, and not into itself.', {
        errors: [{ path: 'others', message: 'must name other contacts, each once' }],
      });
    }
    const outcome = await contacts.merge(
      userIdOf(req),
      id,
      others.map((o) => ({ id: o.id, versions: o.etag === undefined ? undefined : parseIfMatch(o.etag) })),
      ifMatch(req),
    );
    if (outcome.ok) return sendContact(res, outcome.stored);
    switch (outcome.reason) {
      case 'not_found':
        throw notFound();
      case 'precondition_failed':
        throw new HttpProblem('precondition_failed', `Contact ${outcome.id} has changed since you read it; reload and retry.`);
      case 'too_large':
        throw new HttpProblem('validation_failed', `The merged contact would go over a limit: ${outcome.problem}.`, {
          errors: [{ path: 'others', message: outcome.problem }],
        });
    }
  });

  router.get('/:id', async (req, res) => {
    const stored = await contacts.get(userIdOf(req), contactId(req));
    if (!stored) throw notFound();
    sendContact(res, stored); // Express answers a matching If-None-Match with 304.
  });

  router.patch('/:id', requireContentType(['application/json', 'application/merge-patch+json']), jsonBody, async (req, res) => {
    const id = contactId(req);
    const patch = parseBody(contactPatchSchema, req.body);
    const outcome = await contacts.update(userIdOf(req), id, patch, ifMatch(req));
    if (outcome.ok) return sendContact(res, outcome.stored);
    switch (outcome.reason) {
      case 'not_found':
        throw notFound();
      case 'precondition_failed':
        throw new HttpProblem('precondition_failed', 'The contact has changed since you read it; reload and retry.');
      case 'no_identity':
        throw new HttpProblem('validation_failed', 'The change would leave the contact without a name.', {
          errors: [{ path: '', message: IDENTITY_MESSAGE }],
        });
    }
  });

  router.delete('/:id', async (req, res) => {
    if (!(await contacts.delete(userIdOf(req), contactId(req)))) throw notFound();
    res.status(204).end();
  });

  return router;
}
