import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { MAX_SKEW_SECONDS, type SignatureCheck } from '../../integrations/slashCommand.ts';

/**
 * Discord signs each interaction with the application's Ed25519 key: `X-Signature-Ed25519` is
 * the hex signature of `X-Signature-Timestamp` followed by the raw body.
 */

/** The application's public key (64 hex characters, from the developer portal) as a key. */
export function discordPublicKey(hex: string): KeyObject {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new Error('DISCORD_PUBLIC_KEY must be the 64 hex characters of the application key');
  }
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(hex, 'hex').toString('base64url') },
    format: 'jwk',
  });
}

/** Checks the signature, and that the timestamp is within five minutes of now (no replays). */
export function verifyDiscordSignature(
  key: KeyObject,
  timestamp: string | undefined,
  signature: string | undefined,
  rawBody: Buffer,
  now: Date,
): SignatureCheck {
  if (
    !timestamp ||
    !signature ||
    !/^\d{1,12}$/.test(timestamp) ||
    !/^[0-9a-fA-F]{128}$/.test(signature)
  ) {
    return 'missing';
  }
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > MAX_SKEW_SECONDS) return 'stale';
  const ok = verify(
    null,
    Buffer.concat([Buffer.from(timestamp), rawBody]),
    key,
    Buffer.from(signature, 'hex'),
  );
  return ok ? 'ok' : 'mismatch';
}
