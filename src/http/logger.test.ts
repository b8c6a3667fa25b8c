import { Writable } from 'node:stream';
import { createLogger } from './logger';

describe('createLogger', () => {
  it('when a credential, a card number or a driver code is logged by mistake, then it is redacted', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    const logger = createLogger('info', sink);
    logger.info(
      {
        authorization: 'Bearer abc',
        body: { client_secret: 'cs_x', cardNumber: '7070701234564321', driverCode: '48291573' },
        headers: { authorization: 'Basic Y2s6Y3M=' },
      },
      'oops',
    );
    expect(lines.join('')).not.toMatch(/abc|cs_x|7070701234564321|48291573|Y2s6Y3M=/);
    expect(lines.join('')).toContain('[redacted]');
  });

  it('when a client puts a card number in a URL path, then the access line redacts it and keeps the rest', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    createLogger('info', sink).info({ path: '/partner/v1/cards/7070701234564321/allowances' }, 'request');
    expect(JSON.parse(lines[0]).path).toBe('/partner/v1/cards/[redacted]/allowances');
  });
});
