import * as z from '../zod.ts';
import { STORABLE_TEXT } from '../db/storable-text.ts';

export const emailAddress = z.pipe(
  z.pipe(z.string().check(z.trim(), z.maxLength(254)), z.email('must be a valid email address')),
  z.transform((e: string) => e.toLowerCase()),
);

// 1024 caps the work one request can ask of the KDF.
const newPassword = z
  .string()
  .check(z.minLength(8, 'must be at least 8 characters'), z.maxLength(1024, 'must be at most 1024 characters'), z.regex(...STORABLE_TEXT));
const personName = z
  .string()
  .check(z.trim(), z.minLength(1, 'is required'), z.maxLength(100, 'must be at most 100 characters'), z.regex(...STORABLE_TEXT));

export const signupSchema = z
  .strictObject({
    email: emailAddress,
    password: newPassword,
    name: personName,
  })
  .register(z.globalRegistry, { id: 'Signup' });

export const profileSchema = z.strictObject({ name: personName }).register(z.globalRegistry, { id: 'ProfileChange' });

export const passwordChangeSchema = z
  .strictObject({
    currentPassword: z.string().check(z.minLength(1, 'is required'), z.maxLength(1024)),
    newPassword,
  })
  .register(z.globalRegistry, { id: 'PasswordChange' });

export const loginSchema = z
  .strictObject({
    email: emailAddress,
    password: z.string().check(z.minLength(1, 'is required'), z.maxLength(1024)),
  })
  .register(z.globalRegistry, { id: 'Login' });

export const userSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    createdAt: z.iso.datetime(),
  })
  .register(z.globalRegistry, { id: 'User' });

export type User = z.infer<typeof userSchema>;

export const userEnvelopeSchema = z.object({ user: userSchema }).register(z.globalRegistry, { id: 'UserEnvelope' });
