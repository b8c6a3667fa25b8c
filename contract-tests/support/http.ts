/** Raw HTTP calls for what the SDK cannot send (malformed bodies, unknown routes...). */
import { ResponseError } from '../../generated/sdk';

export interface Answer {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- decoded JSON under test
  text: string;
}

export async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined; // not JSON: the test reads `text`
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** Runs an SDK call expected to fail and returns the HTTP answer it got. */
export async function failure(promise: Promise<unknown>): Promise<Answer> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ResponseError) {
      const text = await error.response.text();
      return { status: error.response.status, headers: error.response.headers, body: JSON.parse(text), text };
    }
    throw error;
  }
  throw new Error('the call succeeded; a failure was expected');
}

export const basic = (key: string, secret: string) => `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;

export const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
