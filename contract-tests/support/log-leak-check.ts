/**
 * Jest setup file (setupFilesAfterEnv): after each test file, the logs its test servers wrote
 * (captured at level trace by support/server.ts) must not hold any secret, Basic credential,
 * access token or card number, and every request line must carry its request id and status.
 */
import { checkCapturedLogs } from './log-capture';

afterAll(() => checkCapturedLogs());
