// Generated from spec/ by `npm run generate`. Do not edit.
/* tslint:disable */
/* eslint-disable */
export * from './ErrorEnvelope';
export * from './FieldError';
export * from './Health';
export * from './HealthResponse';
export * from './OAuthError';
export * from './OpenApiDocument';
export * from './PartnerMe';
export * from './PartnerMeResponse';
export * from './Readiness';
export * from './ReadyResponse';
export * from './SuccessEnvelope';
export * from './SystemErrorEnvelope';
export * from './TokenResponse';
