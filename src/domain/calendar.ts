/**
 * The instants and days the contract accepts (the guide's "Dates"), decided once for every
 * operation: the validator checks each `format: date-time` and `format: date` with these. A
 * date-time is RFC 3339 (`T`, seconds, `Z` or an offset `±hh:mm`, at most nine fraction digits)
 * naming a real calendar instant (no 30 February, no hour 24 or 25, no leap second) between
 * 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z, the instants RFC 3339's four-digit years
 * can write in UTC. Anything else would be moved silently by JavaScript (30 February read as 2
 * March) or refused by PostgreSQL (a 500).
 */

/** The first and last instants (milliseconds since the epoch) the contract can express. */
export const EARLIEST_INSTANT = Date.UTC(1970, 0, 1);
export const LATEST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True when year-month-day names a day of the calendar within the contract's years (1970 to 9999). */
function isRealDay(year: number, month: number, day: number): boolean {
  if (year < 1970 || month < 1 || month > 12 || day < 1) return false;
  return day <= (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]);
}

/** True when `text` is a `YYYY-MM-DD` day of the calendar between 1970-01-01 and 9999-12-31. */
export function isContractDate(text: string): boolean {
  const match = DATE.exec(text);
  return match !== null && isRealDay(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** The instant `text` names (milliseconds since the epoch), or null when the contract does not accept it. */
export function contractInstant(text: string): number | null {
  const match = DATE_TIME.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  if (!isRealDay(year, month, day) || hour > 23 || minute > 59 || second > 59) return null;
  const [sign, offsetHours, offsetMinutes] = [match[8], Number(match[9] ?? 0), Number(match[10] ?? 0)];
  if (offsetHours > 23 || offsetMinutes > 59) return null;
  const milliseconds = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offset = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const instant = Date.UTC(year, month - 1, day, hour, minute, second, milliseconds) - offset;
  return instant >= EARLIEST_INSTANT && instant <= LATEST_INSTANT ? instant : null;
}

/** True when `text` is a date-time the contract accepts. */
export const isContractDateTime = (text: string): boolean => contractInstant(text) !== null;
