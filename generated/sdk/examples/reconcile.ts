// Generated from spec/ by `npm run generate`. Do not edit.
/**
 * The back office's day: the float's statement of a day (today by default), checked line by
 * line (each line's balance follows from the previous one, the closing balance from the last),
 * then the events feed read from the cursor kept in a file, so that the next run reads only
 * what happened since.
 *
 *   CYNOD_DAY=2026-12-07 CYNOD_CURSOR_FILE=./cynod-events.cursor CYNOD_BASE_URL=... CYNOD_CONSUMER_KEY=... CYNOD_CONSUMER_SECRET=... npx tsx examples/reconcile.ts
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { paginate, type PartnerStatementLine } from '../index';
import { connect, fail, run, settings } from './connect';

if (settings()) {
  run(async () => {
    const { partner } = connect();
    const day = process.env.CYNOD_DAY ?? new Date().toISOString().slice(0, 10);
    let opening: number | undefined;
    let closing = 0;
    const lines: PartnerStatementLine[] = [];
    for await (const line of paginate(async (cursor) => {
      const page = await partner.getPartnerDailyStatement({ day, unit: 'XOF', cursor });
      opening ??= page.data.openingFloat.value;
      closing = page.data.closingFloat.value;
      return { data: { items: page.data.lines, nextCursor: page.data.nextCursor } };
    })) {
      lines.push(line);
    }
    let balance = opening ?? 0;
    for (const line of lines) {
      balance += line.floatMovement.value;
      if (line.floatBalanceAfter && line.floatBalanceAfter.value !== balance) {
        return fail(`Statement of ${day}: line ${line.reference} says ${line.floatBalanceAfter.value}, the lines before it give ${balance}`);
      }
    }
    if (balance !== closing) return fail(`Statement of ${day}: closing ${closing}, the lines give ${balance}`);
    console.log(`Statement of ${day}: ${lines.length} lines, float ${opening} -> ${closing} XOF, reconciled line by line`);

    const cursorFile = process.env.CYNOD_CURSOR_FILE ?? 'cynod-events.cursor';
    let cursor = existsSync(cursorFile) ? readFileSync(cursorFile, 'utf8').trim() || undefined : undefined;
    let events = 0;
    for await (const event of paginate(async (from) => {
      const page = await partner.listPartnerEvents({ cursor: from, limit: 100 });
      cursor = page.data.nextCursor ?? cursor;
      return page;
    }, cursor)) {
      events += 1;
      if (events <= 3) console.log(`  ${event.type} ${event.id} at ${event.occurredAt.toISOString()}`);
    }
    if (cursor) writeFileSync(cursorFile, cursor);
    console.log(`Events feed: ${events} new event(s); the next run starts from the cursor kept in ${cursorFile}`);
  });
}
