import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/*
 * zod for the whole app: Zod Mini (functions, not methods: z.optional(s)) with
 * zod's English messages; the full package does not tree-shake (docs/performance.md).
 */
config(en());

export * from 'zod/mini';
