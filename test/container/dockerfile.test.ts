import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL } from '../support/env.ts';
import { createTestDatabase, TEST_SESSION_SECRET, type TestDatabase } from '../support/harness.ts';

/*
 * Docker cannot run on these machines, so: lint the Dockerfile, check its
 * policies, and run the exact CMD (and HEALTHCHECK) in a directory laid out
 * as the final stage's COPY lines lay out the image.
 */
const root = path.resolve(import.meta.dirname, '../..');
const text = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const dockerfile = DockerfileParser.parse(text);
const instructions = dockerfile.getInstructions();
const froms = dockerfile.getFROMs();
const finalStageStart = froms.at(-1)!.getRange().start.line;
const finalStage = instructions.filter((i) => i.getRange().start.line >= finalStageStart);
const argsOf = (keyword: string) => finalStage.find((i) => i.getKeyword() === keyword)?.getRawArgumentsContent() ?? '';
const jsonArgs = (keyword: string) => JSON.parse(argsOf(keyword)) as string[];

describe('Dockerfile', () => {
  it('passes the linter with no diagnostics', () => {
    expect(validate(text).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('is multi-stage on a pinned Node LTS slim base', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from.getImageName() + ':' + from.getImageTag()).toMatch(/^node:(20|22|24)\.\d+\.\d+-\w+-slim$/);
  });

  it('runs as a non-root user, exposes the port and has a HEALTHCHECK', () => {
    const user = finalStage.filter((i) => i.getKeyword() === 'USER').at(-1);
    expect(user?.getRawArgumentsContent()).toBe('node');
    expect(finalStage.some((i) => i.getKeyword() === 'HEALTHCHECK')).toBe(true);
    // Liveness, like the ALB and the task definition: not the deep /health.
    expect(argsOf('HEALTHCHECK')).toMatch(/'\/health\/live'\)/);
    expect(argsOf('EXPOSE')).toBe('3000');
    expect(jsonArgs('CMD')).toEqual(['node', '--enable-source-maps', 'dist/server.mjs']);
  });

  it('copies what the postinstall needs (patches, the Prisma generator and schema) before npm ci', () => {
    const firstStage = instructions.filter((i) => i.getRange().start.line < finalStageStart);
    const install = firstStage.findIndex((i) => i.getKeyword() === 'RUN' && /\bnpm ci\b/.test(i.getRawArgumentsContent() ?? ''));
    expect(install).toBeGreaterThan(0);
    const copied = firstStage
      .slice(0, install)
      .filter((i) => i.getKeyword() === 'COPY')
      .flatMap((i) => (i.getRawArgumentsContent() ?? '').split(/\s+/).slice(0, -1));
    const postinstall = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts
      .postinstall!;
    expect(postinstall).toMatch(/patch-package/);
    // Dependencies' install scripts stay off whatever npm the image has; the project's own runs.
    expect(firstStage[install]!.getRawArgumentsContent()).toMatch(/npm ci --ignore-scripts\b.*&& npm run postinstall$/);
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> };
    expect(Object.values(pkg.allowScripts).every((allowed) => allowed === false)).toBe(true);
    for (const needed of ['package.json', 'package-lock.json', 'patches', 'scripts', 'prisma', 'prisma.config.ts'])
      expect(copied).toContain(needed);
  });

  it('ships only the bundle and the migrations in the final image, and ignores what the build does not need', () => {
    const copies = finalStage.filter((i) => i.getKeyword() === 'COPY').map((i) => i.getTextContent());
    expect(copies).toEqual([
      'COPY --from=build --chown=node:node /app/dist ./dist',
      'COPY --from=build --chown=node:node /app/prisma/migrations ./prisma/migrations',
    ]);
    const ignore = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', '.git', '.env', 'dist', '.data']) expect(ignore).toContain(entry);
  });
});

describe('the image layout runs the CMD and passes /health', () => {
  let db: TestDatabase;
  let image: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    // The build stage: the same build command.
    const build = spawnSync(process.execPath, ['scripts/build.mjs', 'server'], { cwd: root, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    // The final stage: exactly its COPY --from=build lines, into a directory
    // with no node_modules anywhere above it.
    image = mkdtempSync(path.join(tmpdir(), 'cf-image-'));
    for (const i of finalStage.filter((x) => x.getKeyword() === 'COPY')) {
      const [, from, to] = /\/app\/(\S+)\s+\.\/(\S+)$/.exec(i.getRawArgumentsContent() ?? '')!;
      cpSync(path.join(root, from!), path.join(image, to!), { recursive: true });
    }
  });
  afterAll(async () => {
    rmSync(image, { recursive: true, force: true });
    await db.drop();
  });

  it('starts, migrates, answers /health, and the HEALTHCHECK command agrees', async () => {
    const envLines = finalStage
      .filter((i) => i.getKeyword() === 'ENV')
      .flatMap((i) => [...(i.getRawArgumentsContent() ?? '').matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
    const port = String(40_000 + Math.floor(Math.random() * 10_000));
    const env = {
      PATH: process.env.PATH!,
      ...Object.fromEntries(envLines),
      PORT: port,
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      PGSSLMODE: 'disable',
      MIGRATE_ON_BOOT: 'true',
      REDIS_URL,
      SESSION_SECRET: TEST_SESSION_SECRET,
      CORS_ORIGIN: 'https://contactfolio.com',
    };
    expect(env.NODE_ENV).toBe('production');
    const [cmd, ...args] = jsonArgs('CMD');
    const child = spawn(cmd === 'node' ? process.execPath : cmd!, args, { cwd: image, env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`did not start: ${out}`)), 20_000);
        child.stdout.on('data', () => out.includes('listening') && (clearTimeout(t), resolve()));
        child.on('exit', () => reject(new Error(`exited: ${out}`)));
      });
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok', checks: { database: 'ok', sessions: 'ok' } });
      // Prisma's query compiler (a .wasm beside the bundle) and the list SQL,
      // from the image's files alone: sign up, create, list.
      // Headers as the ALB forwards them: the session cookie is Secure, so it is set only over HTTPS.
      const api = (p: string, init: RequestInit = {}) =>
        fetch(`http://127.0.0.1:${port}${p}`, {
          ...init,
          headers: {
            'content-type': 'application/json',
            origin: 'https://contactfolio.com',
            'x-forwarded-proto': 'https',
            ...init.headers,
          },
        });
      const signup = await api('/v1/auth/signup', {
        method: 'POST',
        body: JSON.stringify({ email: 'image@example.test', password: 'image password 1', name: 'Image' }),
      });
      expect(signup.status).toBe(201);
      const cookie = signup.headers
        .getSetCookie()
        .find((c) => c.startsWith('cf.sid='))!
        .split(';')[0]!;
      const created = await api('/v1/contacts', { method: 'POST', headers: { cookie }, body: JSON.stringify({ firstName: 'Ada' }) });
      expect(created.status).toBe(201);
      const list = await api('/v1/contacts', { headers: { cookie } });
      expect(((await list.json()) as { items: { firstName: string }[] }).items.map((c) => c.firstName)).toEqual(['Ada']);
      // HEALTHCHECK CMD ["node", "-e", "..."]: run it the way Docker would.
      const health = argsOf('HEALTHCHECK');
      const probe = JSON.parse(
        health
          .slice(health.indexOf('CMD') + 3)
          .replace(/\\\n/g, '')
          .trim(),
      ) as string[];
      const ran = spawnSync(process.execPath, probe.slice(1), { cwd: image, env, encoding: 'utf8' });
      expect(ran.status, ran.stderr).toBe(0);
    } finally {
      child.kill('SIGTERM');
    }
    expect(out).not.toContain(TEST_SESSION_SECRET);
  });
});
