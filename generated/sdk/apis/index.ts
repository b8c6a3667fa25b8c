// Generated from spec/ by `npm run generate`. Do not edit.
/* tslint:disable */
/* eslint-disable */
export * from './CoreAuditApi';
export * from './CoreCardsApi';
export * from './CoreFleetApi';
export * from './CoreLedgerApi';
export * from './CoreOperatorsApi';
export * from './CorePartnersApi';
export * from './CoreReferentialApi';
export * from './OauthApi';
export * from './PartnerApi';
export * from './SystemApi';
