import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/*
 * zod for the whole app: Zod Mini, with zod's English messages (which the
 * full `zod` package installs for itself). The full package cannot be
 * tree-shaken: it was 450 KB of the 1.9 MB a Lambda cold start compiled,
 * and its import alone took about 15 ms on Node 24; the parts of Zod Mini
 * the app uses are about 80 KB. Same core, same checks, same messages; the
 * schemas are written with functions (z.optional(s)) instead of methods.
 */
config(en());

export * from 'zod/mini';
