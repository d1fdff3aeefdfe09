import { z } from 'zod';
import { NO_NUL } from '../contacts/schemas.ts';

export const emailAddress = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email('must be a valid email address'))
  .transform((e) => e.toLowerCase());

export const signupSchema = z
  .strictObject({
    email: emailAddress,
    // 1024 caps the work one request can ask of the KDF.
    password: z.string().min(8, 'must be at least 8 characters').max(1024, 'must be at most 1024 characters').regex(...NO_NUL),
    name: z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters').regex(...NO_NUL),
  })
  .meta({ id: 'Signup' });

export const loginSchema = z
  .strictObject({
    email: emailAddress,
    password: z.string().min(1, 'is required').max(1024),
  })
  .meta({ id: 'Login' });

export const userSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'User' });

export type User = z.infer<typeof userSchema>;

export const userEnvelopeSchema = z.object({ user: userSchema }).meta({ id: 'UserEnvelope' });
