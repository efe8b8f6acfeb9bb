// The words a customer can be found by: the id, the name and the company, whole and word by word.

export function normalizeSearch(text: string): string {
  return text.normalize('NFKC').toLowerCase().trim();
}

export function searchTerms(c: { customer_id: string; name: string | null; email: string | null; company: string | null }): string[] {
  const terms = new Set<string>();
  const add = (t: string) => {
    const v = normalizeSearch(t);
    if (v.length > 0 && v.length <= 120) terms.add(v);
  };
  add(c.customer_id);
  for (const text of [c.name, c.company]) {
    if (!text) continue;
    add(text);
    for (const w of normalizeSearch(text).split(/[\s,.;:()/&+'"-]+/u)) add(w);
  }
  // Emails are found through their own index (exact match); their words would only add noise.
  return [...terms];
}

export function searchText(c: { customer_id: string; name: string | null; email: string | null; company: string | null }): string {
  return normalizeSearch([c.customer_id, c.name, c.email, c.company].filter(Boolean).join(' | '));
}
