import { Router } from 'express';
import { z } from 'zod';
import type { UserStore } from '../auth/store.ts';
import { requireUser, userIdOf } from '../auth/session.ts';
import type { ContactStore } from '../contacts/store.ts';

export const limitsSchema = z
  .object({
    maxUsers: z.number().int(),
    users: z.number().int(),
    maxContactsPerUser: z.number().int(),
    contacts: z.number().int(),
  })
  .meta({ id: 'Limits' });

export function limitsRoutes(deps: { users: UserStore; contacts: ContactStore; maxUsers: number; maxContactsPerUser: number }): Router {
  const router = Router();
  router.get('/', requireUser, async (req, res) => {
    const [users, contacts] = await Promise.all([deps.users.count(), deps.contacts.count(userIdOf(req))]);
    const body: z.infer<typeof limitsSchema> = {
      maxUsers: deps.maxUsers,
      users,
      maxContactsPerUser: deps.maxContactsPerUser,
      contacts,
    };
    res.json(body);
  });
  return router;
}
