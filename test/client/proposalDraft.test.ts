import { describe, expect, it } from 'vitest';
import {
  changedFields,
  draftOf,
  emptyDraft,
  fieldsOf,
} from '../../client/src/lib/proposalDraft.ts';
import {
  CreateProposalRequest,
  type Proposal,
  UpdateProposalRequest,
} from '../../shared/schemas/index.ts';

const PROPOSAL: Proposal = {
  id: 'pr_abcdefghijklmnop',
  proposer: 'alice',
  status: 'pending',
  question: 'Will it rain in Paris on 1 May?',
  description: '',
  criteria: 'Météo-France reports rain at Montsouris.',
  type: 'binary',
  outcomes: ['Yes', 'No'],
  closesAt: '2027-04-30T12:00:00.000Z',
  spaceId: null,
  sources: ['https://meteofrance.com/'],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('proposal drafts', () => {
  it('changes nothing when the draft is left as it was', () => {
    expect(changedFields(PROPOSAL, draftOf(PROPOSAL))).toEqual({});
  });

  it('sends only the edited fields, in the shape the API takes', () => {
    const d = { ...draftOf(PROPOSAL), question: 'Will it rain in Lyon on 1 May?', sources: '' };
    const changed = changedFields(PROPOSAL, d);
    expect(changed).toEqual({ question: 'Will it rain in Lyon on 1 May?', sources: [] });
    expect(UpdateProposalRequest.safeParse(changed).success).toBe(true);
  });

  it('sends the type with the outcomes, one a line, when either changes', () => {
    const d = { ...draftOf(PROPOSAL), type: 'multiple' as const, outcomes: 'Rain\n\n Sun \nSnow' };
    const changed = changedFields(PROPOSAL, d);
    expect(changed).toEqual({ type: 'multiple', outcomes: ['Rain', 'Sun', 'Snow'] });
    expect(UpdateProposalRequest.safeParse(changed).success).toBe(true);
    // Back to yes/no: no outcomes go with it, as the schema requires.
    const back = { ...draftOf({ ...PROPOSAL, type: 'multiple', outcomes: ['A', 'B'] }) };
    expect(
      changedFields(
        { ...PROPOSAL, type: 'multiple', outcomes: ['A', 'B'] },
        {
          ...back,
          type: 'binary',
        },
      ),
    ).toEqual({ type: 'binary' });
  });

  it('makes a valid new proposal of a filled-in empty draft', () => {
    const d = {
      ...emptyDraft(),
      question: 'Will the beta ship in May?',
      criteria: 'It is public.',
    };
    const fields = fieldsOf(d);
    expect(fields).not.toHaveProperty('description');
    expect(fields).not.toHaveProperty('sources');
    expect(CreateProposalRequest.safeParse(fields).success).toBe(true);
  });
});
