import * as z from '../zod.ts';

export const tagListSchema = z
  .object({
    tags: z.array(
      z.object({
        name: z.string().register(z.globalRegistry, {
          description: 'As typed; when contacts spell it differently (Family, family), the most common spelling',
        }),
        count: z.int().register(z.globalRegistry, { description: 'Contacts with the tag, in any case' }),
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'TagList' });

export type TagList = z.infer<typeof tagListSchema>;
