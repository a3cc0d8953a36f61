import type { Proposal } from '../../../shared/schemas/index.ts';
import { isoOf, localInputOf } from './localTime.ts';

/** A proposal as its form holds it: strings as typed, outcomes and sources one a line. */
export interface ProposalDraft {
  question: string;
  description: string;
  criteria: string;
  type: 'binary' | 'multiple';
  outcomes: string;
  /** A datetime-local value (the proposer's local time). */
  closesAt: string;
  sources: string;
}

const DAY_MS = 86_400_000;

export function emptyDraft(now = new Date()): ProposalDraft {
  return {
    question: '',
    description: '',
    criteria: '',
    type: 'binary',
    outcomes: '',
    closesAt: localInputOf(new Date(now.getTime() + 30 * DAY_MS)),
    sources: '',
  };
}

export function draftOf(p: Proposal): ProposalDraft {
  return {
    question: p.question,
    description: p.description,
    criteria: p.criteria,
    type: p.type,
    outcomes: p.type === 'multiple' ? p.outcomes.join('\n') : '',
    closesAt: localInputOf(new Date(p.closesAt)),
    sources: p.sources.join('\n'),
  };
}

const lines = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** The request fields of a whole draft (for a new proposal); the schema then checks them. */
export function fieldsOf(d: ProposalDraft): Record<string, unknown> {
  const sources = lines(d.sources);
  return {
    question: d.question,
    ...(d.description.trim() ? { description: d.description } : {}),
    criteria: d.criteria,
    type: d.type,
    ...(d.type === 'multiple' ? { outcomes: lines(d.outcomes) } : {}),
    closesAt: isoOf(d.closesAt),
    ...(sources.length ? { sources } : {}),
  };
}

/** Only what the draft changed from the proposal, for an edit or a reviewer's approval. */
export function changedFields(p: Proposal, d: ProposalDraft): Record<string, unknown> {
  const before = draftOf(p);
  const all = fieldsOf(d);
  const out: Record<string, unknown> = {};
  if (d.question !== before.question) out.question = all.question;
  if (d.description !== before.description) out.description = d.description;
  if (d.criteria !== before.criteria) out.criteria = all.criteria;
  if (
    d.type !== before.type ||
    lines(d.outcomes).join('\n') !== lines(before.outcomes).join('\n')
  ) {
    out.type = d.type;
    if (d.type === 'multiple') out.outcomes = all.outcomes ?? [];
  }
  if (d.closesAt !== before.closesAt) out.closesAt = all.closesAt;
  if (lines(d.sources).join('\n') !== lines(before.sources).join('\n')) {
    out.sources = lines(d.sources);
  }
  return out;
}

const LABELS: Record<string, string> = {
  question: 'Question',
  description: 'Description',
  criteria: 'Resolution criteria',
  type: 'Type',
  outcomes: 'Outcomes',
  closesAt: 'Closes at',
  sources: 'Sources',
  spaceId: 'Where',
};

/** A schema issue in the form's words: "Sources: …", "Closes at: choose a date and time". */
export function issueText(i: { path: PropertyKey[]; message: string }): string {
  const field = String(i.path[0] ?? '');
  const label = LABELS[field] ?? 'Form';
  if (field === 'closesAt') return `${label}: choose a date and time`;
  if (field === 'sources') return `${label}: each line must be an http:// or https:// address`;
  return `${label}: ${i.message}`;
}
