/** Local days, weeks and months of an IANA time zone, and the names the server refuses. */
import { checkTimeZone, dayBounds, localDay, periodBounds } from './time-zones';

const iso = (bounds: { start: Date; end: Date }) => [bounds.start.toISOString(), bounds.end.toISOString()];

describe('local calendar periods', () => {
  it('when the zone is UTC+1 (Benin), then 23:30 UTC is on the next local day, whose bounds are 23:00 UTC', () => {
    const at = new Date('2026-12-04T23:30:00.000Z');
    expect(localDay(at, 'Africa/Porto-Novo')).toBe('2026-12-05');
    expect(localDay(at, 'Africa/Abidjan')).toBe('2026-12-04');
    expect(iso(periodBounds('day', at, 'Africa/Porto-Novo'))).toEqual(['2026-12-04T23:00:00.000Z', '2026-12-05T23:00:00.000Z']);
    expect(iso(periodBounds('day', at, 'Africa/Abidjan'))).toEqual(['2026-12-04T00:00:00.000Z', '2026-12-05T00:00:00.000Z']);
    expect(iso(dayBounds('2026-12-05', 'Africa/Niamey'))).toEqual(['2026-12-04T23:00:00.000Z', '2026-12-05T23:00:00.000Z']);
  });

  it('when a month ends at 23:30 UTC on its last day, then at UTC+1 the next month has begun; weeks start on local Mondays', () => {
    const at = new Date('2026-11-30T23:30:00.000Z');
    expect(iso(periodBounds('month', at, 'Africa/Porto-Novo'))).toEqual(['2026-11-30T23:00:00.000Z', '2026-12-31T23:00:00.000Z']);
    expect(iso(periodBounds('month', at, 'UTC'))).toEqual(['2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z']);
    const sundayNight = new Date('2026-12-06T23:30:00.000Z'); // Monday 00:30 in Benin
    expect(iso(periodBounds('week', sundayNight, 'Africa/Porto-Novo'))).toEqual(['2026-12-06T23:00:00.000Z', '2026-12-13T23:00:00.000Z']);
    expect(iso(periodBounds('week', sundayNight, 'Africa/Abidjan'))).toEqual(['2026-11-30T00:00:00.000Z', '2026-12-07T00:00:00.000Z']);
  });

  it('when the zone keeps daylight saving time, then a day may last 23 hours', () => {
    expect(iso(dayBounds('2026-03-29', 'Europe/Paris'))).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
  });
});

describe('time zone names', () => {
  const refusal = (name: string | undefined): unknown => {
    try {
      checkTimeZone(name, '/body/timeZone');
      return null;
    } catch (error) {
      return error;
    }
  };

  it('when a name is no IANA zone, then it is refused with 4160 naming the field; a known one and none pass', () => {
    expect(refusal('Mars/Olympus')).toMatchObject({ codeName: 'TIME_ZONE_UNKNOWN', code: '4160', errors: [{ path: '/body/timeZone' }] });
    expect(refusal('Africa/Porto-Novo')).toBeNull();
    expect(refusal('UTC')).toBeNull();
    expect(refusal(undefined)).toBeNull();
  });
});
