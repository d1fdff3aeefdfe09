import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

/*
 * TEST FIXTURE: a LocalStack-compatible endpoint for the subset the
 * integration suite uses, for machines that cannot run LocalStack (no Docker
 * engine). One port, routed by service as LocalStack's 4566 is:
 *   - S3: s3rver (an npm S3 emulator), mounted in-process;
 *   - Secrets Manager: the AWS JSON 1.1 protocol (X-Amz-Target
 *     secretsmanager.*), for CreateSecret, GetSecretValue, PutSecretValue,
 *     DeleteSecret: no npm package emulates it;
 *   - STS: the Query protocol, GetCallerIdentity only.
 * The real AWS SDK clients talk to it over HTTP. Signatures are not checked
 * (LocalStack does not check them either). Not for production use.
 */

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

interface StoredSecret {
  arn: string;
  name: string;
  value: string;
  versionId: string;
  created: number;
}

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function secretsManager(secrets: Map<string, StoredSecret>) {
  const find = (id: unknown): StoredSecret => {
    const s = typeof id === 'string' ? (secrets.get(id) ?? [...secrets.values()].find((x) => x.arn === id)) : undefined;
    if (!s) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return s;
  };
  const ops: Record<string, (input: Record<string, unknown>) => object> = {
    CreateSecret(input) {
      const name = String(input.Name ?? '');
      if (!name) throw new AwsError('InvalidParameterException', 'Name is required.');
      if (secrets.has(name))
        throw new AwsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
      const s: StoredSecret = {
        name,
        arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-${randomBytes(3).toString('hex')}`,
        value: String(input.SecretString ?? ''),
        versionId: String(input.ClientRequestToken ?? randomBytes(16).toString('hex')),
        created: Date.now() / 1000,
      };
      secrets.set(name, s);
      return { ARN: s.arn, Name: s.name, VersionId: s.versionId };
    },
    GetSecretValue(input) {
      const s = find(input.SecretId);
      return {
        ARN: s.arn,
        Name: s.name,
        SecretString: s.value,
        VersionId: s.versionId,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: s.created,
      };
    },
    PutSecretValue(input) {
      const s = find(input.SecretId);
      s.value = String(input.SecretString ?? '');
      s.versionId = randomBytes(16).toString('hex');
      return { ARN: s.arn, Name: s.name, VersionId: s.versionId, VersionStages: ['AWSCURRENT'] };
    },
    DeleteSecret(input) {
      const s = find(input.SecretId);
      secrets.delete(s.name);
      return { ARN: s.arn, Name: s.name, DeletionDate: Date.now() / 1000 };
    },
  };
  return async (target: string, body: string, res: ServerResponse) => {
    const op = ops[target.slice('secretsmanager.'.length)];
    res.setHeader('content-type', 'application/x-amz-json-1.1');
    res.setHeader('x-amzn-requestid', randomBytes(16).toString('hex'));
    try {
      if (!op) throw new AwsError('UnknownOperationException', `${target} is not emulated by this test fixture.`);
      res.end(JSON.stringify(op(body ? (JSON.parse(body) as Record<string, unknown>) : {})));
    } catch (err) {
      const e = err instanceof AwsError ? err : new AwsError('InternalFailure', String(err), 500);
      res.statusCode = e.status;
      res.setHeader('x-amzn-errortype', e.type);
      res.end(JSON.stringify({ __type: e.type, message: e.message }));
    }
  };
}

function sts(body: string, res: ServerResponse): void {
  const params = new URLSearchParams(body);
  const requestId = randomBytes(16).toString('hex');
  res.setHeader('content-type', 'text/xml');
  if (params.get('Action') !== 'GetCallerIdentity') {
    res.statusCode = 400;
    res.end(
      `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>Only GetCallerIdentity is emulated.</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    );
    return;
  }
  res.end(
    `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
      `<Arn>arn:aws:iam::${ACCOUNT}:root</Arn><UserId>${ACCOUNT}</UserId><Account>${ACCOUNT}</Account>` +
      `</GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
  );
}

export interface AwsEndpoint {
  url: string;
  close(): Promise<void>;
}

export async function startAwsEndpoint(port = 0): Promise<AwsEndpoint> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cf-s3-'));
  const s3 = new S3rver({ silent: true, directory: dir, resetOnClose: true }).callback();
  const secrets = new Map<string, StoredSecret>();
  const sm = secretsManager(secrets);
  const server = createServer(async (req, res) => {
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string' && target.startsWith('secretsmanager.')) return sm(target, await readBody(req), res);
    if (req.method === 'POST' && req.url === '/' && (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return sts(await readBody(req), res);
    }
    if (req.url === '/_localstack/health') {
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ services: { s3: 'running', secretsmanager: 'running', sts: 'running' }, edition: 'test-fixture' }));
    }
    // LocalStack accepts any credentials; s3rver only its own test key.
    // Dropping the signature makes s3rver take the request as anonymous,
    // which it serves like LocalStack does.
    delete req.headers.authorization;
    return s3(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// `node --import tsx test/integration/support/aws-endpoint.ts [port]`: serve until stopped.
if (import.meta.url === `file://${process.argv[1]}`) {
  const endpoint = await startAwsEndpoint(Number(process.argv[2] ?? 4566));
  process.stdout.write(`LocalStack-compatible test endpoint (S3, Secrets Manager, STS) on ${endpoint.url}\n`);
  const stop = () => void endpoint.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
