// Generated from spec/ by `npm run generate`. Do not edit.
/**
 * A station system takes a payment at the pump: the card read at the pump is authorised for up
 * to an amount (sized by the card's rules; the answer says how much and until when), the fill
 * is captured for what the pump dispensed and the rest released; a fill that does not happen
 * is voided. A card that cannot pay the amount asked is refused (never cut to its balance,
 * which a station is never told).
 *
 *   CYNOD_CARD_NUMBER=7070... CYNOD_SERVICE_POINT_ID=spt_... CYNOD_BASE_URL=... CYNOD_CONSUMER_KEY=... CYNOD_CONSUMER_SECRET=... npx tsx examples/pay-at-pump.ts
 */
import { randomUUID } from 'node:crypto';
import { CynodError } from '../index';
import { connect, fail, run, settings } from './connect';

const given = settings('CYNOD_CARD_NUMBER', 'CYNOD_SERVICE_POINT_ID');
if (given) {
  run(async () => {
    const { partner } = connect();
    const xof = (value: number) => ({ value, unit: 'XOF' });
    // The pump's transaction, named by the station: the key of every retry of each step.
    const pumpTransaction = `PUMP3-${randomUUID()}`;
    const authorize = (key: string) =>
      partner.createPartnerAuthorization({
        idempotencyKey: key,
        partnerAuthorizationCreate: {
          cardNumber: given.CYNOD_CARD_NUMBER,
          servicePointId: given.CYNOD_SERVICE_POINT_ID,
          amount: xof(30_000),
          service: 'fuel',
          energyTypeCode: 'GASOIL',
          pumpNumber: 3,
        },
      });
    try {
      const hold = (await authorize(`${pumpTransaction}-authorize`)).data;
      console.log(`Authorised ${hold.amount.value} XOF (limited by ${hold.limitedBy}) until ${hold.expiresAt.toISOString()}: hold ${hold.id}`);
      // The pump dispensed 20 L of gasoil at 715 XOF/L.
      const captured = (
        await partner.capturePartnerAuthorization({
          authorizationId: hold.id,
          idempotencyKey: `${pumpTransaction}-capture`,
          partnerAuthorizationCapture: {
            amount: xof(14_300),
            receiptNumber: pumpTransaction,
            fuel: { energyTypeCode: 'GASOIL', quantityMl: 20_000, unitPrice: xof(715) },
            externalReference: pumpTransaction,
          },
        })
      ).data;
      console.log(`Captured ${captured.captured?.value} XOF for 20 L: payment ${captured.paymentId}; the rest is released`);

      // The driver drove off without filling: the second authorisation is voided.
      const unused = (await authorize(`${pumpTransaction}-second`)).data;
      const voided = (await partner.voidPartnerAuthorization({ authorizationId: unused.id, idempotencyKey: `${pumpTransaction}-void` })).data;
      console.log(`Hold ${voided.id} ${voided.status}: nothing taken`);
    } catch (error) {
      // 4090: the card cannot pay here (whatever the reason: the station is not told the balance).
      if (error instanceof CynodError && error.status === 409) return fail(`Refused at the pump: code ${error.code}, ${error.userMessage}`);
      throw error;
    }
  });
}
