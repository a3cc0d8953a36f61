import { createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';

/** Signing requests exactly as Slack and Discord sign them, for the tests of their endpoints. */

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Slack: `v0=` + hex(HMAC-SHA256(secret, "v0:<timestamp>:<body>")). */
export function slackSignature(secret: string, ts: number | string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
}

/** A form body with Slack's signature headers. */
export function slackSigned(secret: string, body: string, ts = nowSeconds()): SignedRequest {
  return {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': slackSignature(secret, ts, body),
    },
  };
}

/** A Discord application key pair; `publicKeyHex` is what the developer portal shows. */
export function discordKeys(): { privateKey: KeyObject; publicKeyHex: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  // The portal shows the raw 32-byte key as hex; the JWK's x is the same bytes.
  const x = publicKey.export({ format: 'jwk' }).x!;
  return { privateKey, publicKeyHex: Buffer.from(x, 'base64url').toString('hex') };
}

/** A JSON body signed as Discord does: hex(Ed25519(timestamp + raw body)). */
export function discordSigned(key: KeyObject, body: string, ts = nowSeconds()): SignedRequest {
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-signature-ed25519': sign(null, Buffer.from(String(ts) + body), key).toString('hex'),
      'x-signature-timestamp': String(ts),
    },
  };
}
