import type { CounterFactory, Window } from './rate-limits.ts';

/*
 * Login throttling after OWASP's Authentication Cheat Sheet ("Login
 * Throttling", "Account Lockout") and its device-cookie pattern
 * (https://owasp.org/www-community/Slow_Down_Online_Guessing_Attacks_with_Device_Cookies):
 * - every attempt is counted before the password is checked, atomically, so
 *   100 parallel guesses get at most `perAccountAndIp.points` checks;
 * - failures lock a pair (account, client IP), so a stranger's guesses do
 *   not lock the owner out from their own address;
 * - a slower account-wide limit stops guessing spread over many addresses;
 *   it locks out only browsers the account has never signed in from;
 * - a browser holding a device cookie for the account (set at each sign-in)
 *   is limited on its own and passes the IP and account-wide limits.
 */

export interface LoginLimits {
  perAccountAndIp: Window;
  perIp: Window;
  perAccount: Window;
  perDevice: Window;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAccountAndIp: { points: 10, seconds: 15 * 60 },
  perIp: { points: 50, seconds: 15 * 60 },
  perAccount: { points: 50, seconds: 60 * 60 },
  perDevice: { points: 10, seconds: 15 * 60 },
};

export interface LoginAttempt {
  ip: string;
  email: string;
  /** The id of a valid device cookie for this email, if the browser sent one. */
  device?: string;
}

export interface LoginLimiter {
  /** Counts the attempt; the seconds to wait when a limit is reached (then no password is checked), else 0. */
  attempt(a: LoginAttempt): Promise<number>;
  /** The password was right: the person's own attempts no longer count against them. */
  succeeded(a: LoginAttempt): Promise<void>;
}

export function createLoginLimiter(limits: LoginLimits, counters: CounterFactory): LoginLimiter {
  const pair = counters('login-pair', limits.perAccountAndIp);
  const ip = counters('login-ip', limits.perIp);
  const account = counters('login-account', limits.perAccount);
  const device = counters('login-device', limits.perDevice);
  const pairKey = (a: LoginAttempt) => `${a.email}|${a.ip}`;
  return {
    async attempt(a) {
      if (a.device) return device.hit(a.device);
      // One after the other, narrowest first: an attempt refused by its own
      // address's limits does not use up the account-wide allowance, so one
      // address alone cannot lock the account for unknown browsers.
      for (const [counter, key] of [
        [pair, pairKey(a)],
        [ip, a.ip],
        [account, a.email],
      ] as const) {
        const wait = await counter.hit(key);
        if (wait > 0) return wait;
      }
      return 0;
    },
    async succeeded(a) {
      if (a.device) return device.forget(a.device);
      await Promise.all([pair.forget(pairKey(a)), ip.reward(a.ip), account.reward(a.email)]);
    },
  };
}

/** Sign-ups per client IP: enough for a household or an office, not for a script. */
export const DEFAULT_SIGNUP_LIMIT: Window = { points: 10, seconds: 60 * 60 };
