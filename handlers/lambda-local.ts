import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createLambdaHandler } from './lambda-handler.ts';

/*
 * `npm run dev:lambda`: plain HTTP on a local port, each request turned into
 * an API Gateway HTTP API (2.0) event and handed to the real Lambda handler
 * in this process, as serverless-offline does. Written here because
 * serverless-offline needs the Serverless Framework and a serverless.yml;
 * the translation is the 2.0 payload format and nothing more.
 */

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function toHttpApiEvent(req: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || k === 'cookie') continue;
    headers[k] = Array.isArray(v) ? v.join(',') : v;
  }
  const sourceIp = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
  // API Gateway appends the caller to X-Forwarded-For and names the scheme.
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${sourceIp}` : sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    cookies: req.headers.cookie?.split(/;\s*/).filter(Boolean),
    headers,
    requestContext: {
      accountId: 'offline',
      apiId: 'offline',
      domainName: req.headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: req.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: body.length ? body.toString('base64') : undefined,
    isBase64Encoded: body.length > 0,
  };
}

async function main(): Promise<void> {
  const handler = createLambdaHandler(process.env);
  await handler.warm();
  const server = createServer(async (req, res) => {
    try {
      const event = toHttpApiEvent(req, await readBody(req));
      const out = (await handler(event, { awsRequestId: event.requestContext.requestId })) as APIGatewayProxyStructuredResultV2;
      for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, String(v));
      if (out.cookies?.length) res.setHeader('set-cookie', out.cookies);
      res.statusCode = out.statusCode ?? 200;
      res.end(out.body ? Buffer.from(out.body, out.isBase64Encoded ? 'base64' : 'utf8') : undefined);
    } catch (err) {
      res.statusCode = 502; // what API Gateway answers when the function fails
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ message: 'Internal Server Error' }));
      process.stderr.write(`lambda invocation failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    }
  });
  const port = Number(process.env.PORT ?? 3001);
  server.listen(port, '127.0.0.1', () => {
    process.stdout.write(
      `contactfolio Lambda (HTTP API v2 events) listening on http://localhost:${(server.address() as AddressInfo).port}\n`,
    );
  });
  const stop = () => server.close(() => void handler.close().then(() => process.exit(0)));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`dev:lambda failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
