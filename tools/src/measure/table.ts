// The one way the tools print a table in a terminal: left-aligned columns two spaces apart,
// a rule under the header, every cell as given.

/** The lines of a table, `indent` before each (the stack tests indent theirs under a title). */
export function tableLines(header: string[], rows: string[][], indent = ''): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) =>
    indent +
    widths
      .map((width, column) => (cells[column] ?? '').padEnd(width))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

export function printTable(header: string[], rows: string[][], indent = ''): void {
  for (const line of tableLines(header, rows, indent)) console.log(line);
}
