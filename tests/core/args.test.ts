import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { assignTokens, kindOf, tokenize } from '../../src/core/args.ts';
import { PulseError } from '../../src/core/errors.ts';

describe('tokenize', () => {
  it('GIVEN words, key:value and quotes (straight and typographic) THEN tokens are split right', () => {
    expect(tokenize('acme owner:"Maya Chen" limit:5 “late delivery”')).toEqual([
      { value: 'acme', quoted: false },
      { key: 'owner', value: 'Maya Chen', quoted: true },
      { key: 'limit', value: '5', quoted: false },
      { value: 'late delivery', quoted: true },
    ]);
  });

  it('GIVEN an unclosed quote THEN it is an INVALID_ARGS error', () => {
    expect(() => tokenize('say "hello')).toThrow(PulseError);
  });
});

describe('assignTokens', () => {
  const shape = {
    customer: z.string(),
    score: z.coerce.number().int(),
    comment: z.string().optional(),
    'skip-if-empty': z.boolean().optional(),
    owner: z.string().optional(),
  };

  it('GIVEN positional words with a rest key THEN the rest collects the remaining words', () => {
    const out = assignTokens(tokenize('acme 2 late delivery again owner:tom skip-if-empty'), shape, { positional: ['customer', 'score', 'comment'], rest: true });
    expect(out).toEqual({ customer: 'acme', score: '2', comment: 'late delivery again', owner: 'tom', 'skip-if-empty': true });
  });

  it('GIVEN an unknown key:value THEN it is kept as a positional word (a time like 09:00 or a url)', () => {
    const out = assignTokens(tokenize('note:this'), { text: z.string() }, { positional: ['text'], rest: true });
    expect(out).toEqual({ text: 'note:this' });
  });

  it('GIVEN too many words and no rest THEN it says what was unexpected', () => {
    expect(() => assignTokens(tokenize('a b'), { x: z.string() }, { positional: ['x'] })).toThrow(/did not expect `b`/);
  });

  it('GIVEN zod kinds THEN kindOf tells integers, numbers, booleans and enums apart', () => {
    expect(kindOf(z.coerce.number().int())).toBe('integer');
    expect(kindOf(z.number().int().min(1).optional())).toBe('integer');
    expect(kindOf(z.number())).toBe('number');
    expect(kindOf(z.boolean().default(false))).toBe('boolean');
    expect(kindOf(z.enum(['csat', 'nps']).optional())).toBe('enum');
    expect(kindOf(z.string().trim())).toBe('string');
    expect(kindOf(z.preprocess((v) => v, z.coerce.number().int()))).toBe('integer');
  });
});
