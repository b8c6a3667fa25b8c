// Generated from spec/ by `npm run generate`. Do not edit.
/**
 * A mobile-money operator recharges a member card from its float: the customer gives the card
 * number, the operator looks the card up, recharges it once whatever the retries (the
 * Idempotency-Key is the operator's own transaction id, kept with it), and reads its float.
 *
 *   CYNOD_CARD_NUMBER=7070... CYNOD_AMOUNT=5000 CYNOD_BASE_URL=... CYNOD_CONSUMER_KEY=... CYNOD_CONSUMER_SECRET=... npx tsx examples/recharge.ts
 */
import { randomUUID } from 'node:crypto';
import { CynodError } from '../index';
import { connect, fail, run, settings } from './connect';

const given = settings('CYNOD_CARD_NUMBER');
if (given) {
  run(async () => {
    const { partner } = connect();
    const amount = { value: Number(process.env.CYNOD_AMOUNT ?? 5000), unit: 'XOF' };
    const card = (await partner.lookupPartnerCard({ cardLookup: { cardNumber: given.CYNOD_CARD_NUMBER } })).data;
    const before = card.balances.find((balance) => balance.unit === 'XOF');
    console.log(`Card ${card.maskedNumber} (${card.status}), holder ${card.holderFirstName ?? '-'}: ${before?.available ?? 0} XOF available`);

    // The operator's transaction id: the reference on CYNOD's side and the key of every retry.
    const transactionId = `MM-${randomUUID()}`;
    const recharge = { cardId: card.id, amount, externalReference: transactionId };
    try {
      const credited = (await partner.createPartnerRecharge({ idempotencyKey: transactionId, partnerRechargeCreate: recharge })).data;
      console.log(`Recharged ${credited.amount.value} ${credited.amount.unit}: operation ${credited.id} (${credited.reference}), ${credited.status}`);
      // A retry after a lost answer, even after a restart: the same key gives the same operation, credited once.
      const retried = (await partner.createPartnerRecharge({ idempotencyKey: transactionId, partnerRechargeCreate: recharge })).data;
      console.log(`Sent again with the same key: operation ${retried.id} (${retried.id === credited.id ? 'the same, credited once' : 'ANOTHER ONE'})`);
    } catch (error) {
      // A business refusal (limits, a blocked card, the float) names its code and figures.
      if (error instanceof CynodError && error.status === 409)
        return fail(`Refused: code ${error.code}, ${error.userMessage} ${JSON.stringify(error.details ?? {})}`);
      throw error;
    }
    const float = (await partner.getPartnerFloat()).data.floats.find((account) => account.unit === 'XOF');
    console.log(`Float: ${float?.available.value} XOF available; recharged today ${float?.today.recharged} XOF in ${float?.today.recharges} recharge(s)`);
  });
}
