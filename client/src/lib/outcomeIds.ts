/**
 * The ids the server gives multiple-choice outcomes, so claims can name an outcome before the
 * market exists: each label's slug (accents dropped, a-z0-9 and -, at most 36 characters), with
 * -2, -3, … on repeats. Mirrors server/services/markets.ts; a test keeps the two in step.
 */
export function outcomeIdsOf(labels: readonly string[]): string[] {
  const used = new Set<string>();
  return labels.map((label) => {
    const base = slug(label, 36);
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    return id;
  });
}

function slug(text: string, max: number): string {
  const s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/g, '');
  return s || 'market';
}
