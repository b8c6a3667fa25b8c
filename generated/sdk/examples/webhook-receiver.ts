// Generated from spec/ by `npm run generate`. Do not edit.
/**
 * A webhook receiver: verifies each delivery's Standard Webhooks signature over the raw body,
 * refuses stale timestamps, skips event ids already applied, and answers 2xx at once.
 *
 *   CYNOD_WEBHOOK_SECRET=whsec_... PORT=3000 npx tsx examples/webhook-receiver.ts
 *   npx tsx examples/webhook-receiver.ts --check-vectors   (the guide's test vectors)
 *
 * It needs nothing but Node.js; the `standardwebhooks` npm package verifies the same way
 * (`new Webhook(secret).verify(body, headers)`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

/** How far a message's timestamp may be from now, in seconds (replays of old messages are refused). */
const TOLERANCE_SECONDS = 5 * 60;

/**
 * True when `body` (the raw bytes received, as a string) carries a valid signature from one of
 * `secrets` (`whsec_...`; two during a rotation) and a timestamp within 5 minutes of `now`.
 */
export function verifyWebhook(secrets: string[], headers: Record<string, string | undefined>, body: string, now: Date = new Date()): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures || !/^[0-9]+$/.test(timestamp)) return false;
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const given = signatures.split(' ').flatMap((signature) => (signature.startsWith('v1,') ? [Buffer.from(signature.slice(3), 'base64')] : []));
  return secrets.some((secret) => {
    const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
    const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
    return given.some((signature) => signature.length === expected.length && timingSafeEqual(signature, expected));
  });
}

/** The guide's test vectors (spec/docs/guide.md, "Webhooks"). */
export const TEST_VECTORS = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  rotatedSecret: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD',
  body: '{"id":"evt_8b9c0d1e2f3a4b5c6d7e8f9a","type":"card.status-changed","cardId":"crd_3c4d5e6f7a8b9c0d1e2f3a4b","cardSequence":10}',
  headers: {
    'webhook-id': 'evt_8b9c0d1e2f3a4b5c6d7e8f9a',
    'webhook-timestamp': '1796630400',
    'webhook-signature': 'v1,LG7kY5WJjdDWi3VDT3riDGpLT9vRjecW+gjE4CX4IQk=',
  },
  rotationSignature: 'v1,xyAnSYupt0GALwSH9y0GLYhGHebH1VLEu1dkwhbnMKI= v1,LG7kY5WJjdDWi3VDT3riDGpLT9vRjecW+gjE4CX4IQk=',
  at: new Date('2026-12-07T08:00:00Z'),
};

function checkVectors(): void {
  const v = TEST_VECTORS;
  const checks = {
    signed: verifyWebhook([v.secret], v.headers, v.body, v.at),
    rotation: verifyWebhook([v.rotatedSecret], { ...v.headers, 'webhook-signature': v.rotationSignature }, v.body, v.at),
    tamperedRefused: !verifyWebhook([v.secret], v.headers, v.body.replace('10', '11'), v.at),
    staleRefused: !verifyWebhook([v.secret], v.headers, v.body),
  };
  console.log(checks);
  if (Object.values(checks).includes(false)) process.exitCode = 1;
}

function serve(): void {
  const secrets = (process.env.CYNOD_WEBHOOK_SECRET ?? '').split(',').filter(Boolean);
  if (secrets.length === 0) {
    console.error('set CYNOD_WEBHOOK_SECRET=whsec_... (two, comma-separated, during a rotation)');
    process.exitCode = 1;
    return;
  }
  const applied = new Set<string>(); // keep this in your database: deliveries come at least once
  createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = req.headers as Record<string, string | undefined>;
      if (!verifyWebhook(secrets, headers, body)) {
        res.writeHead(400).end('bad signature');
        return;
      }
      const id = headers['webhook-id'] ?? '';
      if (!applied.has(id)) {
        applied.add(id);
        console.log('event', JSON.parse(body)); // apply it here (or queue it), idempotently by id
      }
      res.writeHead(204).end();
    });
  }).listen(Number(process.env.PORT ?? 3000), () => console.log(`listening on ${process.env.PORT ?? 3000}`));
}

if (require.main === module) {
  if (process.argv.includes('--check-vectors')) checkVectors();
  else serve();
}
