// Churn drivers are stored as a JSON list of sentences; a report shows them joined.
export function parseDrivers(json: string | null): string[] {
  if (!json) return [];
  try {
    const v = JSON.parse(json);
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}
