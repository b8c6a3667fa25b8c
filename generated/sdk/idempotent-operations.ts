// Generated from spec/ by `npm run generate`. Do not edit.
/** The POST operations that accept an Idempotency-Key (the SDK gives one to a call without, so that it can be retried). */
export const IDEMPOTENT_POSTS: readonly RegExp[] = [
  /^\/partner\/v1\/simulate\/clock\/advance$/, // advanceSandboxClock
  /^\/core\/v1\/cards\/[^\/]+\/cancel$/, // cancelCard
  /^\/core\/v1\/operations\/[^\/]+\/cancel$/, // cancelOperation
  /^\/core\/v1\/authorizations\/[^\/]+\/capture$/, // captureAuthorization
  /^\/partner\/v1\/authorizations\/[^\/]+\/capture$/, // capturePartnerAuthorization
  /^\/core\/v1\/authorizations$/, // createAuthorization
  /^\/core\/v1\/card-profiles$/, // createCardProfile
  /^\/core\/v1\/clients$/, // createClient
  /^\/core\/v1\/partners\/[^\/]+\/webhook-endpoints$/, // createCoreWebhookEndpoint
  /^\/core\/v1\/drivers$/, // createDriver
  /^\/core\/v1\/energy-types\/[^\/]+\/prices$/, // createEnergyPrice
  /^\/core\/v1\/energy-types$/, // createEnergyType
  /^\/core\/v1\/fees$/, // createFee
  /^\/core\/v1\/float-fundings$/, // createFloatFunding
  /^\/core\/v1\/fuel-tickets$/, // createFuelTicket
  /^\/core\/v1\/networks$/, // createNetwork
  /^\/core\/v1\/operators$/, // createOperator
  /^\/core\/v1\/operator-roles$/, // createOperatorRole
  /^\/core\/v1\/orders$/, // createOrder
  /^\/core\/v1\/partners$/, // createPartner
  /^\/partner\/v1\/authorizations$/, // createPartnerAuthorization
  /^\/core\/v1\/partners\/[^\/]+\/contracts$/, // createPartnerContract
  /^\/partner\/v1\/payments$/, // createPartnerPayment
  /^\/partner\/v1\/recharges$/, // createPartnerRecharge
  /^\/partner\/v1\/webhook-endpoints$/, // createPartnerWebhookEndpoint
  /^\/core\/v1\/payments$/, // createPayment
  /^\/core\/v1\/payouts$/, // createPayout
  /^\/core\/v1\/clients\/[^\/]+\/price-agreements$/, // createPriceAgreement
  /^\/core\/v1\/regularisations$/, // createRegularisation
  /^\/core\/v1\/sandbox-partners$/, // createSandboxPartner
  /^\/core\/v1\/service-points$/, // createServicePoint
  /^\/core\/v1\/units$/, // createUnit
  /^\/core\/v1\/vehicles$/, // createVehicle
  /^\/core\/v1\/orders\/[^\/]+\/execute$/, // executeOrder
  /^\/core\/v1\/operators\/[^\/]+\/grants$/, // grantOperatorRole
  /^\/core\/v1\/cards$/, // issueCard
  /^\/core\/v1\/service-points\/[^\/]+\/settlements\/[^\/]+\/payout$/, // payServicePointSettlement
  /^\/partner\/v1\/operations\/[^\/]+\/reverse$/, // reversePartnerOperation
  /^\/partner\/v1\/simulate\/authorizations$/, // simulateAuthorization
  /^\/partner\/v1\/simulate\/payments$/, // simulatePayment
  /^\/partner\/v1\/simulate\/recharge-vouchers$/, // simulateVoucherExecution
  /^\/core\/v1\/authorizations\/[^\/]+\/void$/, // voidAuthorization
  /^\/partner\/v1\/authorizations\/[^\/]+\/void$/, // voidPartnerAuthorization
];
