import { Router } from 'express';
import * as z from '../zod.ts';
import type { UserStore } from '../auth/store.ts';
import { requireUser, userIdOf } from '../auth/session.ts';
import type { ContactStore } from '../contacts/store.ts';

export const limitsSchema = z
  .object({
    maxUsers: z.int(),
    users: z.int(),
    maxContactsPerUser: z.int(),
    contacts: z.int(),
  })
  .register(z.globalRegistry, { id: 'Limits' });

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
