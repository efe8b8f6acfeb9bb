import { describe, expect, it } from 'vitest';
import { CsvReader, type CsvProblem, type CsvRecord } from '../../src/importer/csv.ts';

function readAll(chunks: string[]): { records: CsvRecord[]; problems: CsvProblem[] } {
  const reader = new CsvReader();
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  for (const c of chunks) reader.push(c, false, (r) => records.push(r), (p) => problems.push(p));
  reader.end((r) => records.push(r), (p) => problems.push(p));
  return { records, problems };
}

/** Every way of cutting the text into two chunks must read the same. */
function everySplit(text: string) {
  const whole = readAll([text]);
  for (let i = 1; i < text.length; i++) expect(readAll([text.slice(0, i), text.slice(i)])).toEqual(whole);
  return whole;
}

describe('CsvReader', () => {
  it('GIVEN a BOM, CRLF and quoted fields with commas, quotes and newlines THEN fields and start lines are exact', () => {
    const text = '\uFEFFid,name\r\n1,"Acme, Inc. ""HQ"""\r\n2,"two\r\nlines"\r\n3,plain\r\n';
    const { records, problems } = everySplit(text);
    expect(problems).toEqual([]);
    expect(records).toEqual([
      { fields: ['id', 'name'], line: 1 },
      { fields: ['1', 'Acme, Inc. "HQ"'], line: 2 },
      { fields: ['2', 'two\r\nlines'], line: 3 },
      { fields: ['3', 'plain'], line: 5 },
    ]);
  });

  it('GIVEN blank lines THEN they are skipped but counted in line numbers', () => {
    const { records } = everySplit('a,b\n\n1,2\n\n\n3,4');
    expect(records.map((r) => r.line)).toEqual([1, 3, 6]);
    expect(records[2]!.fields).toEqual(['3', '4']);
  });

  it('GIVEN a quote that never closes THEN the problem names the line it opened on', () => {
    const { records, problems } = readAll(['a,b\n1,2\n3,"oops\n4,5\n']);
    expect(records.map((r) => r.fields[0])).toEqual(['a', '1']);
    expect(problems).toEqual([{ line: 3, code: 'unclosed-quote', reason: expect.stringContaining('never closed') }]);
  });

  it('GIVEN empty fields and a trailing delimiter THEN empty strings are kept', () => {
    const { records } = everySplit('a,b,c\n,,\nx,,z\n');
    expect(records[1]!.fields).toEqual(['', '', '']);
    expect(records[2]!.fields).toEqual(['x', '', 'z']);
  });

  it('GIVEN lone CR line endings THEN each CR ends a record', () => {
    const { records } = everySplit('a,b\r1,2\r3,4\r');
    expect(records.map((r) => [r.line, r.fields.join('|')])).toEqual([[1, 'a|b'], [2, '1|2'], [3, '3|4']]);
  });
});
