import { setFlagsFromString } from 'node:v8';

/*
 * V8 settings for a process that lives in a 512 MiB Fargate task (or a
 * Lambda function), imported first by those entry points. Both measured with
 * bench/ (list of 50 at 50 connections):
 *
 * --liftoff-only: Prisma's query compiler is a WebAssembly module. V8's
 *   optimizing tier recompiled it after the first queries and kept 45-60 MB
 *   more resident; throughput of Prisma reads was the same within noise.
 * --heap-growing-percent=25: after a full GC V8 lets the old generation grow
 *   to up to 4x what survived before collecting again; under load that was
 *   garbage promoted from in-flight requests, and the heap reached 110 MB
 *   around 25 MB of live data. Growing by a quarter keeps the heap near
 *   65 MB (peak RSS 210 -> 150 MiB) for about 3% of CPU in more full GCs.
 *
 * Both act on code and collections that happen after start-up, so setting
 * them at run time works (a command-line flag would not follow the bundle
 * into every way of starting it: npm start, the container, the benchmark).
 */
setFlagsFromString('--liftoff-only');
setFlagsFromString('--heap-growing-percent=25');
