import type pg from 'pg';
import type { DatabaseConfig } from '../config/schema.ts';

/** libpq-style sslmode as pg's `ssl` option: `require` encrypts without
 * verifying; `verify-full` also checks the certificate (add the RDS CA bundle
 * via NODE_EXTRA_CA_CERTS). */
export function sslOptions(mode: DatabaseConfig['sslMode']): pg.ClientConfig['ssl'] {
  return mode === 'disable' ? false : { rejectUnauthorized: mode === 'verify-full' };
}
