import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { hasRole, type Principal } from '@tracershop/auth';
import {
  CommandPipeline,
  mintedId,
  type CommandContext,
  type CommandDefinition,
  type CommandResult,
} from '@tracershop/command-pipeline';
import {
  customerDecider,
  customerStreamName,
  deliveryEndpointDecider,
  deliveryEndpointStreamName,
  deliveryTimeSlotDecider,
  deliveryTimeSlotStreamName,
  productionRunDecider,
  productionRunStreamName,
  tracerDecider,
  tracerStreamName,
  type CalendarDate,
} from '@tracershop/domain/catalog';
import { hasReleaseRight } from '@tracershop/domain/identity';
import type { DomainEvent } from '@tracershop/domain/kernel';
import {
  deliveryDayDecider,
  deliveryDayStreamName,
  staleVialAssignment,
  vialDecider,
  vialStreamName,
  type ActingAs,
  type DeliveryDayCommand,
  type DeliveryDayEvent,
  type DeliveryDayState,
  type OrderedBy,
  type ReleasedBy,
  type VialState,
} from '@tracershop/domain/ordering';
import { Position, type EventStore } from '@tracershop/event-store';
import { EVENT_STORE, ExecuteDomainCommand, HttpProblem, notFound } from '@tracershop/platform';
import { ElectronicSignatures } from '../identity/electronic-signatures';
import { IdentityService } from '../identity/identity.service';
import { LegacyIdAllocator } from '../legacy-ids/legacy-id-allocator';
import { BusinessClock } from './business-clock';
import { deliveryDayCommand, loadedByHandler, vialCommand } from './ordering-commands';
import {
  activityReleaseContent,
  injectionReleaseContent,
  releaseCorrectionContent,
  SIGNED_CONTENT_VERSION,
  type SignedVial,
} from './signed-content';
import { OrderLocator, type LocatedOrder } from './order-locator';
import type {
  ChangeActivityOrderDto,
  ChangeInjectionOrderDto,
  CorrectReleaseDto,
  MoveOrderDto,
  OrderCommandResponseDto,
  PlaceActivityOrderDto,
  PlaceInjectionOrderDto,
  ReleaseInjectionOrdersDto,
  ReleaseSlotDto,
  SignatureCredentialsDto,
} from './ordering.dto';

/**
 * What production may do that a shop member may not (override deadlines, cancel accepted orders),
 * and what a shop admin may do for its customers (edit orders made from bookings).
 */
export function actingAsOf(principal: Principal, customerId?: string): ActingAs {
  if (hasRole(principal, 'admin', 'production')) return 'production';
  const shopAdmin = principal.roles.some(
    (grant) => grant.role === 'shop-admin' && (customerId === undefined || grant.customerIds.includes(customerId)),
  );
  return shopAdmin ? 'shop-admin' : 'shop';
}

/** A version-5 (name-based) UUID, the form of every id the server derives from a name (`nameBasedUuid`). */
const NAME_BASED_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export const orderedByOf = (principal: Principal): OrderedBy => ({
  userId: principal.id,
  username: principal.username,
  printedName: principal.printedName,
});

/**
 * The ordering use cases: finds the delivery day a request concerns, loads what the decision
 * needs that the pipeline cannot (legacy ids, signatures), and sends the command.
 */
@Injectable()
export class OrderingService {
  readonly deliveryDay: CommandDefinition<DeliveryDayCommand, DeliveryDayEvent, DeliveryDayState>;

  constructor(
    private readonly bus: CommandBus,
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(LegacyIdAllocator) private readonly legacyIds: LegacyIdAllocator,
    @Inject(BusinessClock) private readonly clock: BusinessClock,
    @Inject(OrderLocator) private readonly locator: OrderLocator,
    @Inject(ElectronicSignatures) private readonly signatures: ElectronicSignatures,
    @Inject(IdentityService) private readonly identity: IdentityService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {
    this.deliveryDay = deliveryDayCommand(pipeline);
  }

  async send<C, E extends DomainEvent, S>(
    id: string,
    definition: CommandDefinition<C, E, S>,
    command: NoInfer<C>,
    context: CommandContext,
  ): Promise<OrderCommandResponseDto> {
    const result: CommandResult = await this.bus.execute(new ExecuteDomainCommand(definition, command, context));
    return { id, ...result };
  }

  /** The endpoint and tracer a slot belongs to, from its stream (404 when there is no such slot). */
  async slotOwner(slotId: string): Promise<{ endpointId: string; tracerId: string }> {
    const slot = await this.pipeline.loadState(deliveryTimeSlotStreamName(slotId), deliveryTimeSlotDecider);
    if (slot.status === 'absent') throw notFound('DELIVERY_TIME_SLOT_NOT_FOUND', slotId);
    const run = await this.pipeline.loadState(productionRunStreamName(slot.productionRunId), productionRunDecider);
    return { endpointId: slot.endpointId, tracerId: run.status === 'absent' ? '' : run.tracerId };
  }

  locate(orderId: string): Promise<LocatedOrder> {
    return this.locator.locate(orderId);
  }

  /** See `OrderLocator.waitAsForAnUnknownId`. */
  waitAsForAnUnknownId(): Promise<void> {
    return this.locator.waitAsForAnUnknownId();
  }

  async placeActivityOrder(
    endpointId: string,
    dto: PlaceActivityOrderDto,
    principal: Principal,
    requestContext: CommandContext,
  ) {
    refuseOverrideUnlessProduction(principal, dto.deadlineOverrideReason);
    const day = { endpointId, date: dto.deliveryDate };
    const { id, context } = await this.idFor('order', dto.id, day, requestContext);
    const { at, local } = this.clock.now();
    return this.send(
      id,
      this.deliveryDay,
      {
        type: 'PlaceActivityOrder',
        orderId: id,
        legacyOid: await this.legacyIds.allocate('orders'),
        endpointId,
        date: dto.deliveryDate,
        slotId: dto.slotId,
        activityMBq: dto.activityMBq,
        comment: dto.comment ?? null,
        orderedBy: orderedByOf(principal),
        actingAs: actingAsOf(principal),
        deadlineOverrideReason: dto.deadlineOverrideReason ?? null,
        bookingIds: [],
        at,
        now: local,
        deadline: this.clock.activityDeadline,
        refs: loadedByHandler,
      },
      context,
    );
  }

  async placeInjectionOrder(dto: PlaceInjectionOrderDto, principal: Principal, requestContext: CommandContext) {
    refuseOverrideUnlessProduction(principal, dto.deadlineOverrideReason);
    const day = { endpointId: dto.endpointId, date: dto.deliveryDate };
    const { id, context } = await this.idFor('order', dto.id, day, requestContext);
    const { at, local } = this.clock.now();
    return this.send(
      id,
      this.deliveryDay,
      {
        type: 'PlaceInjectionOrder',
        orderId: id,
        legacyOid: await this.legacyIds.allocate('t_orders'),
        endpointId: dto.endpointId,
        date: dto.deliveryDate,
        tracerId: dto.tracerId,
        deliveryTime: dto.deliveryTime,
        injections: dto.injections,
        usage: dto.usage,
        comment: dto.comment ?? null,
        orderedBy: orderedByOf(principal),
        actingAs: actingAsOf(principal),
        deadlineOverrideReason: dto.deadlineOverrideReason ?? null,
        bookingIds: [],
        at,
        now: local,
        deadline: this.clock.injectionDeadline,
        refs: loadedByHandler,
      },
      context,
    );
  }

  async accept(order: LocatedOrder, context: CommandContext) {
    return this.send(order.orderId, this.deliveryDay, { type: 'AcceptOrder', ...this.onDay(order) }, context);
  }

  /**
   * The production actions that need only the order and a reason; each may leave moved-in orders
   * without a host, so each carries an id for the ghost that would host them.
   */
  async withReason(
    type: 'RejectOrder' | 'ReinstateOrder' | 'RestoreOrder',
    order: LocatedOrder,
    reason: string,
    context: CommandContext,
  ) {
    return this.send(
      order.orderId,
      this.deliveryDay,
      {
        type,
        ...this.onDay(order),
        reason,
        ghostLegacyOid: await this.ghostLegacyOid(order),
        // The slots the order returns to, as the catalogue holds them now: the handler loads them.
        refs: loadedByHandler,
      },
      { ...context, reason },
    );
  }

  async cancel(order: LocatedOrder, reason: string, principal: Principal, context: CommandContext) {
    const { at, local } = this.clock.now();
    return this.send(
      order.orderId,
      this.deliveryDay,
      {
        type: 'CancelOrder',
        orderId: order.orderId,
        endpointId: order.endpointId,
        date: order.deliveryDate,
        reason,
        actingAs: actingAsOf(principal, order.customerId),
        ghostLegacyOid: await this.ghostLegacyOid(order),
        at,
        now: local,
        deadline: this.deadlineOf(order),
      },
      { ...context, reason },
    );
  }

  async changeActivityOrder(
    order: LocatedOrder,
    dto: ChangeActivityOrderDto,
    principal: Principal,
    context: CommandContext,
  ) {
    refuseOverrideUnlessProduction(principal, dto.deadlineOverrideReason);
    const { local } = this.clock.now();
    return this.send(
      order.orderId,
      this.deliveryDay,
      {
        type: 'ChangeActivityOrder',
        ...this.onDay(order),
        ...(dto.activityMBq !== undefined ? { activityMBq: dto.activityMBq } : {}),
        ...(dto.comment !== undefined ? { comment: dto.comment } : {}),
        actingAs: actingAsOf(principal, order.customerId),
        maxActivityMBq: loadedByHandler,
        deadlineOverrideReason: dto.deadlineOverrideReason ?? null,
        now: local,
        deadline: this.clock.activityDeadline,
      },
      withOverrideReason(context, dto.deadlineOverrideReason),
    );
  }

  async changeInjectionOrder(
    order: LocatedOrder,
    dto: ChangeInjectionOrderDto,
    principal: Principal,
    context: CommandContext,
  ) {
    refuseOverrideUnlessProduction(principal, dto.deadlineOverrideReason);
    const { local } = this.clock.now();
    const { deadlineOverrideReason, ...changes } = dto;
    return this.send(
      order.orderId,
      this.deliveryDay,
      {
        type: 'ChangeInjectionOrder',
        ...this.onDay(order),
        changes,
        actingAs: actingAsOf(principal, order.customerId),
        maxInjections: loadedByHandler,
        deadlineOverrideReason: deadlineOverrideReason ?? null,
        now: local,
        deadline: this.clock.injectionDeadline,
      },
      withOverrideReason(context, deadlineOverrideReason),
    );
  }

  async move(order: LocatedOrder, dto: MoveOrderDto, context: CommandContext) {
    return this.send(
      order.orderId,
      this.deliveryDay,
      {
        type: 'MoveOrderToSlot',
        ...this.onDay(order),
        targetSlotId: dto.targetSlotId,
        reason: dto.reason,
        ghostLegacyOid: await this.ghostLegacyOid(order),
        secondGhostLegacyOid: await this.ghostLegacyOid(order),
        timeZone: this.clock.timeZone,
        refs: loadedByHandler,
      },
      { ...context, reason: dto.reason },
    );
  }

  async releaseSlot(dto: ReleaseSlotDto, principal: Principal, requestContext: CommandContext) {
    const { at, local } = this.clock.now();
    const { endpointId, tracerId } = await this.slotOwner(dto.slotId);
    const day = { endpointId, date: dto.deliveryDate };
    const { id, context } = await this.idFor('release', dto.id, day, requestContext);
    const streamId = deliveryDayStreamName(endpointId, dto.deliveryDate);
    const vials = await Promise.all(
      dto.vialIds.map(async (vialId, index) => ({
        vialId,
        state: await this.vialFreedOfStaleRelease(vialId, context),
        // Only vials after the first get a legacy row of their own.
        extraRowLegacyOid: index === 0 ? 0 : await this.legacyIds.allocate('orders'),
      })),
    );
    const content = activityReleaseContent({
      releaseId: id,
      slotId: dto.slotId,
      date: dto.deliveryDate,
      orderIds: dto.orderIds,
      // The vials as the signer releases them: what the release event will record of each.
      vials: vials.map(({ vialId, state }): SignedVial => (state.status === 'absent' ? { vialId } : state)),
    });
    const signature = await this.sign(
      principal,
      dto.signature,
      'release',
      streamId,
      content,
      context,
      tracerId,
      local.date,
    );
    const [tracer, customer] = await this.tracerAndCustomer(tracerId, endpointId);
    return this.send(
      id,
      this.deliveryDay,
      {
        type: 'ReleaseSlot',
        releaseId: id,
        endpointId,
        date: dto.deliveryDate,
        slotId: dto.slotId,
        orderIds: dto.orderIds,
        vials,
        ...(await this.releaser(principal, tracerId, local.date)),
        signatureMeaning: signature.meaning,
        today: local.date,
        confirmOtherDate: dto.confirmOtherDate ?? false,
        at,
        refs: { tracer, customer },
      },
      { ...context, signature },
    );
  }

  async releaseInjectionOrders(dto: ReleaseInjectionOrdersDto, principal: Principal, requestContext: CommandContext) {
    const { id, context } = await this.idFor(
      'release',
      dto.id,
      { endpointId: dto.endpointId, date: dto.deliveryDate },
      requestContext,
    );
    const { at, local } = this.clock.now();
    const day = await this.loadDay(dto.endpointId, dto.deliveryDate);
    // The orders are checked before the signature: an order the day does not hold is not a
    // signature's failure, and the tracer whose release right the signature needs is the orders'.
    const [first] = dto.orderIds.map((orderId) => {
      const order = day.orders[orderId];
      if (!order) throw notFound('ORDER_NOT_FOUND', orderId);
      return order;
    });
    const tracerId = first?.tracerId ?? '';
    const streamId = deliveryDayStreamName(dto.endpointId, dto.deliveryDate);
    const maxInjectionVolumeMl = dto.maxInjectionVolumeMl ?? null;
    const content = injectionReleaseContent({
      releaseId: id,
      date: dto.deliveryDate,
      orderIds: dto.orderIds,
      lot: dto.lot,
      maxInjectionVolumeMl,
    });
    const signature = await this.sign(
      principal,
      dto.signature,
      'release',
      streamId,
      content,
      context,
      tracerId,
      local.date,
    );
    const [tracer] = await this.tracerAndCustomer(tracerId, dto.endpointId);
    return this.send(
      id,
      this.deliveryDay,
      {
        type: 'ReleaseInjectionOrders',
        releaseId: id,
        endpointId: dto.endpointId,
        date: dto.deliveryDate,
        orderIds: dto.orderIds,
        lot: dto.lot,
        maxInjectionVolumeMl,
        ...(await this.releaser(principal, tracerId, local.date)),
        signatureMeaning: signature.meaning,
        at,
        refs: { tracer },
      },
      { ...context, signature },
    );
  }

  async correctRelease(
    release: { releaseId: string; endpointId: string; deliveryDate: CalendarDate },
    dto: CorrectReleaseDto,
    principal: Principal,
    context: CommandContext,
  ) {
    const { at } = this.clock.now();
    const streamId = deliveryDayStreamName(release.endpointId, release.deliveryDate);
    // What the correction withdraws, as the delivery day holds it: the event records the same.
    const day = await this.loadDay(release.endpointId, release.deliveryDate);
    const withdrawn = day.releases[release.releaseId];
    const content = releaseCorrectionContent({
      releaseId: release.releaseId,
      reason: dto.reason,
      withdrawn: {
        orderIds: withdrawn?.orderIds ?? [],
        lot: withdrawn?.lot ?? null,
        vials: withdrawn?.vials ?? [],
      },
    });
    const signature = await this.sign(principal, dto.signature, 'correct', streamId, content, context);
    const answer = await this.send(
      release.releaseId,
      this.deliveryDay,
      {
        type: 'CorrectRelease',
        releaseId: release.releaseId,
        endpointId: release.endpointId,
        date: release.deliveryDate,
        reason: dto.reason,
        signatureMeaning: signature.meaning,
        at,
      },
      { ...context, reason: dto.reason, signature },
    );
    // The correction gives its vials back after the day's append (and a repeated one found them
    // given back by the first): the answer's position covers those writes too, so a read at it
    // never shows a vial still assigned to the corrected release.
    const vialStreams = (withdrawn?.vials ?? []).map((vial) => vialStreamName(vial.vialId));
    return { ...answer, position: await this.latestPosition(answer.position, vialStreams) };
  }

  /** The later of `position` and the heads of `streams`: a read at it sees everything written to them. */
  private async latestPosition(position: string | null, streams: readonly string[]): Promise<string | null> {
    const heads = await Promise.all(
      streams.map(async (stream) => (await this.pipeline.load(stream, vialDecider)).position),
    );
    let latest: Position | null = null;
    for (const head of [position, ...heads]) {
      if (head === null) continue;
      const parsed = Position.parse(head);
      if (latest === null || parsed.compareTo(latest) > 0) latest = parsed;
    }
    return latest?.toString() ?? null;
  }

  /** The delivery day an order command goes to, at the server's now. */
  private onDay(order: LocatedOrder) {
    return { orderId: order.orderId, endpointId: order.endpointId, date: order.deliveryDate, at: this.clock.now().at };
  }

  loadDay(endpointId: string, date: CalendarDate): Promise<DeliveryDayState> {
    return this.pipeline.loadState(deliveryDayStreamName(endpointId, date), deliveryDayDecider);
  }

  /**
   * The id of a new order or release, and the context to place it in. One minted here needs no
   * claim. The client's is claimed for the delivery day by the day's command; an id the server
   * minted earlier is never claimed, so the read model is asked first whether another day holds it
   * (it was placed before the client could know it).
   */
  private async idFor(
    kind: 'order' | 'release',
    chosen: string | undefined,
    day: { endpointId: string; date: CalendarDate },
    context: CommandContext,
  ): Promise<{ id: string; context: CommandContext }> {
    if (chosen === undefined) {
      const id = mintedId(context, kind);
      return { id, context: { ...context, mintedIds: [...(context.mintedIds ?? []), id] } };
    }
    if (NAME_BASED_UUID.test(chosen)) {
      // The form of the ids the server derives (a mass order's, the legacy sync's): one chosen
      // before them would take theirs.
      throw new HttpProblem(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'ID_RESERVED',
        `${chosen} has the form of the ids the server derives (a name-based UUID); choose another id`,
        { field: 'id', id: chosen },
      );
    }
    // Waits for the orders read model to reach the store's head (503 when it cannot in time).
    const held = await (kind === 'order' ? this.locator.locate(chosen) : this.locator.locateRelease(chosen)).catch(
      (error: unknown) => {
        if (error instanceof HttpProblem && error.status === HttpStatus.NOT_FOUND) return null;
        throw error;
      },
    );
    if (held && (held.endpointId !== day.endpointId || held.deliveryDate !== day.date)) {
      throw new HttpProblem(
        HttpStatus.CONFLICT,
        kind === 'order' ? 'ORDER_ID_TAKEN' : 'RELEASE_ID_TAKEN',
        `The ${kind} id ${chosen} belongs to another delivery day; choose another id`,
        { field: 'id', id: chosen },
      );
    }
    return { id: chosen, context };
  }

  /** Commands that may leave moved-in orders without a host carry an id for the ghost that would host them. */
  private async ghostLegacyOid(order: LocatedOrder): Promise<number> {
    return order.kind === 'activity' ? this.legacyIds.allocate('orders') : 0;
  }

  private deadlineOf(order: LocatedOrder) {
    return order.kind === 'activity' ? this.clock.activityDeadline : this.clock.injectionDeadline;
  }

  private async sign(
    principal: Principal,
    credentials: SignatureCredentialsDto,
    meaning: 'release' | 'correct',
    streamId: string,
    content: unknown,
    context: CommandContext,
    tracerId?: string,
    onDate?: string,
  ) {
    return this.signatures.sign(
      {
        principal,
        ...(credentials.username !== undefined ? { username: credentials.username } : {}),
        password: credentials.password,
        meaning,
        streamId,
        content,
        contentVersion: SIGNED_CONTENT_VERSION,
        ...(tracerId !== undefined ? { tracerId } : {}),
        ...(onDate !== undefined ? { onDate } : {}),
      },
      context,
    );
  }

  /**
   * The vial's state, after giving it back from a release that is not in force (corrected, or never
   * recorded): what a process left behind when it stopped inside a release or a correction
   * (`staleVialAssignment`). The vial's stream records the reason; any other assignment stays.
   */
  async vialFreedOfStaleRelease(vialId: string, context: CommandContext): Promise<VialState> {
    const stream = vialStreamName(vialId);
    const vial = await this.pipeline.loadState(stream, vialDecider);
    if (vial.status === 'absent' || vial.assignedTo === null) return vial;
    const { releaseId, streamId } = vial.assignedTo;
    const day = await this.pipeline.loadState(streamId, deliveryDayDecider);
    const assignedAt = day.releases[releaseId] ? null : await this.assignedAt(stream, releaseId);
    const at = this.clock.now().at;
    const reason = staleVialAssignment(vial.assignedTo, day, assignedAt, at);
    if (reason === null) return vial;
    await this.pipeline.execute(
      vialCommand,
      { type: 'UnassignVial', vialId, releaseId, reason, at },
      { ...context, causationId: `${context.causationId}:UnassignVial:${vialId}:${randomUUID()}` },
    );
    return this.pipeline.loadState(stream, vialDecider);
  }

  /** When the vial was last assigned to this release (recorded time), or null if it never was. */
  private async assignedAt(vialStream: string, releaseId: string): Promise<string | null> {
    const events = await this.store.readStream(vialStream, { direction: 'backwards' });
    const assigned = events.find(
      (event) => event.type === 'VialAssigned' && (event.data as { releaseId?: unknown }).releaseId === releaseId,
    );
    return assigned?.metadata.recordedAt ?? null;
  }

  /**
   * Who releases, with the legacy user id the old tables name, and the signer's release right for
   * the tracer, which the decider checks again. The right must be unexpired on the day of signing
   * (`onDate`, today in the business time zone), whatever day the release is for: a right that has
   * expired signs no release, also not one of a past delivery.
   */
  private async releaser(
    principal: Principal,
    tracerId: string,
    onDate: CalendarDate,
  ): Promise<{ releasedBy: ReleasedBy; releaseRightTracerIds: string[] }> {
    const user = await this.identity.loadUser(principal.id);
    return {
      releasedBy: { ...orderedByOf(principal), legacyUserId: user.status === 'absent' ? null : user.legacyUserId },
      releaseRightTracerIds: hasReleaseRight(user, tracerId, onDate) ? [tracerId] : [],
    };
  }

  private async tracerAndCustomer(tracerId: string, endpointId: string) {
    const [tracer, endpoint] = await Promise.all([
      this.pipeline.loadState(tracerStreamName(tracerId), tracerDecider),
      this.pipeline.loadState(deliveryEndpointStreamName(endpointId), deliveryEndpointDecider),
    ]);
    const customer = await this.pipeline.loadState(
      customerStreamName(endpoint.status === 'absent' ? '' : endpoint.customerId),
      customerDecider,
    );
    return [tracer, customer] as const;
  }
}

/**
 * Only production overrides a deadline (the decider ignores a shop member's override): a reason
 * for one from anyone else is refused, so that no event records a reason for what it did not do.
 */
function refuseOverrideUnlessProduction(principal: Principal, deadlineOverrideReason: string | undefined): void {
  if (deadlineOverrideReason === undefined || actingAsOf(principal) === 'production') return;
  throw new HttpProblem(
    HttpStatus.BAD_REQUEST,
    'DEADLINE_OVERRIDE_PRODUCTION_ONLY',
    'Only production overrides an ordering deadline; leave out deadlineOverrideReason',
    { field: 'deadlineOverrideReason' },
  );
}

/** A deadline override's reason goes in the envelope too, where every change's reason is read. */
function withOverrideReason(context: CommandContext, reason: string | undefined): CommandContext {
  return reason === undefined ? context : { ...context, reason };
}
