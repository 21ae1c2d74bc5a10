export const PINO_LOGGER = Symbol('PINO_LOGGER');
