import { formatCredits } from '../../shared/money.ts';
import type { Market } from '../../shared/schemas/index.ts';

/** 0.4234 → "42%"; below 1% and above 99% one decimal. */
export function pct(p: number): string {
  const v = p * 100;
  if (v > 0 && v < 1) return `${v.toFixed(1)}%`;
  if (v > 99 && v < 100) return `${v.toFixed(1)}%`;
  return `${Math.round(v)}%`;
}

/** Cents as credits: 12345 → "123.45 cr". */
export function credits(cents: number): string {
  return `${formatCredits(cents)} cr`;
}

/** A number with fixed decimals, never "-0.0". */
export function fixed(v: number, digits: number): string {
  const s = v.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

export function shares(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2);
}

const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "in 3 days", "5 minutes ago". */
export function relative(iso: string, now = Date.now()): string {
  const diff = (Date.parse(iso) - now) / 1000;
  const abs = Math.abs(diff);
  if (abs < 60) return rtf.format(Math.round(diff), 'second');
  if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(diff / 3600), 'hour');
  if (abs < 86400 * 60) return rtf.format(Math.round(diff / 86400), 'day');
  return rtf.format(Math.round(diff / (86400 * 30)), 'month');
}

export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString('en-GB', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'UTC',
    timeZoneName: 'short',
  });
}

export function date(iso: string): string {
  return new Date(iso).toLocaleDateString('en-GB', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  });
}

/** The headline of a market: P(yes) for binary, the leading outcome for multiple choice. */
export function headline(m: Market): { label: string; probability: number } {
  if (m.type === 'binary') return { label: 'Yes', probability: m.outcomes[0]!.probability };
  const top = m.outcomes.reduce((a, b) => (b.probability > a.probability ? b : a));
  return { label: top.label, probability: top.probability };
}

export const STATUS_LABEL: Record<Market['status'], string> = {
  open: 'Open',
  closed: 'Closed',
  resolved: 'Resolved',
  cancelled: 'Cancelled',
};
