/**
 * A fresh idempotency key for a trade. crypto.randomUUID exists only in secure contexts
 * (https, localhost); over plain http on a LAN address the same v4 UUID is built from
 * getRandomValues, which is available everywhere.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The most a trade may cost given its quote: 1% above it (at least one cent), so a small move by
 * someone else does not refuse the trade but a larger one does (the server answers `slippage`).
 * For a sell the quote is negative (proceeds) and the limit is the smallest proceeds accepted:
 * 1% less than quoted.
 */
export function maxCostFor(quoteCents: number): number {
  // Divided by 100, not multiplied by 0.01: 700 * 0.01 is 7.000000000000001 and would ceil to 8.
  return quoteCents + Math.max(1, Math.ceil(Math.abs(quoteCents) / 100));
}
