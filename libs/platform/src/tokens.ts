/** Injection tokens for the platform services every app shares. */
export const TRACERSHOP_CONFIG = Symbol('TRACERSHOP_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const REDIS = Symbol('REDIS');
export const RECORD_DATABASE = Symbol('RECORD_DATABASE');
export const WEB_DATABASE = Symbol('WEB_DATABASE');
export { PINO_LOGGER } from './logger-token';
