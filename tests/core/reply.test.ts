import { describe, expect, it } from 'vitest';
import { scrubPersonalData, withoutPersonalData } from '../../src/core/reply.ts';

describe('withoutPersonalData', () => {
  it('GIVEN emails and phone numbers THEN they are hidden, but dates and amounts are not', () => {
    expect(scrubPersonalData('Call +49 30 1234 5678 or ann@acme.com')).toBe('Call [hidden] or [hidden]');
    expect(scrubPersonalData('(415) 555-0132')).toBe('[hidden]');
    expect(scrubPersonalData('Last order 2026-11-16 (7 days ago), $1,234.50')).toBe('Last order 2026-11-16 (7 days ago), $1,234.50');
    expect(scrubPersonalData('2026-11-16T09:00:00Z')).toBe('2026-11-16T09:00:00Z');
  });

  it('GIVEN a card with PII fields and columns THEN the shared version drops them and its buttons', () => {
    const shared = withoutPersonalData({
      title: 'Ann',
      fields: [{ label: 'Email', value: 'ann@acme.com', pii: true }, { label: 'Owner', value: 'Maya' }],
      tables: [{ columns: [{ label: 'Name' }, { label: 'Email', pii: true }], rows: [['Ann', 'ann@acme.com']] }],
      buttons: [{ label: 'Share', action: { kind: 'share', command: '/customer C1' } }],
      visibility: 'private',
    });
    expect(shared.visibility).toBe('channel');
    expect(shared.fields).toEqual([{ label: 'Owner', value: 'Maya' }]);
    expect(shared.tables![0]!.rows).toEqual([['Ann']]);
    expect(shared.buttons).toBeUndefined();
  });
});
