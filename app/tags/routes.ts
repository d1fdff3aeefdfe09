import { Router } from 'express';
import { requireUser, userIdOf } from '../auth/session.ts';
import type { ContactStore } from '../contacts/store.ts';
import type { TagList } from './schemas.ts';

/** GET /v1/tags: every tag of the user's contacts with how many carry it, by name (for pickers and filters). */
export function tagRoutes(deps: { contacts: ContactStore }): Router {
  const router = Router();
  router.get('/', requireUser, async (req, res) => {
    res.json({ tags: await deps.contacts.tags(userIdOf(req)) } satisfies TagList);
  });
  return router;
}
