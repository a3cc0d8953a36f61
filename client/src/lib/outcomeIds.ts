// The ids the server gives multiple-choice outcomes, so claims can name one before the market exists.
export { outcomeIdsOf } from '../../../shared/slug.ts';
