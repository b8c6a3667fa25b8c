/**
 * Every log line of the test servers, captured in memory for the test file that started them,
 * and every secret the harness handed out (consumer secrets, Basic credentials, tokens).
 * support/log-leak-check.ts (a Jest setup file) checks them after each test file: the logs of
 * the whole test run are checked for leaks during the run itself, not in a second pass.
 */
import type { DestinationStream } from 'pino';
import { isValidCardNumber } from '../../src/domain/cards/card-numbers';

const lines: string[] = [];
const secrets = new Set<string>();

/** A pino destination that keeps every line in memory. */
export const captureStream: DestinationStream = {
  write(line: string) {
    lines.push(line);
  },
};

/** Notes a secret the tests use (consumer secret, token, Basic credential). */
export function usedSecret(...values: string[]): void {
  for (const value of values) if (value) secrets.add(value);
}

/** The captured log lines and secrets so far (this test file). */
export function captured(): { lines: readonly string[]; secrets: ReadonlySet<string> } {
  return { lines, secrets };
}

/**
 * What in the log text leaks: any noted secret, anything shaped like a consumer secret or a
 * bearer token, and any whole 16-digit token that is a valid card number (runs of digits
 * inside hex ids and request ids do not count). Empty when nothing leaks.
 */
export function leaksIn(log: string, knownSecrets: Iterable<string>): string[] {
  const found = [...knownSecrets].filter((secret) => log.includes(secret)).map((secret) => `secret ${secret.slice(0, 6)}…`);
  found.push(...(log.match(/cs_[A-Za-z0-9_-]{43}/g) ?? []).map((match) => `consumer secret ${match.slice(0, 8)}…`));
  found.push(...(log.match(/Bearer [A-Za-z0-9._~+/-]{20,}/gi) ?? []).map((match) => `bearer token ${match.slice(0, 14)}…`));
  const numbers = log.match(/(?<![0-9A-Za-z_])[0-9]{16}(?![0-9A-Za-z_])/g) ?? [];
  found.push(...numbers.filter(isValidCardNumber).map((number) => `card number ${number.slice(0, 6)}…`));
  return found;
}

/** Why the request lines are not as the log promises (request id and status on each), or []. */
export function requestLineProblems(logLines: readonly string[]): string[] {
  return logLines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === 'request')
    .filter((line) => typeof line.requestId !== 'string' || typeof line.status !== 'number')
    .map((line) => `request line without requestId or status: ${JSON.stringify(line).slice(0, 200)}`);
}

/** Throws when the captured logs of this test file leak anything or miss request fields. */
export function checkCapturedLogs(): void {
  const log = lines.join('');
  const problems = [...leaksIn(log, secrets), ...requestLineProblems(log.split('\n').filter(Boolean))];
  if (problems.length > 0) throw new Error(`the server logs of this test file leak or are malformed:\n${[...new Set(problems)].join('\n')}`);
}
