// Generated from spec/ by `npm run generate`. Do not edit.
/* tslint:disable */
/* eslint-disable */
export * from './runtime';
export * from './apis/index';
export * from './models/index';
export * from './token-provider';
export * from './errors';
export * from './retries';
export * from './pagination';
