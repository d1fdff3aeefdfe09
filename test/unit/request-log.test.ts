import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import supertest from 'supertest';
import { expect, it } from 'vitest';
import { requestLog } from '../../app/http/request-log.ts';
import { wrapHttp } from '../../handlers/serverless-adapter.ts';
import { buildEvent, readResult, SOURCES } from '../lambda/events.ts';

function appWithLog() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  const logger = pino({ redact: ['req.headers.cookie'] }, sink);
  const app = express()
    .use(requestLog(logger, { ignore: (url) => url === '/health' }))
    .get('/health', (_req, res) => void res.send('ok'))
    .get('/v1/things', (req, res) => void res.json({ id: req.id }))
    .get('/v1/fail', (_req, res) => void res.status(503).end())
    .get('/v1/throw', () => {
      throw new Error('boom');
    });
  return { app, lines };
}

it('logs one line per request with its id, method, URL, status and duration, and no headers', async () => {
  const { app, lines } = appWithLog();
  const res = await supertest(app).get('/v1/things?q=ada').set('Cookie', 'cf.sid=s%3Asecret').set('X-Request-Id', 'trace-1');
  expect(res.headers['x-request-id']).toBe('trace-1');
  expect(res.body).toEqual({ id: 'trace-1' });
  await new Promise((r) => setImmediate(r));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({
    level: 30,
    reqId: 'trace-1',
    req: { method: 'GET', url: '/v1/things?q=ada' },
    res: { statusCode: 200 },
    msg: 'request completed',
  });
  expect(lines[0]!.responseTime).toEqual(expect.any(Number));
  expect(JSON.stringify(lines)).not.toContain('secret');
});

it('makes up an id when the caller sends none or a malformed one, logs 5xx as errors, and skips /health', async () => {
  const { app, lines } = appWithLog();
  const made = await supertest(app).get('/v1/things').set('X-Request-Id', 'two words');
  expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  await supertest(app).get('/v1/fail');
  await supertest(app).get('/health');
  await new Promise((r) => setImmediate(r));
  expect(lines.map((l) => [l.level, (l.res as { statusCode: number }).statusCode])).toEqual([
    [30, 200],
    [50, 503],
  ]);
  expect(lines[0]!.reqId).toBe(made.headers['x-request-id']);
});

it('leaves the redaction of everything else the app logs in place', async () => {
  const lines: string[] = [];
  const logger = pino({ redact: ['*.password'] }, { write: (l: string) => void lines.push(l) });
  const app = express()
    .use(requestLog(logger))
    .get('/v1/things', (_req, res) => void res.json({}));
  await supertest(app).get('/v1/things');
  await new Promise((r) => setImmediate(r));
  logger.info({ body: { password: 'hunter2' } }, 'after');
  expect(lines).toHaveLength(2);
  expect(JSON.parse(lines[0]!)).toMatchObject({ req: { method: 'GET', url: '/v1/things' }, res: { statusCode: 200 } });
  expect(JSON.parse(lines[1]!).body).toEqual({ password: '[Redacted]' });
});

it('logs the real status under serverless-http, for every Lambda event source, and 5xx as errors', async () => {
  for (const source of SOURCES) {
    const { app, lines } = appWithLog();
    const handler = wrapHttp(app);
    const ok = readResult(source, await handler(buildEvent(source, { method: 'GET', path: '/v1/things' }), {}));
    expect(ok.status).toBe(200);
    const failed = readResult(source, await handler(buildEvent(source, { method: 'GET', path: '/v1/throw' }), {}));
    expect(failed.status).toBe(500);
    await new Promise((r) => setImmediate(r));
    expect(
      lines.map((l) => [l.level, (l.res as { statusCode: number }).statusCode, l.msg]),
      source,
    ).toEqual([
      [30, 200, 'request completed'],
      [50, 500, 'request errored'],
    ]);
  }
});

it('still logs a client that went away before the response as 499', async () => {
  const { app, lines } = appWithLog();
  const server = app.get('/v1/slow', (_req, res) => void setTimeout(() => res.end('late'), 300)).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as { port: number };
  const aborted = new AbortController();
  const req = fetch(`http://127.0.0.1:${port}/v1/slow`, { signal: aborted.signal }).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 50));
  aborted.abort();
  await req;
  await new Promise((r) => setTimeout(r, 400));
  server.close();
  expect(lines.map((l) => [(l.res as { statusCode: number }).statusCode, l.msg])).toEqual([[499, 'request aborted']]);
});
