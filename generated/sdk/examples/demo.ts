// Generated from spec/ by `npm run generate`. Do not edit.
/**
 * Who am I: the first call, against a CYNOD API such as the demo server of `npm start`:
 *
 *   CYNOD_BASE_URL=http://127.0.0.1:8080 CYNOD_CONSUMER_KEY=ck_... CYNOD_CONSUMER_SECRET=cs_... npx tsx examples/demo.ts
 *
 * The journeys: recharge.ts (a mobile-money operator), pay-at-pump.ts (a station system),
 * reconcile.ts (the day's statement and the events feed), webhook-receiver.ts (pushed events).
 */
import { connect, run, settings } from './connect';

if (settings()) {
  run(async () => {
    const me = await connect().partner.getPartnerMe();
    console.log(`Connected as ${me.data.name} (${me.data.partnerId}) with scopes: ${me.data.scopes.join(' ') || '(none)'}`);
  });
}
