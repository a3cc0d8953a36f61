/** URL-safe slugs, shared so the client can name outcome ids before the server makes them. */

/** A slug of some text: accents dropped, a-z0-9 and -, at most `max` characters. */
export function slugify(text: string, max = 60): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/g, '');
  return slug || 'market';
}

/** The ids of multiple-choice outcomes: each label's slug (36 characters), -2, -3… on repeats. */
export function outcomeIdsOf(labels: readonly string[]): string[] {
  const used = new Set<string>();
  return labels.map((label) => {
    const base = slugify(label, 36);
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    return id;
  });
}

/**
 * A question reduced to what makes two phrasings the same question for a reviewer: letters and
 * digits only, lower case, without accents, punctuation or repeated spaces.
 */
export function normalizeQuestion(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
