// Generated from spec/ by `npm run generate`. Do not edit.
/* tslint:disable */
/* eslint-disable */
export * from './ActiveStatus';
export * from './AuditActor';
export * from './AuditEvent';
export * from './AuditEventListResponse';
export * from './AuditEventPage';
export * from './AuditResourceType';
export * from './Client';
export * from './ClientCreate';
export * from './ClientListResponse';
export * from './ClientPage';
export * from './ClientResponse';
export * from './ClientUpdate';
export * from './ErrorEnvelope';
export * from './FieldError';
export * from './Health';
export * from './HealthResponse';
export * from './Network';
export * from './NetworkCreate';
export * from './NetworkListResponse';
export * from './NetworkPage';
export * from './NetworkResponse';
export * from './NetworkUpdate';
export * from './OAuthError';
export * from './OpenApiDocument';
export * from './PartnerMe';
export * from './PartnerMeResponse';
export * from './Readiness';
export * from './ReadyResponse';
export * from './SuccessEnvelope';
export * from './SystemErrorEnvelope';
export * from './TokenResponse';
