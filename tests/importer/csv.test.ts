import { describe, expect, it } from 'vitest';
import { CsvReader, type CsvProblem, type CsvRecord } from '../../src/importer/csv.ts';

function readAll(
  chunks: string[],
  options: ConstructorParameters<typeof CsvReader>[0] = {},
): { records: CsvRecord[]; problems: CsvProblem[]; delimiter: string } {
  const reader = new CsvReader(options);
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  for (const c of chunks)
    reader.push(
      c,
      false,
      (r) => records.push(r),
      (p) => problems.push(p),
    );
  reader.end(
    (r) => records.push(r),
    (p) => problems.push(p),
  );
  return { records, problems, delimiter: reader.delimiter };
}

/** Every way of cutting the text into two chunks must read the same. */
function everySplit(text: string, options: ConstructorParameters<typeof CsvReader>[0] = {}) {
  const whole = readAll([text], options);
  for (let i = 1; i < text.length; i++) expect(readAll([text.slice(0, i), text.slice(i)], options)).toEqual(whole);
  return whole;
}

/** The text in chunks of `size` characters. */
const pieces = (text: string, size: number) => Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));

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
    expect(records.map((r) => [r.line, r.fields.join('|')])).toEqual([
      [1, 'a|b'],
      [2, '1|2'],
      [3, '3|4'],
    ]);
  });

  it.each([
    [',', 'id,name,city\n1,"Smith; Ann",Paris\n'],
    [';', 'id;name;city\n1;"Smith, Ann";Paris\n'],
    ['\t', 'id\tname\tcity\n1\tSmith, Ann\tParis\n'],
    ['|', 'id|name|city\n1|Smith, Ann|Paris\n'],
  ])('GIVEN a header separated by %j THEN that is the delimiter, whatever the values hold', (d, text) => {
    const r = everySplit(text);
    expect(r.delimiter).toBe(d);
    expect(r.records[1]!.fields).toEqual(['1', 'Smith' + (d === ',' ? '; ' : ', ') + 'Ann', 'Paris']);
  });

  it("GIVEN Excel's sep= line THEN it names the delimiter and the header follows on line 2", () => {
    const r = everySplit('sep=;\r\nid;name\r\n1;Ann\r\n');
    expect(r.delimiter).toBe(';');
    expect(r.records).toEqual([
      { fields: ['id', 'name'], line: 2 },
      { fields: ['1', 'Ann'], line: 3 },
    ]);
  });

  it('GIVEN a record longer than the cap THEN it is refused with its line and the records after it are read', () => {
    const long = 'x'.repeat(5000);
    const text = `a,b\n1,ok\n2,"${long}\nstill, the same record\n${long}"\n3,ok\n4,${long}${long}\n5,ok`;
    for (const size of [7, 100, 4096, text.length]) {
      const r = readAll(pieces(text, size), { maxRecordChars: 1024 });
      expect(r.records.map((x) => [x.line, x.fields[0]])).toEqual([
        [1, 'a'],
        [2, '1'],
        [6, '3'],
        [8, '5'],
      ]);
      expect(r.problems.map((p) => [p.line, p.code])).toEqual([
        [3, 'record-too-long'],
        [7, 'record-too-long'],
      ]);
    }
  });

  it('GIVEN a quote that never closes in a long file THEN one problem names the line it opened on, without holding the rest', () => {
    const text = 'a,b\n1,ok\n2,"open' + '\nmore,text'.repeat(2000) + '\n';
    const r = readAll(pieces(text, 333), { maxRecordChars: 1024 });
    expect(r.records.map((x) => x.fields[0])).toEqual(['a', '1']);
    expect(r.problems).toEqual([{ line: 3, code: 'unclosed-quote', reason: expect.stringMatching(/never closed .* reads as one record/) }]);
  });

  it('GIVEN a skipped record ending in CRLF split between chunks THEN line numbers stay right', () => {
    const text = 'a\r\n' + 'y'.repeat(3000) + '\r\n1\r\n2\r\n';
    const at = text.indexOf('\r\n1') + 1;
    const r = readAll([text.slice(0, 1500), text.slice(1500, at), text.slice(at)], { maxRecordChars: 1024 });
    expect(r.records.map((x) => [x.line, x.fields[0]])).toEqual([
      [1, 'a'],
      [3, '1'],
      [4, '2'],
    ]);
    expect(r.problems.map((p) => p.line)).toEqual([2]);
  });

  it('GIVEN text marked as holding undecodable bytes THEN only the records holding U+FFFD are flagged', () => {
    const reader = new CsvReader();
    const records: CsvRecord[] = [];
    reader.push(
      'a,b\n1,fine\n2,bro\uFFFDken\n3,fine\n',
      true,
      (r) => records.push(r),
      () => {},
    );
    reader.end(
      (r) => records.push(r),
      () => {},
    );
    expect(records.map((r) => r.badText ?? false)).toEqual([false, false, true, false]);
  });
});
