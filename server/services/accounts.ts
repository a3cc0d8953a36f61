import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { DomainError } from '../../shared/errors.ts';
import type { Credentials, User } from '../../shared/schemas/index.ts';
import type { UserRow } from '../store/store.ts';
import { type Ctx, inTransaction, isoNow } from './context.ts';
import { HOUSE, userAccount, userView } from './views.ts';

/** Random ids and secrets: url-safe base64 of `bytes` random bytes. */
export function randomId(prefix: string, bytes = 12): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

/** Secrets (session and API tokens) are stored only as their SHA-256. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

// argon2id with the library's defaults (m = 19 MiB, t = 2, p = 1: OWASP's minimum).
const hashPassword = (password: string) => hash(password);

/** A hash of a random password, verified against when a username is unknown (no timing oracle). */
let dummyHash: Promise<string> | undefined;

/** Creates a user with the starting grant from the house, in one transaction. */
interface NewUserFields {
  username: string;
  passwordHash: string;
  role: UserRow['role'];
  bot?: boolean;
  /** Overrides STARTING_GRANT_CENTS (simulation personas bring their own budgets). */
  grantCents?: number;
}

export async function insertUserWithGrant(ctx: Ctx, fields: NewUserFields): Promise<User> {
  try {
    return await insertUserOnce(ctx, fields);
  } catch (err) {
    // Two registrations of one name at once (on two nodes): the later one hits the unique key.
    if (!(err instanceof DomainError) && (await ctx.store.userByUsername(fields.username))) {
      throw new DomainError('conflict', 'that username is taken', { field: 'username' });
    }
    throw err;
  }
}

function insertUserOnce(ctx: Ctx, fields: NewUserFields): Promise<User> {
  return inTransaction(ctx, async (tx, events) => {
    if (await tx.userByUsername(fields.username)) {
      throw new DomainError('conflict', 'that username is taken', { field: 'username' });
    }
    const at = isoNow(ctx);
    const row: UserRow = {
      id: randomId('u_'),
      username: fields.username,
      passwordHash: fields.passwordHash,
      role: fields.role,
      bot: fields.bot ?? false,
      createdAt: at,
    };
    await tx.insertUser(row);
    await tx.ensureAccount(userAccount(row.id));
    await tx.ensureAccount(HOUSE);
    const grant = fields.grantCents ?? ctx.config.STARTING_GRANT_CENTS;
    if (grant > 0) {
      await tx.post({ kind: 'grant', ref: row.id, at }, [
        { account: HOUSE, amountCents: -grant },
        { account: userAccount(row.id), amountCents: grant },
      ]);
    }
    const user = await userView(tx, row);
    events.push({ type: 'balance', user });
    return user;
  });
}

export async function register(ctx: Ctx, creds: Credentials): Promise<User> {
  if (await ctx.store.userByUsername(creds.username)) {
    throw new DomainError('conflict', 'that username is taken', { field: 'username' });
  }
  const passwordHash = await hashPassword(creds.password);
  return insertUserWithGrant(ctx, { username: creds.username, passwordHash, role: 'trader' });
}

/** Checks a password; the same work is done for an unknown username. */
export async function login(ctx: Ctx, creds: Credentials): Promise<User> {
  const row = await ctx.store.userByUsername(creds.username);
  if (!row || row.bot) {
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    await verify(await dummyHash, creds.password).catch(() => false);
    throw new DomainError('unauthenticated', 'wrong username or password');
  }
  const ok = await verify(row.passwordHash, creds.password).catch(() => false);
  if (!ok) throw new DomainError('unauthenticated', 'wrong username or password');
  return userView(ctx.store, row);
}

/** Opens a session; returns the token for the cookie (only its hash is stored). */
export async function createSession(
  ctx: Ctx,
  userId: string,
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + ctx.config.SESSION_TTL_HOURS * 3600_000);
  await ctx.store.insertSession(
    tokenHash(token),
    userId,
    now.toISOString(),
    expiresAt.toISOString(),
  );
  return { token, expiresAt };
}

export function endSession(ctx: Ctx, token: string): Promise<void> {
  return ctx.store.deleteSession(tokenHash(token));
}

export function userBySession(ctx: Ctx, token: string): Promise<UserRow | undefined> {
  return ctx.store.sessionUser(tokenHash(token), isoNow(ctx));
}

/** Creates an API token; it is shown once and stored hashed. */
export async function createApiToken(
  ctx: Ctx,
  userId: string,
  spaceId: string | null = null,
): Promise<{ id: string; token: string }> {
  const id = randomId('tok_', 6);
  const token = `pty_${randomBytes(32).toString('base64url')}`;
  await ctx.store.insertApiToken(id, userId, tokenHash(token), isoNow(ctx), spaceId);
  return { id, token };
}

export function userByApiToken(ctx: Ctx, token: string): Promise<UserRow | undefined> {
  return ctx.store.apiTokenUser(tokenHash(token));
}

/**
 * Makes sure the admin account exists (first start). Without ADMIN_PASSWORD a random one is
 * generated and printed once.
 */
export async function ensureAdmin(ctx: Ctx): Promise<{ created: boolean; password?: string }> {
  if (await ctx.store.userByUsername(ctx.config.ADMIN_USERNAME)) return { created: false };
  const generated = ctx.config.ADMIN_PASSWORD ? undefined : randomBytes(12).toString('base64url');
  const password = ctx.config.ADMIN_PASSWORD ?? generated!;
  const passwordHash = await hashPassword(password);
  try {
    await insertUserWithGrant(ctx, {
      username: ctx.config.ADMIN_USERNAME,
      passwordHash,
      role: 'admin',
    });
  } catch (err) {
    // Another node starting at the same moment made it first.
    if (err instanceof DomainError && err.code === 'conflict') return { created: false };
    throw err;
  }
  return generated ? { created: true, password: generated } : { created: true };
}
