import { csvCell, toCsv } from './csv.js';

describe('CSV export', () => {
  it.each([
    ['plain text', 'echo', 'echo'],
    ['a number', 42, '42'],
    ['a negative number', -1, '-1'],
    ['a boolean', false, 'false'],
    ['nothing', null, ''],
    ['a comma', 'a,b', '"a,b"'],
    ['double quotes', 'say "hi"', '"say ""hi"""'],
    ['a line break', 'one\ntwo', '"one\ntwo"'],
    ['a carriage return and line feed', 'one\r\ntwo', '"one\r\ntwo"'],
    ['a formula', '=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'],
    ['a leading plus', '+1', "'+1"],
    ['a leading minus', '-rf', "'-rf"],
    ['a leading at sign', '@SUM(A1)', "'@SUM(A1)"],
    ['a leading tab', '\tx', "'\tx"],
    ['a leading carriage return', '\rx', '"\'\rx"'],
    ['an equals sign inside', 'a=b', 'a=b'],
    ['a minus inside', 'a-b', 'a-b'],
  ])('writes %s: %j', (_what, value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('writes a header row, then one CRLF-ended line per record', () => {
    expect(
      toCsv(
        ['name', 'tools', 'calls'],
        [
          { name: 'weather', tools: 'forecast;alerts', calls: 3 },
          { name: 'notes, "beta"', tools: '', calls: 0 },
        ],
      ),
    ).toBe('name,tools,calls\r\nweather,forecast;alerts,3\r\n"notes, ""beta""",,0\r\n');
  });

  it('writes only the header when there is nothing to list', () => {
    expect(toCsv(['name'], [])).toBe('name\r\n');
  });
});
