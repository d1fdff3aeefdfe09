import { Router } from 'express';
import * as z from '../zod.ts';
import { requireUser, userIdOf } from '../auth/session.ts';
import type { ContactStore } from '../contacts/store.ts';

export const tagListSchema = z
  .object({
    tags: z.array(
      z.object({
        name: z.string().register(z.globalRegistry, { description: 'As typed; when contacts spell it differently (Family, family), the most common spelling' }),
        count: z.int().register(z.globalRegistry, { description: 'Contacts with the tag, in any case' }),
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'TagList' });

export type TagList = z.infer<typeof tagListSchema>;

/** GET /v1/tags: every tag of the user's contacts with how many carry it, by name (for pickers and filters). */
export function tagRoutes(deps: { contacts: ContactStore }): Router {
  const router = Router();
  router.get('/', requireUser, async (req, res) => {
    res.json({ tags: await deps.contacts.tags(userIdOf(req)) } satisfies TagList);
  });
  return router;
}
