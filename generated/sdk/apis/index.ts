/* tslint:disable */
/* eslint-disable */
export * from './OauthApi';
export * from './PartnerApi';
export * from './SystemApi';
