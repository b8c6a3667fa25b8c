/** Reading CSV answers as spreadsheets read them. */

/** The cells of CSV text as a spreadsheet splitting on `separator` reads them (RFC 4180 quotes honoured). */
export function spreadsheetCells(text: string, separator: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  text = text.replace(/^\ufeff/, '');
  let cell = '';
  let quoted = false;
  let started = false;
  const endCell = () => {
    row.push(cell);
    cell = '';
    started = false;
  };
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if (quoted) {
      if (character === '"' && text[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (character === '"') quoted = false;
      else cell += character;
    } else if (character === '"' && !started) {
      quoted = true;
      started = true;
    } else if (character === separator) endCell();
    else if (character === '\n' || character === '\r') {
      // A line break outside quotes ends the row (CR LF once).
      endCell();
      rows.push(row);
      row = [];
      if (character === '\r' && text[index + 1] === '\n') index += 1;
    } else {
      cell += character;
      started = true;
    }
  }
  return rows;
}
