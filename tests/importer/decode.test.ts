import { describe, expect, it } from 'vitest';
import { ImportDecoder, parseEncodingOption } from '../../src/importer/decode.ts';

/** Decodes bytes fed in pieces of `step` bytes, as a stream would deliver them. */
function decode(bytes: Buffer, step: number, forced?: Parameters<typeof parseEncodingOption>[0]) {
  const d = new ImportDecoder(forced ? parseEncodingOption(forced) : undefined);
  let text = '';
  let suspect = false;
  for (let i = 0; i < bytes.length; i += step) {
    const c = d.write(bytes.subarray(i, i + step));
    text += c.text;
    suspect ||= c.suspect;
  }
  const e = d.end();
  return { text: text + e.text, suspect: suspect || e.suspect, encoding: d.description };
}

const TEXT = 'customer_id,name\nC1,Müller — “Straße” €5\n';
const cp1252 = Buffer.from([
  ...Buffer.from('customer_id,name\nC1,M'),
  0xfc,
  ...Buffer.from('ller '),
  0x97,
  0x20,
  0x93,
  ...Buffer.from('Stra'),
  0xdf,
  0x65,
  0x94,
  0x20,
  0x80,
  0x35,
  0x0a,
]);

describe('ImportDecoder', () => {
  it.each([1, 2, 3, 7, 1 << 16])('GIVEN the same text in every encoding, fed %i bytes at a time THEN it reads the same and says which', (step) => {
    const le = Buffer.from(TEXT, 'utf16le');
    const be = Buffer.from(le).swap16();
    expect(decode(Buffer.from(TEXT), step)).toEqual({ text: TEXT, suspect: false, encoding: 'UTF-8' });
    expect(decode(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT)]), step)).toEqual({ text: TEXT, suspect: false, encoding: 'UTF-8 (BOM)' });
    expect(decode(cp1252, step)).toEqual({ text: TEXT, suspect: false, encoding: 'Windows-1252 (detected: the bytes are not UTF-8)' });
    expect(decode(Buffer.concat([Buffer.from([0xff, 0xfe]), le]), step)).toEqual({ text: TEXT, suspect: false, encoding: 'UTF-16LE (BOM)' });
    expect(decode(Buffer.concat([Buffer.from([0xfe, 0xff]), be]), step)).toEqual({ text: TEXT, suspect: false, encoding: 'UTF-16BE (BOM)' });
    expect(decode(le, step)).toEqual({ text: TEXT, suspect: false, encoding: 'UTF-16LE (no BOM, detected)' });
  });

  it('GIVEN a long ASCII start before the first Windows-1252 byte THEN everything before it reads the same', () => {
    const head = 'x,'.repeat(100_000) + '\n';
    const bytes = Buffer.concat([Buffer.from(head), Buffer.from([0x4d, 0xfc, 0x0a])]);
    expect(decode(bytes, 4096)).toMatchObject({ text: head + 'Mü\n', encoding: expect.stringMatching(/^Windows-1252/) });
  });

  it('GIVEN a UTF-8 file with one broken byte THEN it stays UTF-8 and the broken spot is marked, not guessed', () => {
    const bytes = Buffer.concat([Buffer.from('a,é,'), Buffer.from([0xff]), Buffer.from('ü\n')]);
    const r = decode(bytes, 3);
    expect(r.encoding).toBe('UTF-8');
    expect(r.suspect).toBe(true);
    expect(r.text).toBe('a,é,\uFFFDü\n');
  });

  it('GIVEN bytes Windows-1252 leaves undefined THEN they are marked, so the reader can refuse the row', () => {
    const r = decode(Buffer.from([0x61, 0x2c, 0x81, 0xe9, 0x0a]), 2);
    expect(r.encoding).toMatch(/^Windows-1252/);
    expect(r.suspect).toBe(true);
    expect(r.text).toBe('a,\uFFFDé\n');
  });

  it('GIVEN --encoding THEN it is used as given, its own BOM dropped', () => {
    expect(decode(Buffer.from('a,Mü €\n'), 5, 'cp1252')).toMatchObject({ text: 'a,MÃ¼ â‚¬\n', encoding: 'Windows-1252' });
    expect(decode(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]), 3, 'utf16')).toMatchObject({ text: TEXT, encoding: 'UTF-16LE' });
    expect(parseEncodingOption('Windows-1252')).toBe('cp1252');
    expect(parseEncodingOption('UTF_8')).toBe('utf8');
    expect(parseEncodingOption('ebcdic')).toBeUndefined();
  });
});
