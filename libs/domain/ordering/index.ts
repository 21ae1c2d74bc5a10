export * from './deadline';
export * from './decay';
export * from './delivery-day';
export * from './lot-number';
export * from './schema-versions';
export * from './vial';
export * from './val-file';
export * from './stale-vial-assignment';
