import type { EventStore, Subscription, SubscriptionMessage } from '@tracershop/event-store';

/**
 * An event store whose first `failures` subscriptions end with an error after a few messages, as a
 * dropped connection or a failover would end them; everything else goes to the real store.
 */
export function withFailingSubscriptions(store: EventStore, failures: number, afterMessages: number): EventStore {
  let failuresLeft = failures;
  return {
    append: (...args) => store.append(...args),
    readStream: (...args) => store.readStream(...args),
    readAll: (...args) => store.readAll(...args),
    headPosition: () => store.headPosition(),
    close: () => store.close(),
    subscribeToAll(options) {
      const inner = store.subscribeToAll(options);
      if (failuresLeft <= 0) return inner;
      failuresLeft -= 1;
      async function* failing(): AsyncGenerator<SubscriptionMessage> {
        let seen = 0;
        for await (const message of inner) {
          if (++seen > afterMessages) throw new Error('subscription dropped (injected)');
          yield message;
        }
      }
      const iterator = failing();
      const subscription: Subscription = {
        [Symbol.asyncIterator]: () => iterator,
        close: () => inner.close(),
      };
      return subscription;
    },
  };
}
