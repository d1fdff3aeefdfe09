import { Router } from 'express';
import type { UserStore } from '../auth/store.ts';
import { requireUser, userIdOf } from '../auth/session.ts';
import type { ContactStore } from '../contacts/store.ts';
import type { Limits } from './schemas.ts';

export function limitsRoutes(deps: { users: UserStore; contacts: ContactStore; maxUsers: number; maxContactsPerUser: number }): Router {
  const router = Router();
  router.get('/', requireUser, async (req, res) => {
    const [users, contacts] = await Promise.all([deps.users.count(), deps.contacts.count(userIdOf(req))]);
    const body: Limits = {
      maxUsers: deps.maxUsers,
      users,
      maxContactsPerUser: deps.maxContactsPerUser,
      contacts,
    };
    res.json(body);
  });
  return router;
}
