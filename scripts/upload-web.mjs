#!/usr/bin/env node
// Uploads a static web build to an S3 bucket with the right Content-Type and
// caching: index.html (and other HTML) revalidate on every load; hashed assets
// are immutable. Everything else goes up before the HTML, so a page never names
// an asset that is not there yet; nothing is ever deleted, so a browser holding
// the previous index.html still finds its assets. Honours AWS_ENDPOINT_URL
// (LocalStack) like every AWS SDK client.
//   node scripts/upload-web.mjs --dir web/dist --bucket contactfolio-web
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentType(file) {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export function cacheControl(key) {
  if (key.endsWith('.html')) return 'no-cache';
  // Vite names built assets with a content hash: assets/index-3f2a9c1b.js
  if (/^assets\/.+-[\w-]{8,}\.\w+$/.test(key)) return 'public, max-age=31536000, immutable';
  return 'public, max-age=300';
}

/** HTML last (index.html the very last), everything else first; stable otherwise. */
export function uploadOrder(keys) {
  const rank = (k) => (k === 'index.html' ? 2 : k.endsWith('.html') ? 1 : 0);
  return [...keys].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

// A deploy step that hangs holds the pipeline until GitHub's 6 h job limit:
// each attempt gives up after these (the SDK's defaults never do), and the
// SDK retries it.
const HTTP_TIMEOUTS = { connectionTimeout: 5_000, requestTimeout: 30_000 };

export async function uploadDirectory({
  dir,
  bucket,
  client = new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL), requestHandler: HTTP_TIMEOUTS }),
}) {
  const uploaded = [];
  const keys = uploadOrder(filesUnder(dir).map((file) => path.relative(dir, file).split(path.sep).join('/')));
  // One at a time, in that order: the HTML starts only once every asset is in.
  for (const key of keys) {
    const file = path.join(dir, ...key.split('/'));
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: readFileSync(file),
        ContentType: contentType(file),
        CacheControl: cacheControl(key),
      }),
    );
    uploaded.push(key);
  }
  return uploaded;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { dir: { type: 'string', default: 'web/dist' }, bucket: { type: 'string' } } });
  if (!values.bucket) {
    process.stderr.write('usage: upload-web.mjs --bucket NAME [--dir web/dist]\n');
    process.exit(2);
  }
  const keys = await uploadDirectory({ dir: values.dir, bucket: values.bucket });
  process.stdout.write(`uploaded ${keys.length} files to s3://${values.bucket}\n`);
}
