import { randomUUID } from 'node:crypto';
import {
  Metadata,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerWritableStream,
  status,
  type StatusObject,
} from '@grpc/grpc-js';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { Empty as ProtobufEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import { Code } from '@eventstore/db-client/generated/code_pb';
import {
  AllStreamPosition,
  Empty,
  MaximumAppendSizeExceeded,
  WrongExpectedVersion as SharedWrongExpectedVersion,
} from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import {
  AppendReq,
  AppendResp,
  BatchAppendReq,
  BatchAppendResp,
  ReadReq,
  ReadResp,
} from '@eventstore/db-client/generated/streams_pb';
import { expectationHolds, type ExpectedRevision } from '@tracershop/event-store';
import type { LogRecord } from '@tracershop/event-store/adapters/memory/in-memory-log';
import {
  readEventReply,
  streamIdentifier,
  streamNameOf,
  TickClock,
  uuidText,
  type WireLog,
  type WirePayload,
} from './wire-records';

interface ProposedEvent {
  eventId: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  customMetadata: Uint8Array;
}

type AppendOutcome =
  | { ok: true; revision: bigint; position: bigint | undefined }
  /** `current` is -1n when the stream has no events. */
  | { ok: false; current: bigint };

/** A request the server cannot act on; answered with INVALID_ARGUMENT, as EventStoreDB does. */
class BadRequest extends Error {}

/** An append whose events together are over the server's limit; nothing of it is written. */
class AppendTooLarge extends Error {}

/** EventStoreDB's default filter window when the client does not set `max`. */
const DEFAULT_MAX_SEARCH_WINDOW = 32;
/** Records read from the log per step of a subscription, so a long catch-up yields to other calls. */
const SUBSCRIPTION_STEP = 256;

function proposedEvent(message: AppendReq.ProposedMessage | BatchAppendReq.ProposedMessage): ProposedEvent {
  const eventId = uuidText(message.getId());
  const headers = message.getMetadataMap();
  const type = headers.get('type');
  const contentType = headers.get('content-type');
  if (!eventId) throw new BadRequest('a proposed message needs an id');
  if (!type) throw new BadRequest('a proposed message needs the "type" metadata');
  if (!contentType) throw new BadRequest('a proposed message needs the "content-type" metadata');
  return {
    eventId,
    type,
    contentType,
    data: Uint8Array.from(message.getData_asU8()),
    customMetadata: Uint8Array.from(message.getCustomMetadata_asU8()),
  };
}

function grpcError(code: status, details: string): Partial<StatusObject> {
  return { code, details };
}

/** How EventStoreDB measures an event against its append limit (`Event.SizeOnDisk`). */
function sizeOnDisk(event: ProposedEvent): number {
  return event.data.length + event.customMetadata.length + event.type.length * 2;
}

/** The `event_store.client.streams.Streams` service over an in-memory log. */
export class StreamsHandlers {
  private readonly clock = new TickClock();
  private readonly live = new Set<AbortController>();

  /** `maxAppendBytes`: the largest append (summed `sizeOnDisk`) accepted, as EventStoreDB's `MaxAppendSize`. */
  constructor(
    private readonly log: WireLog,
    private readonly maxAppendBytes: number,
  ) {}

  /** Subscriptions still being served; a client that cancels must bring this back down. */
  get openSubscriptions(): number {
    return this.live.size;
  }

  /** Ends every running subscription, as a server going down would. */
  abortAll(): void {
    for (const controller of this.live) controller.abort();
    this.live.clear();
  }

  /** Checks the expectation and writes in one synchronous step, so concurrent calls cannot interleave. */
  private appendToLog(streamId: string, expected: ExpectedRevision, events: ProposedEvent[]): AppendOutcome {
    if (streamId.length === 0) throw new BadRequest('a stream name is required');
    const current = this.log.revisionOf(streamId);
    if (!expectationHolds(expected, current)) return { ok: false, current };
    if (events.length === 0) return { ok: true, revision: current, position: undefined };
    const written = this.log.append(
      streamId,
      events.map((event) => ({
        eventId: event.eventId,
        type: event.type,
        payload: {
          data: event.data,
          customMetadata: event.customMetadata,
          contentType: event.contentType,
          created: this.clock.now(),
        } satisfies WirePayload,
      })),
    );
    const last = written[written.length - 1];
    return { ok: true, revision: last.revision, position: last.position };
  }

  append = (call: ServerReadableStream<AppendReq, AppendResp>, callback: sendUnaryData<AppendResp>): void => {
    let options: AppendReq.Options | undefined;
    const proposed: ProposedEvent[] = [];
    let size = 0;
    let failure: Error | undefined;
    call.on('data', (request: AppendReq) => {
      if (failure) return;
      try {
        if (request.hasOptions()) options = request.getOptions();
        else if (request.hasProposedMessage()) {
          const event = proposedEvent(request.getProposedMessage() as AppendReq.ProposedMessage);
          size += sizeOnDisk(event);
          if (size > this.maxAppendBytes) throw new AppendTooLarge();
          proposed.push(event);
        }
      } catch (error) {
        failure = error as Error;
      }
    });
    call.on('error', () => undefined);
    call.on('end', () => {
      try {
        if (failure) throw failure;
        if (!options) throw new BadRequest('the first append message carries the options');
        callback(null, this.appendReply(options, proposed));
      } catch (error) {
        if (error instanceof AppendTooLarge) {
          callback(this.appendTooLargeStatus());
          return;
        }
        callback(
          grpcError(error instanceof BadRequest ? status.INVALID_ARGUMENT : status.INTERNAL, (error as Error).message),
        );
      }
    });
  };

  /** `Streams/Append` refuses an oversized append with a status whose trailers name the limit. */
  private appendTooLargeStatus(): Partial<StatusObject> {
    const metadata = new Metadata();
    metadata.set('exception', 'maximum-append-size-exceeded');
    metadata.set('maximum-append-size', String(this.maxAppendBytes));
    return {
      code: status.INVALID_ARGUMENT,
      details: `Maximum Append Size of ${this.maxAppendBytes} Exceeded.`,
      metadata,
    };
  }

  private appendReply(options: AppendReq.Options, proposed: ProposedEvent[]): AppendResp {
    const Case = AppendReq.Options.ExpectedStreamRevisionCase;
    let expected: ExpectedRevision;
    switch (options.getExpectedStreamRevisionCase()) {
      case Case.REVISION:
        expected = BigInt(options.getRevision());
        break;
      case Case.NO_STREAM:
        expected = 'no_stream';
        break;
      case Case.STREAM_EXISTS:
        expected = 'stream_exists';
        break;
      default:
        expected = 'any';
    }
    const outcome = this.appendToLog(streamNameOf(options.getStreamIdentifier()), expected, proposed);
    const reply = new AppendResp();
    if (outcome.ok) {
      const success = new AppendResp.Success();
      if (outcome.revision < 0n) success.setNoStream(new Empty());
      else success.setCurrentRevision(outcome.revision.toString());
      if (outcome.position === undefined) {
        success.setNoPosition(new Empty());
      } else {
        const position = new AppendResp.Position();
        position.setCommitPosition(outcome.position.toString());
        position.setPreparePosition(outcome.position.toString());
        success.setPosition(position);
      }
      reply.setSuccess(success);
      return reply;
    }
    // Reported as reply content, never as a gRPC status: that is what the client parses.
    const wrong = new AppendResp.WrongExpectedVersion();
    if (outcome.current < 0n) wrong.setCurrentNoStream(new Empty());
    else wrong.setCurrentRevision(outcome.current.toString());
    if (expected === 'any') wrong.setExpectedAny(new Empty());
    else if (expected === 'no_stream') wrong.setExpectedNoStream(new Empty());
    else if (expected === 'stream_exists') wrong.setExpectedStreamExists(new Empty());
    else wrong.setExpectedRevision(expected.toString());
    reply.setWrongExpectedVersion(wrong);
    return reply;
  }

  /**
   * Bidirectional: requests are grouped by correlation id until one says `is_final`; each group is
   * one atomic append answered with one reply carrying the same correlation id.
   */
  batchAppend = (call: ServerDuplexStream<BatchAppendReq, BatchAppendResp>): void => {
    const pending = new Map<string, { options?: BatchAppendReq.Options; events: ProposedEvent[]; size: number }>();
    /** Appends already answered with a refusal; their remaining chunks are ignored, as EventStoreDB does. */
    const refused = new Set<string>();
    call.on('data', (request: BatchAppendReq) => {
      const correlation = request.getCorrelationId();
      const key = uuidText(correlation) ?? '';
      if (refused.has(key)) {
        if (request.getIsFinal()) refused.delete(key);
        return;
      }
      const group = pending.get(key) ?? { events: [], size: 0 };
      pending.set(key, group);
      if (request.hasOptions()) group.options = request.getOptions();
      const reply = new BatchAppendResp();
      reply.setCorrelationId(correlation);
      try {
        for (const message of request.getProposedMessagesList()) {
          const event = proposedEvent(message);
          group.size += sizeOnDisk(event);
          group.events.push(event);
        }
        if (group.size > this.maxAppendBytes) {
          // Answered at once, before the last chunk: the client's promise settles on this reply.
          pending.delete(key);
          if (!request.getIsFinal()) refused.add(key);
          if (group.options) reply.setStreamIdentifier(group.options.getStreamIdentifier());
          reply.setError(this.appendTooLargeBatchStatus());
          call.write(reply);
          return;
        }
        if (!request.getIsFinal()) return;
        pending.delete(key);
        if (!group.options) throw new BadRequest('the first batch of an append carries the options');
        this.fillBatchReply(reply, group.options, group.events);
      } catch (error) {
        pending.delete(key);
        const failure = new Status();
        failure.setCode(error instanceof BadRequest ? Code.INVALID_ARGUMENT : Code.INTERNAL);
        failure.setMessage((error as Error).message);
        reply.setError(failure);
      }
      call.write(reply);
    });
    call.on('error', () => undefined);
    call.on('end', () => call.end());
  };

  /** `Streams/BatchAppend` refuses an oversized append in the reply: a status packing the limit. */
  private appendTooLargeBatchStatus(): Status {
    const exceeded = new MaximumAppendSizeExceeded();
    exceeded.setMaxappendsize(this.maxAppendBytes);
    const details = new Any();
    details.pack(exceeded.serializeBinary(), 'event_store.client.MaximumAppendSizeExceeded');
    const failure = new Status();
    failure.setCode(Code.INVALID_ARGUMENT);
    failure.setMessage('MaximumAppendSizeExceeded');
    failure.setDetails(details);
    return failure;
  }

  private fillBatchReply(reply: BatchAppendResp, options: BatchAppendReq.Options, events: ProposedEvent[]): void {
    const Case = BatchAppendReq.Options.ExpectedStreamPositionCase;
    const streamId = streamNameOf(options.getStreamIdentifier());
    reply.setStreamIdentifier(streamIdentifier(streamId));
    let expected: ExpectedRevision;
    switch (options.getExpectedStreamPositionCase()) {
      case Case.STREAM_POSITION:
        expected = BigInt(options.getStreamPosition());
        reply.setStreamPosition(expected.toString());
        break;
      case Case.NO_STREAM:
        expected = 'no_stream';
        reply.setNoStream(new ProtobufEmpty());
        break;
      case Case.STREAM_EXISTS:
        expected = 'stream_exists';
        reply.setStreamExists(new ProtobufEmpty());
        break;
      default:
        expected = 'any';
        reply.setAny(new ProtobufEmpty());
    }
    const outcome = this.appendToLog(streamId, expected, events);
    if (outcome.ok) {
      const success = new BatchAppendResp.Success();
      if (outcome.revision < 0n) success.setNoStream(new ProtobufEmpty());
      else success.setCurrentRevision(outcome.revision.toString());
      if (outcome.position === undefined) {
        success.setNoPosition(new ProtobufEmpty());
      } else {
        const position = new AllStreamPosition();
        position.setCommitPosition(outcome.position.toString());
        position.setPreparePosition(outcome.position.toString());
        success.setPosition(position);
      }
      reply.setSuccess(success);
      return;
    }
    // BatchAppend reports a conflict as a google.rpc.Status whose details pack the shared message.
    const wrong = new SharedWrongExpectedVersion();
    if (outcome.current < 0n) wrong.setCurrentNoStream(new ProtobufEmpty());
    else wrong.setCurrentStreamRevision(outcome.current.toString());
    if (expected === 'any') wrong.setExpectedAny(new ProtobufEmpty());
    else if (expected === 'no_stream') wrong.setExpectedNoStream(new ProtobufEmpty());
    else if (expected === 'stream_exists') wrong.setExpectedStreamExists(new ProtobufEmpty());
    else wrong.setExpectedStreamPosition(expected.toString());
    const details = new Any();
    details.pack(wrong.serializeBinary(), 'event_store.client.WrongExpectedVersion');
    const failure = new Status();
    failure.setCode(Code.FAILED_PRECONDITION);
    failure.setMessage(`Append failed due to WrongExpectedVersion. Stream: ${streamId}`);
    failure.setDetails(details);
    reply.setError(failure);
  }

  read = (call: ServerWritableStream<ReadReq, ReadResp>): void => {
    const options = call.request.getOptions();
    const work = !options
      ? Promise.reject(new BadRequest('a read needs options'))
      : options.hasSubscription()
        ? this.subscribe(call, options)
        : this.readCount(call, options);
    work.catch((error: unknown) => {
      if (call.cancelled) return;
      // grpc-js turns an 'error' emitted on a server stream into the call's final status.
      call.emit(
        'error',
        grpcError(error instanceof BadRequest ? status.INVALID_ARGUMENT : status.INTERNAL, (error as Error).message),
      );
    });
  };

  private async readCount(call: ServerWritableStream<ReadReq, ReadResp>, options: ReadReq.Options): Promise<void> {
    const count = options.hasCount() ? BigInt(options.getCount()) : 0n;
    const maxCount = count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count);
    const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
    const structured = options.getUuidOption()?.hasStructured() ?? false;
    let records: LogRecord<WirePayload>[];
    if (options.hasStream()) {
      const streamOptions = options.getStream() as ReadReq.Options.StreamOptions;
      const streamId = streamNameOf(streamOptions.getStreamIdentifier());
      const RevisionCase = ReadReq.Options.StreamOptions.RevisionOptionCase;
      const caseOf = streamOptions.getRevisionOptionCase();
      const from =
        caseOf === RevisionCase.REVISION
          ? BigInt(streamOptions.getRevision())
          : caseOf === RevisionCase.END
            ? 'end'
            : 'start';
      const found = this.log.readStream(streamId, from, backwards ? 'backwards' : 'forwards', maxCount);
      if (!found) {
        // "Not found" is reply content; the client turns it into its StreamNotFoundError.
        const notFound = new ReadResp.StreamNotFound();
        notFound.setStreamIdentifier(streamIdentifier(streamId));
        const reply = new ReadResp();
        reply.setStreamNotFound(notFound);
        call.write(reply);
        call.end();
        return;
      }
      records = found;
    } else if (options.hasAll()) {
      const all = options.getAll() as ReadReq.Options.AllOptions;
      const AllCase = ReadReq.Options.AllOptions.AllOptionCase;
      const at = all.getAllOptionCase() === AllCase.POSITION ? positionOf(all.getPosition()) : undefined;
      if (backwards) {
        // Backwards from a position is exclusive: the page ends just before it.
        records = all.getAllOptionCase() === AllCase.START ? [] : this.log.readBefore(at, maxCount);
      } else if (all.getAllOptionCase() === AllCase.END) {
        records = [];
      } else {
        // Forwards from a position is inclusive, as EventStoreDB's paging expects.
        records = this.log.readAfter(at === undefined ? -1n : at - 1n, maxCount);
      }
    } else {
      throw new BadRequest('a read names a stream or $all');
    }
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort());
    for (const record of records) {
      if (abort.signal.aborted) return;
      await send(call, readEventReply(record, structured), abort.signal);
    }
    if (!abort.signal.aborted) call.end();
  }

  private async subscribe(call: ServerWritableStream<ReadReq, ReadResp>, options: ReadReq.Options): Promise<void> {
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort());
    this.live.add(abort);
    try {
      await this.serveSubscription(call, options, abort.signal);
    } finally {
      this.live.delete(abort);
    }
  }

  /**
   * Confirmation, catch-up in log order, `caught_up`, then live records until `signal` aborts.
   *
   * A filtered subscription also gets a checkpoint after every `max search window × multiplier`
   * records looked at, catching up or live, and one where catching up ends (just before
   * `caught_up`, unless it would repeat the last one): KurrentDB's `AllSubscriptionFiltered`. It
   * sends none when a live subscription is merely quiet.
   */
  private async serveSubscription(
    call: ServerWritableStream<ReadReq, ReadResp>,
    options: ReadReq.Options,
    signal: AbortSignal,
  ): Promise<void> {
    const structured = options.getUuidOption()?.hasStructured() ?? false;
    const scope = this.subscriptionScope(options);
    let after = scope.after;
    const filter = options.hasFilter() ? (options.getFilter() as ReadReq.Options.FilterOptions) : undefined;
    const checkpointEvery = filter ? checkpointInterval(filter) : 0;
    let scannedSinceCheckpoint = 0;
    let lastCheckpoint = -1n;
    const sendCheckpoint = async (position: bigint) => {
      scannedSinceCheckpoint = 0;
      lastCheckpoint = position;
      await send(call, checkpointReply(position), signal);
    };

    const confirmation = new ReadResp.SubscriptionConfirmation();
    confirmation.setSubscriptionId(randomUUID());
    const confirmed = new ReadResp();
    confirmed.setConfirmation(confirmation);
    await send(call, confirmed, signal);

    let caughtUp = false;
    while (!signal.aborted) {
      const batch = this.log.readAfter(after, SUBSCRIPTION_STEP);
      for (const record of batch) {
        if (signal.aborted) return;
        after = record.position;
        if (scope.accepts(record)) await send(call, readEventReply(record, structured), signal);
        scannedSinceCheckpoint += 1;
        if (checkpointEvery > 0 && scannedSinceCheckpoint >= checkpointEvery) await sendCheckpoint(after);
      }
      if (batch.length === SUBSCRIPTION_STEP) {
        // Let appends and other calls run between steps of a long catch-up.
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      if (!caughtUp) {
        caughtUp = true;
        if (checkpointEvery > 0 && after > lastCheckpoint) await sendCheckpoint(after);
        const reply = new ReadResp();
        reply.setCaughtUp(new ReadResp.CaughtUp());
        await send(call, reply, signal);
      }
      await this.log.waitForRecordsAfter(after, signal);
    }
  }

  /** Where a subscription starts (exclusive) and which records it delivers. */
  private subscriptionScope(options: ReadReq.Options): {
    after: bigint;
    accepts: (record: LogRecord<WirePayload>) => boolean;
  } {
    if (options.hasStream()) {
      const streamOptions = options.getStream() as ReadReq.Options.StreamOptions;
      const streamId = streamNameOf(streamOptions.getStreamIdentifier());
      const RevisionCase = ReadReq.Options.StreamOptions.RevisionOptionCase;
      let fromRevision = -1n;
      if (streamOptions.getRevisionOptionCase() === RevisionCase.REVISION) {
        fromRevision = BigInt(streamOptions.getRevision());
      } else if (streamOptions.getRevisionOptionCase() === RevisionCase.END) {
        fromRevision = this.log.revisionOf(streamId);
      }
      const startRecord = fromRevision >= 0n ? this.log.recordsOf(streamId)?.[Number(fromRevision)] : undefined;
      return {
        after: startRecord?.position ?? -1n,
        accepts: (record) => record.streamId === streamId && record.revision > fromRevision,
      };
    }
    if (!options.hasAll()) throw new BadRequest('a subscription names a stream or $all');
    const all = options.getAll() as ReadReq.Options.AllOptions;
    const AllCase = ReadReq.Options.AllOptions.AllOptionCase;
    let after = -1n;
    if (all.getAllOptionCase() === AllCase.END) after = this.log.head();
    else if (all.getAllOptionCase() === AllCase.POSITION) after = positionOf(all.getPosition()) ?? -1n;
    const filter = options.hasFilter() ? (options.getFilter() as ReadReq.Options.FilterOptions) : undefined;
    return { after, accepts: filter ? filterPredicate(filter) : () => true };
  }
}

function positionOf(position: ReadReq.Options.Position | undefined): bigint | undefined {
  if (!position) return undefined;
  // Our log has one number per event, so commit and prepare agree; commit orders $all.
  return BigInt(position.getCommitPosition());
}

function checkpointReply(position: bigint): ReadResp {
  const checkpoint = new ReadResp.Checkpoint();
  checkpoint.setCommitPosition(position.toString());
  checkpoint.setPreparePosition(position.toString());
  const reply = new ReadResp();
  reply.setCheckpoint(checkpoint);
  return reply;
}

/** EventStoreDB sends a checkpoint every `max search window × multiplier` records it looked at. */
function checkpointInterval(filter: ReadReq.Options.FilterOptions): number {
  const window = filter.hasMax() ? filter.getMax() : DEFAULT_MAX_SEARCH_WINDOW;
  return Math.max(1, window * Math.max(1, filter.getCheckpointintervalmultiplier()));
}

function filterPredicate(filter: ReadReq.Options.FilterOptions): (record: LogRecord<WirePayload>) => boolean {
  const byStream = filter.hasStreamIdentifier();
  const expression = (byStream ? filter.getStreamIdentifier() : filter.getEventType()) as
    ReadReq.Options.FilterOptions.Expression | undefined;
  if (!expression) throw new BadRequest('a filter needs a stream identifier or event type expression');
  let regex: RegExp | undefined;
  try {
    regex = expression.getRegex() ? new RegExp(expression.getRegex()) : undefined;
  } catch (error) {
    throw new BadRequest(`invalid filter regex: ${(error as Error).message}`);
  }
  const prefixes = expression.getPrefixList();
  return (record) => {
    const value = byStream ? record.streamId : record.type;
    return regex ? regex.test(value) : prefixes.some((prefix) => value.startsWith(prefix));
  };
}

/** Writes with backpressure: waits for `drain` when the client reads slower than we produce. */
function send(call: ServerWritableStream<ReadReq, ReadResp>, reply: ReadResp, signal: AbortSignal): Promise<void> {
  if (signal.aborted || call.write(reply)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      call.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
