export * from './realtime-contract';
