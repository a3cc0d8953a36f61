import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outcomeIdsOf } from '../../client/src/lib/outcomeIds.ts';
import { slugify } from '../../shared/slug.ts';

describe('outcomeIdsOf', () => {
  it('slugs labels and numbers repeats like the server', () => {
    expect(outcomeIdsOf(['Zhipu AI (GLM)', 'DeepSeek', 'Café Olé', 'deepseek', '???'])).toEqual([
      'zhipu-ai-glm',
      'deepseek',
      'cafe-ole',
      'deepseek-2',
      'market',
    ]);
  });

  it('agrees with the server slug for any label', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (label) => {
        expect(outcomeIdsOf([label])[0]).toBe(slugify(label, 36));
      }),
    );
  });
});
