import type { ALBEvent, APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { expect } from 'vitest';
import type { HttpEvent, HttpHandler } from '../../handlers/serverless-adapter.ts';
import { REDIS_URL } from '../support/env.ts';
import { TEST_SESSION_SECRET } from '../support/harness.ts';

/*
 * Events shaped as the AWS documentation shows them for each source:
 * API Gateway HTTP API payload 2.0, REST API (payload 1.0), ALB with and
 * without multi-value headers, and Lambda Function URLs (2.0 shape).
 */

export const SOURCES = ['httpApiV2', 'restApiV1', 'alb', 'albMultiValue', 'functionUrl'] as const;
export type Source = (typeof SOURCES)[number];

export interface HttpRequest {
  method: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  cookies?: string[];
  body?: string | Buffer;
  /** Send the body base64-encoded, as API Gateway does for binary media types. */
  base64?: boolean;
  /** HTTP API stage or REST API stage; a named HTTP API stage appears in rawPath. */
  stage?: string;
  /** The caller as AWS sees it; AWS also appends it to X-Forwarded-For. */
  sourceIp?: string;
}

export const CLIENT_IP = '198.51.100.7';

/** The environment a handler under test is configured with, as Lambda would set it: its own database, the test Redis. */
export const handlerEnv = (databaseUrl: string): Record<string, string> => ({
  NODE_ENV: 'test',
  DATABASE_URL: databaseUrl,
  REDIS_URL,
  SESSION_SECRET: TEST_SESSION_SECRET,
  LOG_LEVEL: 'silent',
  MIGRATE_ON_BOOT: 'true',
});
const EPOCH = 1_764_000_000_000;

function baseHeaders(req: HttpRequest, host: string): Record<string, string> {
  const ip = req.sourceIp ?? CLIENT_IP;
  const given = req.headers?.['x-forwarded-for'];
  return {
    accept: 'application/json',
    host,
    'user-agent': 'contactfolio-tests',
    'x-amzn-trace-id': 'Root=1-5e6722a7-cc56xmpl46db7ae02d4da47e',
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
    ...Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    // Whatever the client claimed, AWS appends the address it saw.
    'x-forwarded-for': given ? `${given}, ${ip}` : ip,
  };
}

function bodyOf(req: HttpRequest): { body: string | null; isBase64Encoded: boolean } {
  if (req.body === undefined) return { body: null, isBase64Encoded: false };
  const buf = Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
  return req.base64 || Buffer.isBuffer(req.body)
    ? { body: buf.toString('base64'), isBase64Encoded: true }
    : { body: req.body as string, isBase64Encoded: false };
}

function v2(req: HttpRequest, domainName: string, apiId: string): APIGatewayProxyEventV2 {
  const stage = req.stage ?? '$default';
  const rawPath = stage === '$default' ? req.path : `/${stage}${req.path}`;
  const query = new URLSearchParams(req.query ?? {});
  const { body, isBase64Encoded } = bodyOf(req);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: query.toString(),
    ...(req.cookies?.length ? { cookies: req.cookies } : {}),
    headers: baseHeaders(req, domainName),
    ...(req.query ? { queryStringParameters: req.query } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId,
      domainName,
      domainPrefix: apiId,
      http: {
        method: req.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: req.sourceIp ?? CLIENT_IP,
        userAgent: 'contactfolio-tests',
      },
      requestId: `JKJaXmPLvHcESHA=${Math.random().toString(36).slice(2)}`,
      routeKey: '$default',
      stage,
      time: '24/Nov/2025:15:46:40 +0000',
      timeEpoch: EPOCH,
    },
    ...(body !== null ? { body } : {}),
    isBase64Encoded,
  };
}

function restV1(req: HttpRequest): APIGatewayProxyEvent {
  const stage = req.stage ?? 'prod';
  const headers = baseHeaders(req, 'r3pmxmplak.execute-api.us-east-2.amazonaws.com');
  // REST APIs send canonical header case and both header forms.
  const cased = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase()), v]));
  if (req.cookies?.length) cased.Cookie = req.cookies.join('; ');
  const { body, isBase64Encoded } = bodyOf(req);
  return {
    resource: '/{proxy+}',
    path: req.path,
    httpMethod: req.method,
    headers: cased,
    multiValueHeaders: Object.fromEntries(Object.entries(cased).map(([k, v]) => [k, [v]])),
    queryStringParameters: req.query ?? null,
    multiValueQueryStringParameters: req.query ? Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, [v]])) : null,
    pathParameters: { proxy: req.path.slice(1) },
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'r3pmxmplak',
      authorizer: {},
      domainName: 'r3pmxmplak.execute-api.us-east-2.amazonaws.com',
      domainPrefix: 'r3pmxmplak',
      extendedRequestId: 'JJbxmHc1IAMFYVw=',
      httpMethod: req.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: req.sourceIp ?? CLIENT_IP,
        user: null,
        userAgent: 'contactfolio-tests',
        userArn: null,
      },
      path: `/${stage}${req.path}`,
      protocol: 'HTTP/1.1',
      requestId: `8b6fbd2b-${Math.random().toString(16).slice(2, 10)}`,
      requestTimeEpoch: EPOCH,
      resourceId: 'i1fxmpl',
      resourcePath: '/{proxy+}',
      stage,
    },
    body,
    isBase64Encoded,
  };
}

function alb(req: HttpRequest, multiValue: boolean): ALBEvent {
  const headers = baseHeaders(req, 'lambda-alb-123578498.us-east-1.elb.amazonaws.com');
  if (req.cookies?.length) headers.cookie = req.cookies.join('; ');
  // The ALB passes query values percent-encoded, as the client sent them.
  const query = req.query
    ? Object.fromEntries(Object.entries(req.query).map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)]))
    : {};
  const { body, isBase64Encoded } = bodyOf(req);
  const event: ALBEvent = {
    requestContext: {
      elb: {
        targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lambda-279XGJDqGZ5rsrHC2Fjr/49e9d65c45c6791a',
      },
    },
    httpMethod: req.method,
    path: req.path,
    body: body ?? '',
    isBase64Encoded,
  };
  if (multiValue) {
    event.multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
    event.multiValueQueryStringParameters = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]]));
  } else {
    event.headers = headers;
    event.queryStringParameters = query;
  }
  return event;
}

export function buildEvent(source: Source, req: HttpRequest): HttpEvent {
  switch (source) {
    case 'httpApiV2':
      return v2(req, 'r3pmxmplak.execute-api.us-east-2.amazonaws.com', 'r3pmxmplak');
    case 'functionUrl':
      return v2({ ...req, stage: '$default' }, 'a1b2xmplc3d4e5f6.lambda-url.us-east-2.on.aws', 'a1b2xmplc3d4e5f6');
    case 'restApiV1':
      return restV1(req);
    case 'alb':
      return alb(req, false);
    case 'albMultiValue':
      return alb(req, true);
  }
}

export interface LambdaResponse {
  status: number;
  headers: Record<string, string>;
  setCookies: string[];
  body: Buffer;
  text: string;
  json: () => any;
}

/** Reads a result the way each source's front end would. */
export function readResult(source: Source, raw: Record<string, unknown>): LambdaResponse {
  const r = raw as {
    statusCode: number;
    headers?: Record<string, string>;
    multiValueHeaders?: Record<string, string[]>;
    cookies?: string[];
    body?: string;
    isBase64Encoded?: boolean;
  };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
  for (const [k, v] of Object.entries(r.multiValueHeaders ?? {}))
    if (k.toLowerCase() !== 'set-cookie') headers[k.toLowerCase()] = v.join(', ');
  let setCookies: string[];
  if (source === 'httpApiV2' || source === 'functionUrl') {
    setCookies = r.cookies ?? [];
  } else if (source === 'alb') {
    expect(r.multiValueHeaders).toBeUndefined();
    setCookies = r.headers?.['set-cookie'] ? [r.headers['set-cookie']] : [];
  } else {
    setCookies = r.multiValueHeaders?.['set-cookie'] ?? [];
  }
  const body = Buffer.from(r.body ?? '', r.isBase64Encoded ? 'base64' : 'utf8');
  const text = body.toString('utf8');
  return { status: r.statusCode, headers, setCookies, body, text, json: () => JSON.parse(text) };
}

let clients = 0;

/** A browser-like client for one source: keeps the session cookie, and calls from an address of its own (sign-ups are limited per address). */
export class LambdaClient {
  private cookie: string | undefined;
  private readonly extra: Partial<HttpRequest>;
  constructor(
    private readonly handler: HttpHandler,
    readonly source: Source,
    extra: Partial<HttpRequest> = {},
  ) {
    clients++;
    this.extra = { sourceIp: `198.18.${(clients >> 8) & 255}.${clients & 255}`, ...extra };
  }

  async send(req: HttpRequest): Promise<LambdaResponse> {
    const event = buildEvent(this.source, {
      ...this.extra,
      ...req,
      headers: { ...this.extra.headers, ...req.headers },
      cookies: this.cookie ? [this.cookie] : req.cookies,
    });
    const res = readResult(this.source, await this.handler(event, { awsRequestId: 'test' }));
    const session = res.setCookies.find((c) => c.startsWith('cf.sid='));
    if (session) this.cookie = /Expires=Thu, 01 Jan 1970/.test(session) ? undefined : session.split(';')[0];
    return res;
  }

  json(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    return this.send({
      method,
      path,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  get sessionCookie() {
    return this.cookie;
  }
}
