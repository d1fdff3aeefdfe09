import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../app/auth/passwords.ts';

describe('passwords', () => {
  it('verifies the right password only, with a fresh salt per hash', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horse ', a)).toBe(false);
    expect(await verifyPassword('Correct horse', b)).toBe(false);
  });

  it('treats Unicode-equivalent passwords alike (NFKC)', async () => {
    const h = await hashPassword('caf\u00e9');
    expect(await verifyPassword('cafe\u0301', h)).toBe(true);
  });

  it('rejects malformed stored hashes instead of throwing', async () => {
    for (const stored of ['', 'plaintext', 'bcrypt$1$2$3$4$5', 'scrypt$x$8$1$$']) expect(await verifyPassword('x', stored)).toBe(false);
  });
});
