// One cold start: a fresh process loads a bundle and answers one event.
// argv: bundle path, event JSON. Prints timings as JSON.
import { pathToFileURL } from 'node:url';

const [bundle, eventJson] = process.argv.slice(2);
const t0 = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const t1 = performance.now();
const res = await handler(JSON.parse(eventJson), { awsRequestId: 'bench' });
const t2 = performance.now();
process.stdout.write(JSON.stringify({ status: res.statusCode, loadMs: t1 - t0, firstRequestMs: t2 - t1, sinceProcessStartMs: t2 }) + '\n');
process.exit(0);
