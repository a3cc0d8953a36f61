/** A datetime-local input's value (local time, no zone) for `d`. */
export function localInputOf(d: Date): string {
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** datetime-local is local time; the API wants UTC. Empty when the input holds no valid time. */
export function isoOf(local: string): string {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}
