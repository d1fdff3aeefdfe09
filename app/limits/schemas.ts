import * as z from '../zod.ts';

export const limitsSchema = z
  .object({
    maxUsers: z.int(),
    users: z.int(),
    maxContactsPerUser: z.int(),
    contacts: z.int(),
  })
  .register(z.globalRegistry, { id: 'Limits' });

export type Limits = z.infer<typeof limitsSchema>;
