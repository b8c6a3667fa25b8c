import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import { exportFileName, streamCsv, type CsvExport } from './csv';

const EXPORT: CsvExport = {
  rows: 'items',
  fileName: 'things',
  columns: [
    { name: 'id', path: 'id', type: 'text' },
    { name: 'amount.value', path: 'amount.value', type: 'amount', unit: 'amount.unit' },
    { name: 'note', path: 'note', type: 'text' },
  ],
  xlsx: false,
};

/** A response whose socket buffer is full after every write, until the test drains it. */
class SlowResponse extends EventEmitter {
  chunks: string[] = [];
  ended = false;
  destroyed = false;
  headers: Record<string, string> = {};
  status() {
    return this;
  }
  type(value: string) {
    this.headers['content-type'] = value;
    return this;
  }
  setHeader(name: string, value: string) {
    this.headers[name.toLowerCase()] = value;
    return this;
  }
  write(chunk: string) {
    this.chunks.push(chunk);
    return false;
  }
  end() {
    this.ended = true;
  }
}

const page = (ids: string[], nextCursor: string | null) => ({ items: ids.map((id) => ({ id, amount: { value: 5, unit: 'XOF' }, note: null })), nextCursor });
const turns = () => new Promise((resolve) => setImmediate(resolve));

describe('streamCsv', () => {
  it('when the client has not drained a page, then the next one is not read; when it drains, the export goes on to the last page', async () => {
    const res = new SlowResponse();
    const asked: string[] = [];
    const done = streamCsv(res as unknown as Response, EXPORT, 'things.csv', page(['a'], 'c1'), async (cursor) => {
      asked.push(cursor);
      return cursor === 'c1' ? page(['b'], 'c2') : page(['=c'], null);
    });
    await turns();
    expect([asked, res.chunks]).toEqual([[], ['\ufeffid,amount.value,note\r\na,5,\r\n']]);
    res.emit('drain');
    await turns();
    expect([asked, res.chunks.length]).toEqual([['c1'], 2]);
    res.emit('drain');
    await turns();
    res.emit('drain');
    await done;
    expect([asked, res.chunks.slice(1), res.ended, res.headers['content-disposition']]).toEqual([
      ['c1', 'c2'],
      ['b,5,\r\n', "'=c,5,\r\n"],
      true,
      'attachment; filename="things.csv"',
    ]);
    expect(res.listenerCount('drain') + res.listenerCount('close')).toBe(0);
  });

  it('when the client goes away while the export waits, then no further page is read', async () => {
    const res = new SlowResponse();
    const nextPage = jest.fn(async () => page(['b'], null));
    const done = streamCsv(res as unknown as Response, EXPORT, 'things.csv', page(['a'], 'c1'), nextPage);
    await turns();
    res.destroyed = true;
    res.emit('close');
    await done;
    expect([nextPage.mock.calls.length, res.ended]).toEqual([0, false]);
  });
});

describe('exportFileName', () => {
  const now = new Date('2026-12-07T14:05:09.123Z');
  it.each([
    ['a day', 'statement_{day}_{unit}', { day: '2026-12-01', unit: 'XOF' }, 'statement_2026-12-01_XOF.csv'],
    [
      'instants at midnight UTC',
      'ops_{from:start}_{to:now}',
      { from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00.000Z' },
      'ops_2026-12-01_2026-12-02.csv',
    ],
    ['an instant in the day, with an offset', 'ops_{from:start}_{to:now}', { from: '2026-12-01T09:30:00+01:00' }, 'ops_20261201T083000Z_20261207T140509Z.csv'],
    ['no period', 'ops_{from:start}_{to:now}', {}, 'ops_start_20261207T140509Z.csv'],
    ['a value with characters a file name should not hold', 'card_{cardId}', { cardId: '../a"b' }, 'card_..-a-b.csv'],
  ])('with %s, then the name is the template filled in', (_title, template, parameters, expected) => {
    expect(exportFileName(template, parameters, now, 'csv')).toBe(expected);
  });
});
