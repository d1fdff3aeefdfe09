import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import * as upload from '../../scripts/upload-web.mjs';

const { cacheControl, uploadDirectory } = upload;

/*
 * The pipeline's web release (deploy.yml step "upload"), against a client
 * that records what it is sent: a browser holding the previous index.html
 * must still find its hashed assets, and a new index.html must never name an
 * asset that is not uploaded yet. test/integration/web-upload.test.ts runs
 * the same against an S3 endpoint.
 */
function build(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cf-web-'));
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), body);
  }
  return dir;
}

function recordingClient() {
  const sent: { command: string; key: string; cacheControl?: string }[] = [];
  return {
    sent,
    client: {
      send: async (command: { constructor: { name: string }; input: { Key: string; CacheControl?: string } }) => {
        sent.push({ command: command.constructor.name, key: command.input.Key, cacheControl: command.input.CacheControl });
        return {};
      },
    },
  };
}

it('uploads every asset before any HTML, index.html last, and only ever puts (never deletes)', async () => {
  // Names chosen so that a plain alphabetical or directory order would put index.html before the assets.
  const dir = build({
    'index.html': '<!doctype html>',
    'about.html': '<!doctype html>',
    'assets/index-3f2a9c1b.js': 'x',
    'assets/zz-77aa00ff.css': 'y',
    'favicon.png': 'z',
    'robots.txt': '',
  });
  const { client, sent } = recordingClient();
  await uploadDirectory({ dir, bucket: 'b', client: client as never });
  expect(sent.every((s) => s.command === 'PutObjectCommand')).toBe(true);
  const keys = sent.map((s) => s.key);
  expect(keys.at(-1)).toBe('index.html');
  expect(keys.indexOf('about.html')).toBeGreaterThan(
    Math.max(...['assets/index-3f2a9c1b.js', 'assets/zz-77aa00ff.css', 'favicon.png', 'robots.txt'].map((k) => keys.indexOf(k))),
  );
  expect(keys.sort()).toEqual([
    'about.html',
    'assets/index-3f2a9c1b.js',
    'assets/zz-77aa00ff.css',
    'favicon.png',
    'index.html',
    'robots.txt',
  ]);
});

it('index.html revalidates on every load; hashed assets are immutable for a year', async () => {
  const dir = build({ 'index.html': '<!doctype html>', 'assets/index-3f2a9c1b.js': 'x' });
  const { client, sent } = recordingClient();
  await uploadDirectory({ dir, bucket: 'b', client: client as never });
  expect(Object.fromEntries(sent.map((s) => [s.key, s.cacheControl]))).toEqual({
    'index.html': 'no-cache',
    'assets/index-3f2a9c1b.js': 'public, max-age=31536000, immutable',
  });
  expect(cacheControl('assets/not-hashed.js')).toBe('public, max-age=300');
});

it('uploadOrder keeps the rest in a stable order', () => {
  expect(upload.uploadOrder(['index.html', 'b.png', 'a/x.html', 'a.png'])).toEqual(['a.png', 'b.png', 'a/x.html', 'index.html']);
});
