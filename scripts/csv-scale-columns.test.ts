/**
 * Every CSV the contract serves gives each unit's scale beside it: a column naming a unit
 * (`unit`, or a path ending `.unit`) is followed by the column of that unit's scale (`scale`,
 * or the same path ending `.scale`), and so is a unit kept by the items of a list column, so
 * that `13000` beside `L-GASOIL` reads as 130.00 L without a second call.
 */
import { operationTable } from '../generated/operations';

/** The unit columns of `names` not followed by their scale (`x.unit` needs `x.scale` right after). */
function unitsWithoutScale(names: readonly string[]): string[] {
  return names.filter((name, index) => (name === 'unit' || name.endsWith('.unit')) && names[index + 1] !== name.replace(/unit$/u, 'scale'));
}

describe('scale beside every exported unit', () => {
  const exports = Object.values(operationTable).flatMap((operation) => (operation.csv ? [{ id: operation.operationId, csv: operation.csv }] : []));

  it('when the contract is read, then it serves CSV exports with unit columns (the walk below has something to check)', () => {
    const withUnits = exports.filter(({ csv }) => csv.columns.some((column) => column.name.endsWith('unit')));
    expect(withUnits.length).toBeGreaterThan(10);
  });

  it.each(exports.map(({ id, csv }) => [id, csv] as const))('when %s is exported as CSV, then each unit column has its scale column next to it', (_id, csv) => {
    const columns = csv.columns as readonly { name: string; path: string; items?: readonly string[] }[];
    expect(unitsWithoutScale(columns.map((column) => column.name))).toEqual([]);
    // A column's name is its path in the row: the scale column reads the unit's scale beside it.
    expect(columns.filter((column) => column.name.endsWith('.scale') && column.path !== column.name).map((column) => column.name)).toEqual([]);
    for (const column of columns)
      if (column.items) expect({ list: column.name, missing: unitsWithoutScale(column.items) }).toEqual({ list: column.name, missing: [] });
  });
});
