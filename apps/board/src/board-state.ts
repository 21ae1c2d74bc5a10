/**
 * The board's client state and the view derived from it, without the DOM: the state changes only
 * from the gateway's messages (applied by id), the view only from the state and the catalogue.
 */
import type {
  LiveGhost,
  LiveOrder,
  RealtimeMessage,
  RealtimeMessageType,
  REALTIME_NAMESPACE,
} from '../../../libs/realtime/src/realtime-contract';

/** The gateway's namespace; the type ties the literal to the contract's constant. */
export const BOARD_NAMESPACE: typeof REALTIME_NAMESPACE = '/realtime';

/** Each message type with its own payload, so a switch on `type` narrows `payload`. */
export type AnyRealtimeMessage = { [T in RealtimeMessageType]: RealtimeMessage<T> }[RealtimeMessageType];

export const productionDayTopic = (date: string) => `production-day:${date}` as const;

export interface BoardState {
  topic: string;
  /** Position of the latest message applied (shown on the page). */
  position: string | null;
  /** Key of the latest message applied: a rejoin resumes exactly after it (`afterKey`). */
  key: string | null;
  snapshotReceived: boolean;
  orders: Map<string, LiveOrder>;
  ghosts: Map<string, LiveGhost>;
}

export function emptyState(topic: string): BoardState {
  return { topic, position: null, key: null, snapshotReceived: false, orders: new Map(), ghosts: new Map() };
}

/** What the connection must do after a message. */
export type MessageEffect = { kind: 'render' } | { kind: 'ignore' } | { kind: 'rejoin'; afterKey: string };

function applied(state: BoardState, message: AnyRealtimeMessage): MessageEffect {
  state.position = message.position;
  state.key = message.key;
  return { kind: 'render' };
}

/** Applies one message of the board's topic; messages of other topics change nothing. */
export function applyMessage(state: BoardState, message: AnyRealtimeMessage): MessageEffect {
  if (message.topic !== state.topic) return { kind: 'ignore' };
  switch (message.type) {
    case 'production-day.snapshot':
      state.orders = new Map(message.payload.orders.map((order) => [order.orderId, order]));
      state.ghosts = new Map(message.payload.ghosts.map((ghost) => [ghost.ghostId, ghost]));
      state.snapshotReceived = true;
      return applied(state, message);
    case 'order.updated':
      state.orders.set(message.payload.order.orderId, message.payload.order);
      return applied(state, message);
    case 'ghost.updated':
      state.ghosts.set(message.payload.ghost.ghostId, message.payload.ghost);
      return applied(state, message);
    case 'record.reviewed':
      // Nothing on the board changes, but the board stands after it: a resume starts past it.
      return applied(state, message);
    case 'resume.required':
      // The exact key: a position alone would skip the rest of the last event's messages.
      return { kind: 'rejoin', afterKey: message.payload.afterKey };
    case 'resume.expired':
      // The server sends a fresh snapshot next; until it arrives the board is not current.
      state.snapshotReceived = false;
      return { kind: 'render' };
    case 'customer.snapshot':
    case 'order-session.snapshot':
    case 'job.snapshot':
    case 'projection-status.snapshot':
    case 'projection-status.updated':
    case 'incidents.snapshot':
    case 'incident.updated':
      return { kind: 'ignore' };
    default:
      return unreachable(message);
  }
}

function unreachable(message: never): MessageEffect {
  void message;
  return { kind: 'ignore' };
}

/** How long the board waits before joining again after a refusal that passes by itself. */
export const JOIN_RETRY_MS = 5000;
/** The longest wait between retries: several boards of one account must not keep its join limit spent. */
export const JOIN_RETRY_MAX_MS = 120_000;

/**
 * When to try a refused join again: for a refusal that passes by itself (the join rate limit, the
 * service unavailable for a moment) after `JOIN_RETRY_MS`, doubled for each refusal in a row
 * (`attempt` 0 for the first) up to `JOIN_RETRY_MAX_MS`; null for one that retrying cannot mend
 * (an ended session, a topic not allowed …).
 */
export function joinRetryDelay(code: string, attempt = 0): number | null {
  if (code !== 'RATE_LIMITED' && code !== 'UNAVAILABLE') return null;
  return Math.min(JOIN_RETRY_MAX_MS, JOIN_RETRY_MS * 2 ** Math.max(0, Math.min(attempt, 16)));
}

// Calendar (the same rules as libs/domain/catalog, on UTC day numbers).

const MS_PER_DAY = 86_400_000;

function dayNumber(date: string): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return Math.round(new Date(0).setUTCFullYear(year, month - 1, day) / MS_PER_DAY);
}

export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  return new Date(dayNumber(value) * MS_PER_DAY).toISOString().slice(0, 10) === value;
}

/** 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  return ((((dayNumber(date) + 3) % 7) + 7) % 7) + 1;
}

export function isoWeek(date: string): number {
  const thursday = dayNumber(date) + 4 - isoWeekday(date);
  const weekYear = new Date(thursday * MS_PER_DAY).getUTCFullYear();
  const firstOfYear = dayNumber(`${String(weekYear).padStart(4, '0')}-01-01`);
  return Math.floor((thursday - firstOfYear) / 7) + 1;
}

// Catalogue, as the list routes answer it (the fields the board reads).

export interface CatalogSlot {
  id: string;
  endpointId: string;
  productionRunId: string;
  deliveryTime: string;
  weekday: number;
  repeat: 'every' | 'even' | 'odd';
  expiryDate: string | null;
}

export interface CatalogRun {
  id: string;
  tracerId: string;
  weekday: number;
  productionTime: string;
  runNumber: number;
}

export interface CatalogEndpoint {
  id: string;
  customerId: string;
  name: string;
}

export interface CatalogCustomer {
  id: string;
  shortName: string;
  longName: string;
}

export interface BoardCatalog {
  date: string;
  tracerId: string;
  runs: CatalogRun[];
  /** Every slot listed for the weekday; `slotsOfDay` picks the tracer's delivering ones. */
  slots: CatalogSlot[];
  endpoints: Map<string, CatalogEndpoint>;
  customers: Map<string, CatalogCustomer>;
  /** Of the tracer's isotope; null when unknown (the runs' needs are then unknown, not smaller). */
  halfLifeSeconds: number | null;
}

/** The slots of the tracer's runs that deliver on the date by weekday, week parity and expiry. */
export function slotsOfDay(catalog: BoardCatalog): CatalogSlot[] {
  const runs = new Set(catalog.runs.filter((run) => run.tracerId === catalog.tracerId).map((run) => run.id));
  const oddWeek = isoWeek(catalog.date) % 2 === 1;
  const weekday = isoWeekday(catalog.date);
  return catalog.slots.filter(
    (slot) =>
      runs.has(slot.productionRunId) &&
      slot.weekday === weekday &&
      (slot.repeat === 'every' || (slot.repeat === 'odd') === oddWeek) &&
      (slot.expiryDate === null || catalog.date < slot.expiryDate),
  );
}

// The view: columns are the day's production runs, rows the customers, each cell the customer's
// slots of that run (by delivery time) with what each holds.

export interface SlotView {
  slotId: string;
  endpointId: string;
  endpointName: string;
  deliveryTime: string;
  runNumber: number;
  /** Own orders delivered from the slot and not released (withdrawn ones too, in black). */
  ordered: LiveOrder[];
  /** Orders moved in from later slots: served decay-corrected, with overhead. */
  movedIn: LiveOrder[];
  /** Own orders delivered from an earlier slot. */
  movedOut: LiveOrder[];
  /** Orders the slot delivered, released. */
  released: LiveOrder[];
  ghosts: LiveGhost[];
  dead: LiveGhost[];
  /** What the slot must deliver: its live orders' served MBq (ordered and moved in, not withdrawn). */
  totalMBq: number;
}

export interface RunColumn {
  runNumber: number;
  productionTime: string | null;
  /** What the run's slots deliver: their live orders' served MBq. */
  deliveredMBq: number;
  /**
   * What the run must make at its production time (rules, "Production for a run at t_p"): each
   * live order's served MBq decayed back from the time of the slot that delivers it,
   * Σ served·exp(ln2·(t_slot − t_p)/T½). Null without a production time or a half-life.
   */
  atProductionMBq: number | null;
}

export interface CustomerRow {
  customerId: string;
  shortName: string;
  longName: string;
  /** By run number. */
  cells: Map<number, SlotView[]>;
}

export interface BoardView {
  columns: RunColumn[];
  rows: CustomerRow[];
}

const WITHDRAWN: ReadonlySet<LiveOrder['status']> = new Set(['rejected', 'cancelled']);

export function boardView(state: BoardState, catalog: BoardCatalog): BoardView {
  const slots = new Map<string, SlotView>();
  const customerOfSlot = new Map<string, string>();
  const slotView = (slotId: string, endpointId: string, deliveryTime: string, runNumber: number): SlotView => {
    const existing = slots.get(slotId);
    if (existing) return existing;
    const view: SlotView = {
      slotId,
      endpointId,
      endpointName: catalog.endpoints.get(endpointId)?.name ?? endpointId,
      deliveryTime,
      runNumber,
      ordered: [],
      movedIn: [],
      movedOut: [],
      released: [],
      ghosts: [],
      dead: [],
      totalMBq: 0,
    };
    slots.set(slotId, view);
    return view;
  };

  const runOf = new Map(catalog.runs.map((run) => [run.id, run]));
  for (const slot of slotsOfDay(catalog)) {
    const endpoint = catalog.endpoints.get(slot.endpointId);
    slotView(slot.id, slot.endpointId, slot.deliveryTime, runOf.get(slot.productionRunId)?.runNumber ?? 0);
    if (endpoint) customerOfSlot.set(slot.id, endpoint.customerId);
  }

  const orders = [...state.orders.values()]
    .filter(
      (order) =>
        order.kind === 'activity' && order.tracerId === catalog.tracerId && order.deliveryDate === catalog.date,
    )
    .sort((a, b) => a.deliveryTime.localeCompare(b.deliveryTime) || a.orderId.localeCompare(b.orderId));
  const runNumberOfSlot = (slotId: string, fallback: number | null) => slots.get(slotId)?.runNumber ?? fallback ?? 0;
  /** Each live order's served MBq, at the run and time of the slot that delivers it. */
  const served: Array<{ runNumber: number; deliveryTime: string; mbq: number }> = [];
  for (const order of orders) {
    const activeSlotId = order.activeSlotId ?? order.slotId;
    if (activeSlotId === null) continue;
    const activeTime = order.activeDeliveryTime ?? order.deliveryTime;
    const active = slotView(activeSlotId, order.endpointId, activeTime, runNumberOfSlot(activeSlotId, order.runNumber));
    customerOfSlot.set(activeSlotId, customerOfSlot.get(activeSlotId) ?? order.customerId);
    if (order.status === 'released') active.released.push(order);
    else if (order.moved) active.movedIn.push(order);
    else active.ordered.push(order);
    if (!WITHDRAWN.has(order.status)) {
      active.totalMBq += order.servedMBq ?? 0;
      served.push({ runNumber: active.runNumber, deliveryTime: active.deliveryTime, mbq: order.servedMBq ?? 0 });
    }
    if (order.moved && order.slotId !== null && order.slotId !== activeSlotId) {
      const origin = slotView(order.slotId, order.endpointId, order.deliveryTime, runNumberOfSlot(order.slotId, null));
      customerOfSlot.set(order.slotId, customerOfSlot.get(order.slotId) ?? order.customerId);
      origin.movedOut.push(order);
    }
  }

  const ghosts = [...state.ghosts.values()]
    .filter((ghost) => ghost.tracerId === catalog.tracerId && ghost.deliveryDate === catalog.date)
    .sort((a, b) => a.ghostId.localeCompare(b.ghostId));
  for (const ghost of ghosts) {
    const slot = slotView(ghost.slotId, ghost.endpointId, ghost.deliveryTime, ghost.runNumber);
    customerOfSlot.set(ghost.slotId, customerOfSlot.get(ghost.slotId) ?? ghost.customerId);
    (ghost.status === 'dead' ? slot.dead : slot.ghosts).push(ghost);
  }

  const runTimes = new Map<number, string>();
  for (const run of catalog.runs) {
    if (run.tracerId === catalog.tracerId && run.weekday === isoWeekday(catalog.date)) {
      runTimes.set(run.runNumber, run.productionTime);
    }
  }
  const runNumbers = new Set<number>([...runTimes.keys(), ...[...slots.values()].map((slot) => slot.runNumber)]);
  const columns = [...runNumbers]
    .sort((a, b) => a - b)
    .map((runNumber) => runColumn(runNumber, runTimes.get(runNumber) ?? null, served, catalog.halfLifeSeconds));

  const rows = new Map<string, CustomerRow>();
  const bySlotTime = [...slots.values()].sort(
    (a, b) => a.deliveryTime.localeCompare(b.deliveryTime) || a.slotId.localeCompare(b.slotId),
  );
  for (const slot of bySlotTime) {
    const customerId = customerOfSlot.get(slot.slotId) ?? catalog.endpoints.get(slot.endpointId)?.customerId;
    if (customerId === undefined) continue;
    let row = rows.get(customerId);
    if (!row) {
      const customer = catalog.customers.get(customerId);
      row = {
        customerId,
        shortName: customer?.shortName ?? customerId,
        longName: customer?.longName ?? '',
        cells: new Map(),
      };
      rows.set(customerId, row);
    }
    const cell = row.cells.get(slot.runNumber) ?? [];
    cell.push(slot);
    row.cells.set(slot.runNumber, cell);
  }
  return {
    columns,
    rows: [...rows.values()].sort((a, b) => a.shortName.localeCompare(b.shortName)),
  };
}

const minutesOf = (time: string) => {
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  return hours * 60 + minutes;
};

function runColumn(
  runNumber: number,
  productionTime: string | null,
  served: ReadonlyArray<{ runNumber: number; deliveryTime: string; mbq: number }>,
  halfLifeSeconds: number | null,
): RunColumn {
  const ofRun = served.filter((order) => order.runNumber === runNumber);
  const deliveredMBq = ofRun.reduce((sum, order) => sum + order.mbq, 0);
  if (productionTime === null || halfLifeSeconds === null || !(halfLifeSeconds > 0)) {
    return { runNumber, productionTime, deliveredMBq, atProductionMBq: null };
  }
  const atProductionMBq = ofRun.reduce(
    (sum, order) =>
      sum +
      order.mbq *
        Math.exp((Math.LN2 * (minutesOf(order.deliveryTime) - minutesOf(productionTime)) * 60) / halfLifeSeconds),
    0,
  );
  return { runNumber, productionTime, deliveredMBq, atProductionMBq };
}

/** `1234 MBq`: whole MBq, as the old board showed them. */
export function formatMBq(value: number | null): string {
  return value === null ? '–' : `${Math.round(value).toLocaleString('en-US').replace(/,/g, ' ')} MBq`;
}
