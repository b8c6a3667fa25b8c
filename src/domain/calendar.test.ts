import fc from 'fast-check';
import { contractInstant, EARLIEST_INSTANT, isContractDate, isContractDateTime, LATEST_INSTANT } from './calendar';

describe('the contract date-time', () => {
  it('when an instant is within the range, then its ISO form is accepted and names it', () => {
    fc.assert(
      fc.property(fc.integer({ min: EARLIEST_INSTANT, max: LATEST_INSTANT }), (instant) => {
        expect(contractInstant(new Date(instant).toISOString())).toBe(instant);
      }),
    );
  });

  it.each([
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2026-01-01t10:00:00z', Date.UTC(2026, 0, 1, 10)],
    ['2026-01-01T10:00:00.5+05:30', Date.UTC(2026, 0, 1, 4, 30, 0, 500)],
    ['2026-01-01T00:00:00.123456789-01:00', Date.UTC(2026, 0, 1, 1, 0, 0, 123)],
    ['1970-01-01T00:00:00Z', 0],
    ['9999-12-31T23:59:59.999Z', LATEST_INSTANT],
    ['2000-02-29T23:59:59Z', Date.UTC(2000, 1, 29, 23, 59, 59)],
  ])('when it is %s, then it is accepted', (text, instant) => {
    expect(contractInstant(text)).toBe(instant);
  });

  it.each([
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2026-01-00T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T25:00:00Z',
    '2026-01-01T10:60:00Z',
    '2026-12-31T23:59:60Z',
    '2026-01-01T10:00:00+24:00',
    '2026-01-01T10:00:00+05:60',
    '2026-01-01T10:00:00+0530',
    '2026-01-01 10:00:00Z',
    '2026-01-01T10:00Z',
    '2026-01-01T10:00:00',
    '2026-01-01T10:00:00.Z',
    '2026-01-01T10:00:00.1234567890Z',
    '10000-01-01T00:00:00Z',
    '+010000-01-01T00:00:00.000Z',
    '1969-12-31T23:59:59.999Z',
    '1970-01-01T00:30:00+01:00',
    '9999-12-31T23:00:00-05:00',
    '2026-01-01',
    '',
    '２０２６-01-01T00:00:00Z',
  ])('when it is %s, then it is refused', (text) => {
    expect(isContractDateTime(text)).toBe(false);
  });
});

describe('the contract date', () => {
  it.each(['2024-02-29', '1970-01-01', '9999-12-31', '2026-04-30'])('when it is %s, then it is accepted', (text) => {
    expect(isContractDate(text)).toBe(true);
  });
  it.each(['2026-02-30', '2026-13-01', '2025-02-29', '2026-04-31', '1969-12-31', '10000-01-01', '2026-1-01', '2026-01-01T00:00:00Z'])(
    'when it is %s, then it is refused',
    (text) => {
      expect(isContractDate(text)).toBe(false);
    },
  );
});
