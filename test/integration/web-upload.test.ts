import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cacheControl, contentType, uploadDirectory } from '../../scripts/upload-web.mjs';
import { ROOT } from '../support/process.ts';
import { s3Client } from './support/aws.ts';

/*
 * The web build uploads to S3 at the endpoint and comes back byte-exact with
 * the right Content-Type and Cache-Control. Uses web/dist when it has been
 * built (npm run build:web), else a stand-in build with the same kinds of files.
 */
const s3 = s3Client();
const bucket = `contactfolio-web-it-${randomBytes(4).toString('hex')}`;
let dir: string;

function standInBuild(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'cf-web-'));
  mkdirSync(path.join(d, 'assets'));
  writeFileSync(
    path.join(d, 'index.html'),
    '<!doctype html><html lang="en"><title>contactfolio</title><script type="module" src="/assets/index-3f2a9c1b.js"></script>é</html>',
  );
  writeFileSync(path.join(d, 'assets/index-3f2a9c1b.js'), `console.log(${JSON.stringify('Zoë ' + 'x'.repeat(5000))});`);
  writeFileSync(path.join(d, 'assets/index-77aa00ff.css'), 'body{font-family:system-ui}');
  writeFileSync(path.join(d, 'favicon.png'), randomBytes(2048)); // binary: every byte value
  writeFileSync(path.join(d, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return d;
}

function filesUnder(d: string): string[] {
  return readdirSync(d).flatMap((n) =>
    statSync(path.join(d, n)).isDirectory() ? filesUnder(path.join(d, n)).map((f) => `${n}/${f}`) : [n],
  );
}

beforeAll(async () => {
  const built = path.join(ROOT, 'web/dist');
  dir = existsSync(path.join(built, 'index.html')) ? built : standInBuild();
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(async () => {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  for (const o of listed.Contents ?? []) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key! }));
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
});

it('uploads the web build and serves every file back byte-exact with its type and caching', async () => {
  const keys = await uploadDirectory({ dir, bucket, client: s3 });
  const files = filesUnder(dir).sort();
  expect(keys.sort()).toEqual(files);
  expect(files).toContain('index.html');
  for (const key of files) {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = Buffer.from(await got.Body!.transformToByteArray());
    expect(body.equals(readFileSync(path.join(dir, key))), key).toBe(true);
    expect(got.ContentType, key).toBe(contentType(key));
    expect(got.CacheControl, key).toBe(cacheControl(key));
  }
  expect(cacheControl('index.html')).toBe('no-cache');
  expect(cacheControl('assets/index-3f2a9c1b.js')).toBe('public, max-age=31536000, immutable');
});

it("a second release keeps the previous release's assets (a cached index.html still finds them) and puts index.html last", async () => {
  const release = (hash: string) => {
    const d = mkdtempSync(path.join(tmpdir(), 'cf-web-'));
    mkdirSync(path.join(d, 'assets'));
    writeFileSync(path.join(d, 'index.html'), `<!doctype html><script type="module" src="/assets/index-${hash}.js"></script>`);
    writeFileSync(path.join(d, `assets/index-${hash}.js`), `console.log(${JSON.stringify(hash)});`);
    writeFileSync(path.join(d, 'robots.txt'), ''); // listed after index.html: the order must not be the directory's
    return d;
  };
  const putOrder: string[] = [];
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'PutObjectCommand') putOrder.push((args.input as { Key: string }).Key);
      return next(args);
    },
    { step: 'initialize', name: 'recordPutOrder' },
  );
  try {
    await uploadDirectory({ dir: release('aaaa1111'), bucket, client: s3 });
    putOrder.length = 0;
    await uploadDirectory({ dir: release('bbbb2222'), bucket, client: s3 });
  } finally {
    s3.middlewareStack.remove('recordPutOrder');
  }
  expect(putOrder).toEqual(['assets/index-bbbb2222.js', 'robots.txt', 'index.html']);
  const old = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'assets/index-aaaa1111.js' }));
  expect(await old.Body!.transformToString()).toBe('console.log("aaaa1111");');
  const index = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'index.html' }));
  expect(await index.Body!.transformToString()).toContain('index-bbbb2222.js');
});
