import { movedClock, WALL_CLOCK } from './clocks';

const at = (iso: string) => new Date(iso);
const HOUR = 3600;

describe('a test clock', () => {
  // Moved a day forward at 10:00, then an hour more at 12:00 (the database's clock).
  const clock = movedClock([
    { movedAt: at('2026-12-01T10:00:00Z'), offsetSeconds: 24 * HOUR },
    { movedAt: at('2026-12-01T12:00:00Z'), offsetSeconds: 25 * HOUR },
  ]);

  it('when a row was stamped before, between or after the moves, then its world time carries the offset of the last move before it', () => {
    expect(clock.local(at('2026-12-01T09:00:00Z'))).toEqual(at('2026-12-01T09:00:00Z'));
    expect(clock.local(at('2026-12-01T11:00:00Z'))).toEqual(at('2026-12-02T11:00:00Z'));
    expect(clock.local(at('2026-12-01T13:00:00Z'))).toEqual(at('2026-12-02T14:00:00Z'));
    expect(clock.offsetSeconds).toBe(25 * HOUR);
  });

  it('when a world time is mapped back, then it is the earliest wall-clock instant that reaches it, across the jumps', () => {
    expect(clock.real(at('2026-12-01T09:30:00Z'))).toEqual(at('2026-12-01T09:30:00Z'));
    // Skipped by the first move (10:00 jumped to the next day's 10:00): its first instant after.
    expect(clock.real(at('2026-12-01T18:00:00Z'))).toEqual(at('2026-12-01T10:00:00Z'));
    expect(clock.real(at('2026-12-02T11:00:00Z'))).toEqual(at('2026-12-01T11:00:00Z'));
    expect(clock.real(at('2026-12-02T12:30:00Z'))).toEqual(at('2026-12-01T12:00:00Z'));
    expect(clock.real(at('2026-12-02T14:00:00Z'))).toEqual(at('2026-12-01T13:00:00Z'));
  });

  it('when a world never moved, then it is the wall clock', () => {
    expect(movedClock([])).toBe(WALL_CLOCK);
    expect(Math.abs(clock.now().getTime() - Date.now() - 25 * HOUR * 1000)).toBeLessThan(1000);
  });
});
