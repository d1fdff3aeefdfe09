import { setFlagsFromString } from 'node:v8';

/*
 * V8 settings for a 512 MiB task, imported first by the entry points: Prisma's
 * wasm on the baseline compiler only, and a heap that grows by a quarter
 * (peak RSS 210 -> 150 MiB). Set at run time so every way of starting gets them. See docs/performance.md.
 */
setFlagsFromString('--liftoff-only');
setFlagsFromString('--heap-growing-percent=25');
