export * from './booking';
export * from './booking-fields';
export * from './location-mapping';
export * from './mass-order-plan';
export * from './procedure';
export * from './schema-versions';
export * from './upcasters';
