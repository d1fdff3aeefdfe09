import type { ALBEvent, ALBResult, APIGatewayProxyEvent, APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Express } from 'express';
import serverless from 'serverless-http';

/*
 * serverless-http around an Express app, for every event source a user may
 * put in front of it: API Gateway HTTP API (2.0) and REST API (1.0), ALB
 * (with and without multi-value headers) and Function URLs (2.0 shape), with
 * the event shaping serverless-http leaves to us.
 */

export type HttpEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent | ALBEvent;
export type Result = Record<string, unknown>;

const TEXTUAL = /^(text\/|application\/(json|problem\+json|xml|javascript)|image\/svg\+xml)/;

function stripPrefix(path: string, prefix: string | undefined): string {
  if (!prefix || prefix === '/') return path;
  if (path === prefix) return '/';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path;
}

function isV2(e: HttpEvent): e is APIGatewayProxyEventV2 {
  return (e as APIGatewayProxyEventV2).version === '2.0';
}
function isAlb(e: HttpEvent): e is ALBEvent {
  return 'elb' in ((e as ALBEvent).requestContext ?? {});
}

/**
 * serverless-http leaves two things to us: an HTTP API on a named stage puts
 * the stage in rawPath (`/prod/v1/...`), and its own basePath option strips
 * a match anywhere in the path, not only a prefix.
 */
function normalize(event: HttpEvent, basePath: string | undefined): HttpEvent {
  if (isV2(event)) {
    const stage = event.requestContext?.stage;
    let rawPath = event.rawPath;
    if (stage && stage !== '$default') rawPath = stripPrefix(rawPath, `/${stage}`);
    return { ...event, rawPath: stripPrefix(rawPath, basePath) };
  }
  return { ...event, path: stripPrefix(event.path, basePath) };
}

/**
 * A lone cookie set as a string (res.clearCookie at logout) comes back from
 * serverless-http in single-value `headers`, not in `cookies[]` (2.0) or
 * `multiValueHeaders` (1.0, ALB) where the sources expect Set-Cookie.
 */
function liftLoneCookie(event: HttpEvent, result: Result): Result {
  const headers = result.headers as Record<string, string> | undefined;
  const key = Object.keys(headers ?? {}).find((k) => k.toLowerCase() === 'set-cookie');
  if (!headers || !key) return result;
  const { [key]: cookie, ...rest } = headers;
  if (isV2(event)) return { ...result, headers: rest, cookies: [...((result.cookies as string[] | undefined) ?? []), cookie] };
  const multi = (result.multiValueHeaders as Record<string, string[]> | undefined) ?? {};
  return { ...result, headers: rest, multiValueHeaders: { ...multi, 'set-cookie': [...(multi['set-cookie'] ?? []), cookie!] } };
}

/**
 * An ALB without multi-value headers takes single-valued `headers`, where
 * serverless-http drops Set-Cookie. Ask it for multi-value output and fold
 * it back, keeping the cookie (the app sets at most one per response).
 */
async function viaSingleValueAlb(event: ALBEvent, run: (e: ALBEvent) => Promise<Result>): Promise<ALBResult> {
  const multiValueHeaders = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k, [v ?? '']]));
  const out = (await run({ ...event, multiValueHeaders })) as unknown as ALBResult & {
    multiValueHeaders?: Record<string, (string | number | boolean)[]>;
  };
  const headers: Record<string, string> = {};
  for (const [k, values] of Object.entries(out.multiValueHeaders ?? {})) {
    headers[k] = k.toLowerCase() === 'set-cookie' ? String(values.at(-1)) : values.map(String).join(', ');
  }
  return {
    statusCode: out.statusCode,
    statusDescription: out.statusDescription,
    isBase64Encoded: out.isBase64Encoded,
    body: out.body,
    headers,
  };
}

export type HttpHandler = (event: HttpEvent, context: Partial<Context>) => Promise<Result>;

/** serverless-http around any Express app, with our event shaping. */
export function wrapHttp(app: Express, basePath?: string): HttpHandler {
  const http = serverless(app, {
    provider: 'aws',
    requestId: 'x-request-id',
    // Text stays text (vCard and CSV exports come back byte-exact as UTF-8);
    // anything else would be base64.
    binary: (headers: Record<string, string>) => Boolean(headers['content-type']) && !TEXTUAL.test(headers['content-type'] ?? ''),
    // serverless-http pins req.ip to the event's source IP, which ALB events
    // do not have (so every ALB client would share one login-limiter bucket).
    // Without it Express derives req.ip as in the container: one trusted hop,
    // the address API Gateway, the Function URL or the ALB appended to
    // X-Forwarded-For (the source IP itself for API Gateway).
    request: (req: { ip?: string }) => {
      delete req.ip;
    },
  });
  return async (event, context) => {
    const normalized = normalize(event, basePath);
    const run = async (e: HttpEvent) => liftLoneCookie(e, (await http(e, context)) as Result);
    if (isAlb(normalized) && !normalized.multiValueHeaders) return { ...(await viaSingleValueAlb(normalized, run)) };
    return run(normalized);
  };
}
