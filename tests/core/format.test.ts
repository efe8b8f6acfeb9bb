import { describe, expect, it } from 'vitest';
import { customerLabel, formatMoney } from '../../src/core/format.ts';

describe('customerLabel', () => {
  it('GIVEN a name THEN the name and the id', () => {
    expect(customerLabel({ name: 'Acme Ltd', customer_id: 'C00042' })).toBe('Acme Ltd (C00042)');
  });
  it('GIVEN no name, a blank one or the id as the name THEN the id once', () => {
    expect(customerLabel({ name: null, customer_id: '17850' })).toBe('17850');
    expect(customerLabel({ name: '  ', customer_id: '17850' })).toBe('17850');
    expect(customerLabel({ name: '17850', customer_id: '17850' })).toBe('17850');
  });
});

describe('formatMoney', () => {
  it('GIVEN a currency THEN its symbol', () => {
    expect(formatMoney(1234.5, 'GBP')).toBe('£1,234.50');
    expect(formatMoney(1234.5, 'USD')).toBe('$1,234.50');
  });
});
