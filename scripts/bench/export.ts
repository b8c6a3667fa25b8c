/**
 * The export bench: a day of EXPORT_LINES operations exported as CSV from the Core API, timed,
 * with the server process's resident memory sampled while it streams, against its memory idle
 * just before. The day is made once per run through the API: validated 1,000-card recharge
 * vouchers, executed (each execute records 1,000 operations).
 */
import { readFileSync } from 'node:fs';
import { executedVoucher, type LedgerFixture, mapConcurrent, validatedVoucher, VOUCHER_LINES } from './fixture';

/** The lines of the exported day (at least: other scenarios of the run may add recharges to it). */
export const EXPORT_LINES = 100_000;
/** The goal: the server's peak RSS during the export within this of its idle RSS. */
export const EXPORT_RSS_GOAL_BYTES = 50 * 2 ** 20;

let madeDay: string | undefined;

/** Records EXPORT_LINES recharges today (once per run), then has the statistics refreshed; resolves with the UTC day. */
export async function exportDay(url: string, token: string, ledger: LedgerFixture, analyze: () => Promise<void>): Promise<string> {
  if (madeDay) return madeDay;
  const vouchers = EXPORT_LINES / VOUCHER_LINES;
  await mapConcurrent(vouchers, 4, async () => executedVoucher(url, token, await validatedVoucher(url, token, ledger, ledger.voucherCards)));
  await analyze();
  madeDay = new Date().toISOString().slice(0, 10);
  return madeDay;
}

/** The resident memory of a process now, in bytes (Linux: /proc/<pid>/status VmRSS). */
function residentBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

export interface ExportFigures {
  ms: number;
  status: number;
  lines: number;
  bytes: number;
  idleRssBytes: number;
  peakRssBytes: number;
  /** The highest RSS sampled until a tenth of the lines had arrived: what grows after it grows with the export's length. */
  peakRssAtTenthBytes: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Exports the day's recharges as CSV, reading the body as it comes (as a client saving it to a
 * file would), while the server's RSS is sampled every 20 ms; idle is its RSS after a second of
 * quiet just before.
 */
export async function exportCsv(url: string, token: string, day: string, pid: number): Promise<ExportFigures> {
  await sleep(1000);
  const idleRssBytes = residentBytes(pid);
  let peakRssBytes = idleRssBytes;
  let peakRssAtTenthBytes = idleRssBytes;
  let lines = 0;
  const sampler = setInterval(() => {
    peakRssBytes = Math.max(peakRssBytes, residentBytes(pid));
    if (lines <= EXPORT_LINES / 10) peakRssAtTenthBytes = peakRssBytes;
  }, 20);
  const started = performance.now();
  try {
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();
    const response = await fetch(`${url}/core/v1/operations?type=recharge&from=${day}T00%3A00%3A00Z&to=${encodeURIComponent(next)}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/csv' },
    });
    let bytes = 0;
    const reader = response.body!.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      bytes += read.value.length;
      for (const byte of read.value) if (byte === 0x0a) lines += 1;
    }
    const ms = performance.now() - started;
    peakRssBytes = Math.max(peakRssBytes, residentBytes(pid));
    // The header row is not a line of the day.
    return { ms, status: response.status, lines: Math.max(0, lines - 1), bytes, idleRssBytes, peakRssBytes, peakRssAtTenthBytes };
  } finally {
    clearInterval(sampler);
  }
}
