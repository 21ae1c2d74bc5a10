import {
  AccessDeniedError,
  MaxAppendSizeExceededError,
  StreamDeletedError as EsdbStreamDeletedError,
  UnavailableError,
} from '@eventstore/db-client';
import {
  AppendTooLargeError,
  EventStoreAccessDeniedError,
  EventStoreUnavailableError,
  StreamDeletedError,
} from '../../errors';
import { asStoreError, isServerOwnEvent } from './esdb-records';

describe("EventStoreDB's answers as the store's errors", () => {
  // Regression: every client error became EventStoreUnavailableError, which the api answers with
  // 503 "try again" although no retry can succeed.
  it('given the server refuses an append as too large, then AppendTooLargeError names the stream and the limit', () => {
    const error = asStoreError(MaxAppendSizeExceededError.fromMaxAppendSize(4_194_304), 'append', 'ordering.order-1');
    expect(error).toBeInstanceOf(AppendTooLargeError);
    expect(error).toMatchObject({ code: 'APPEND_TOO_LARGE', streamId: 'ordering.order-1', limit: 4_194_304 });
  });

  it('given a deleted (tombstoned) stream, then StreamDeletedError names it', () => {
    const error = asStoreError(EsdbStreamDeletedError.fromStreamName('ordering.order-1'), 'append', 'ordering.order-1');
    expect(error).toBeInstanceOf(StreamDeletedError);
    expect(error).toMatchObject({ code: 'STREAM_DELETED', streamId: 'ordering.order-1' });
  });

  it('given the server denies access, then EventStoreAccessDeniedError names the action', () => {
    const error = asStoreError(new AccessDeniedError(), 'append to "ordering.order-1"', 'ordering.order-1');
    expect(error).toBeInstanceOf(EventStoreAccessDeniedError);
    expect(error).toMatchObject({ code: 'EVENT_STORE_ACCESS_DENIED' });
  });

  it('given anything else, then the store is unavailable (a retry may help)', () => {
    expect(asStoreError(new UnavailableError(), 'append', 'ordering.order-1')).toBeInstanceOf(
      EventStoreUnavailableError,
    );
  });
});

describe("EventStoreDB's own events", () => {
  it.each([
    ['an event in a $ stream, whatever its type', { streamId: '$settings', type: 'update-default-acl' }, true],
    ['a $ type in our stream', { streamId: 'ordering.order-1', type: '$metadata' }, true],
    ['our event', { streamId: 'ordering.order-1', type: 'OrderPlaced' }, false],
  ])('%s', (_, event, own) => {
    expect(isServerOwnEvent(event)).toBe(own);
  });
});
