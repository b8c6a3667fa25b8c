/**
 * Days, weeks and months in a time zone (an IANA name). Each network has one
 * (`networks.time_zone`, Africa/Abidjan unless set) and a client may keep its own for its
 * cards (cards/spends.ts cardTimeZoneOf): a card's allowance periods and the daily statements
 * and settlements read in a zone are its local calendar periods, computed here from the zone's
 * offset at each instant (daylight saving time included), never from the server's zone.
 */
import { AppError } from './app-error';

/** The zone of every network created without one, and of the data that predates zones: UTC, no daylight saving time. */
export const DEFAULT_TIME_ZONE = 'Africa/Abidjan';

export type Period = 'day' | 'week' | 'month';

const KNOWN_TIME_ZONES = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);

/** TIME_ZONE_UNKNOWN naming the field at `path`, unless the zone is absent or known. */
export function checkTimeZone(timeZone: string | undefined, path: string): void {
  if (timeZone === undefined || KNOWN_TIME_ZONES.has(timeZone)) return;
  throw new AppError('TIME_ZONE_UNKNOWN', `Unknown time zone ${timeZone}`, {
    errors: [{ path, message: 'not an IANA time zone this server knows (e.g. Africa/Porto-Novo, Africa/Abidjan, UTC)' }],
  });
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** The wall-clock time of `instant` (ms) in `timeZone`, written as if it were UTC (ms). */
function wallClock(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatFor(timeZone).formatToParts(new Date(instant))) if (part.type !== 'literal') parts[part.type] = parseInt(part.value, 10);
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second, new Date(instant).getUTCMilliseconds());
}

/** The instant at which the wall clock of `timeZone` reads `wall` (a local time written as UTC ms); the later one in a DST gap. */
function instantOf(wall: number, timeZone: string): number {
  const first = wall - (wallClock(wall, timeZone) - wall);
  return wall - (wallClock(first, timeZone) - first);
}

/** The local calendar day of `at` in `timeZone` (YYYY-MM-DD). */
export const localDay = (at: Date, timeZone: string): string => new Date(wallClock(at.getTime(), timeZone)).toISOString().slice(0, 10);

/** The first instant of the local day `day` (YYYY-MM-DD) in `timeZone`, and the first of the next. */
export function dayBounds(day: string, timeZone: string): { start: Date; end: Date } {
  const midnight = Date.parse(`${day}T00:00:00.000Z`);
  return { start: new Date(instantOf(midnight, timeZone)), end: new Date(instantOf(midnight + 86_400_000, timeZone)) };
}

/** The start and end of the local calendar period around `at` in `timeZone` (weeks from Monday). */
export function periodBounds(period: Period, at: Date, timeZone: string): { start: Date; end: Date } {
  const wall = new Date(wallClock(at.getTime(), timeZone));
  const [year, month, date] = [wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate()];
  const local = (days: number, months = 0) => new Date(instantOf(Date.UTC(year, month + months, days), timeZone));
  if (period === 'day') return { start: local(date), end: local(date + 1) };
  if (period === 'week') {
    const monday = date - ((wall.getUTCDay() + 6) % 7);
    return { start: local(monday), end: local(monday + 7) };
  }
  return { start: local(1), end: local(1, 1) };
}
