import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sslOptions } from '../../app/db/ssl.ts';

/*
 * What each PGSSLMODE lets the pg driver accept, against a loopback server
 * that answers PostgreSQL's SSLRequest and then does TLS with a certificate
 * made here (openssl), so no real CA signs it.
 */

let dir: string;
const certs = { ip: '', dns: '' };

function makeCert(name: string, san: string): string {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      `subjectAltName=${san}`,
      '-keyout',
      path.join(dir, `${name}.key`),
      '-out',
      path.join(dir, `${name}.pem`),
    ],
    { stdio: 'ignore' },
  );
  return name;
}

/** A server that speaks just enough PostgreSQL to upgrade to TLS; resolves whether the handshake completed. */
async function handshake(certName: string, ssl: pg.ClientConfig['ssl']): Promise<{ completed: boolean; clientError: string }> {
  let completed = false;
  const server = net.createServer((socket) => {
    socket.once('data', () => {
      socket.write('S'); // "willing to do SSL", the answer to SSLRequest
      const secure = new tls.TLSSocket(socket, {
        isServer: true,
        key: readFileSync(path.join(dir, `${certName}.key`)),
        cert: readFileSync(path.join(dir, `${certName}.pem`)),
      });
      secure.on('secure', () => {
        completed = true;
        secure.destroy();
      });
      secure.on('error', () => socket.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'x', database: 'x', ssl, connectionTimeoutMillis: 3_000 });
  const clientError = await client.connect().then(
    () => '',
    (err: Error) => err.message,
  );
  await client.end().catch(() => undefined);
  await new Promise((resolve) => server.close(resolve));
  return { completed, clientError };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cf-tls-'));
  certs.ip = makeCert('loopback', 'IP:127.0.0.1');
  certs.dns = makeCert('elsewhere', 'DNS:db.elsewhere.example');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sslOptions', () => {
  it('disable: no TLS at all', () => {
    expect(sslOptions('disable')).toBe(false);
  });

  it('require: encrypts, but accepts any certificate', async () => {
    expect(await handshake(certs.ip, sslOptions('require'))).toMatchObject({ completed: true });
  });

  it('verify-full: refuses a certificate no trusted CA signed', async () => {
    const r = await handshake(certs.ip, sslOptions('verify-full'));
    expect(r.completed).toBe(false);
    expect(r.clientError).toMatch(/self[- ]signed|unable to verify/i);
  });

  it('verify-full with PGSSLROOTCERT: trusts that CA, and still checks the host name', async () => {
    expect(await handshake(certs.ip, sslOptions('verify-full', path.join(dir, `${certs.ip}.pem`)))).toMatchObject({ completed: true });
    const wrongHost = await handshake(certs.dns, sslOptions('verify-full', path.join(dir, `${certs.dns}.pem`)));
    expect(wrongHost.completed).toBe(false);
    expect(wrongHost.clientError).toMatch(/does not match|altnames/i);
  });

  it('verify-full trusts Amazon RDS certificate authorities (Aurora) besides the public roots', () => {
    const ssl = sslOptions('verify-full') as { ca: string[]; rejectUnauthorized: boolean };
    expect(ssl.rejectUnauthorized).toBe(true);
    const subjects = ssl.ca.map((pem) => new X509Certificate(pem).subject);
    expect(subjects.filter((s) => /O=Amazon Web Services|Amazon RDS/.test(s)).length).toBeGreaterThan(10);
    expect(subjects.length).toBeGreaterThan(tls.rootCertificates.length);
  });
});
