/**
 * List-valued export columns: what render-operations accepts in `x-csv-columns` (an array of
 * scalars as it is; an array of objects only with the scalar fields its items keep) and the
 * cell every list becomes (src/http/csv.ts `listCell`), the same in CSV and XLSX.
 */
import { listCell } from '../src/http/csv';
import { collectOperations } from './render-operations';

type Column = Record<string, unknown>;

/** A contract with one list operation exporting `columns` of rows that hold a list of codes and a list of lines. */
const contract = (columns: Column[]) => ({
  openapi: '3.0.3',
  info: { title: 'fixture', version: '1.0.0' },
  paths: {
    '/vouchers': {
      get: {
        operationId: 'listVouchers',
        responses: {
          200: {
            description: 'ok',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    data: {
                      type: 'object',
                      properties: {
                        items: {
                          type: 'array',
                          items: {
                            type: 'object',
                            properties: {
                              id: { type: 'string' },
                              codes: { type: 'array', items: { type: 'string' } },
                              lines: {
                                type: 'array',
                                items: {
                                  type: 'object',
                                  properties: {
                                    cardId: { type: 'string' },
                                    amount: { type: 'object', properties: { value: { type: 'integer' }, unit: { type: 'string' } } },
                                  },
                                },
                              },
                            },
                          },
                        },
                      },
                    },
                  },
                },
              },
              'text/csv': { schema: { type: 'string' }, 'x-csv-rows': 'items', 'x-csv-file-name': 'vouchers', 'x-csv-columns': columns },
            },
          },
          406: { description: 'not acceptable' },
        },
      },
    },
  },
});
const csvOf = (columns: Column[]) => collectOperations(contract(columns)).find((row) => row.operationId === 'listVouchers')?.csv;

describe('list columns in the contract', () => {
  it('when a column names a list of scalars, or a list of objects with the scalar fields its items keep, then it is a list column', () => {
    expect(
      csvOf([
        { name: 'codes', path: 'codes', description: 'The codes.' },
        { name: 'lines', path: 'lines', items: ['cardId', 'amount.value', 'amount.unit'], description: 'The lines.' },
      ])?.columns,
    ).toEqual([
      { name: 'codes', path: 'codes', type: 'list' },
      { name: 'lines', path: 'lines', type: 'list', items: ['cardId', 'amount.value', 'amount.unit'] },
    ]);
  });

  it.each<[string, Column, RegExp]>([
    ['a list of objects without items', { name: 'lines', path: 'lines', description: 'x' }, /is a list of objects: name the fields each item keeps/],
    ['items naming an object', { name: 'lines', path: 'lines', items: ['amount'], description: 'x' }, /items names amount, not a scalar of an item/],
    ['items naming nothing', { name: 'lines', path: 'lines', items: ['price'], description: 'x' }, /items names price, not a scalar of an item/],
    ['empty items', { name: 'lines', path: 'lines', items: [], description: 'x' }, /items must be the dotted paths/],
    ['items on a scalar column', { name: 'id', path: 'id', items: ['x'], description: 'x' }, /is not a list: it keeps no items/],
  ])('when a column declares %s, then generation fails naming it', (_, column, message) => {
    expect(() => csvOf([column])).toThrow(message);
  });
});

describe('a list cell', () => {
  it('when a list of objects is written, then it is compact JSON of the kept fields, keyed by their paths in the declared order, null where absent', () => {
    const lines = [
      { amount: { unit: 'XOF', value: 25000 }, cardId: 'crd_1', extra: 'dropped' },
      { cardId: 'crd_2', amount: null },
    ];
    expect(listCell(lines, ['cardId', 'amount.value', 'amount.unit'])).toBe(
      '[{"cardId":"crd_1","amount.value":25000,"amount.unit":"XOF"},{"cardId":"crd_2","amount.value":null,"amount.unit":null}]',
    );
  });

  it('when a list of scalars, an empty list or no list is written, then the JSON array as it is, [] or an empty cell', () => {
    expect([listCell(['fuel', 'shop'], undefined), listCell([], ['cardId']), listCell(null, undefined)]).toEqual(['["fuel","shop"]', '[]', null]);
  });
});
