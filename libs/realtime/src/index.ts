export * from './realtime-contract';
export * from './topics';
export * from './message-key';
export * from './topic-feed';
export * from './socket-outbox';
