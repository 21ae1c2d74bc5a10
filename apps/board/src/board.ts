/**
 * The live production board: pick a date and an activity tracer; the day's production runs are the
 * columns, customers the rows, and each cell the customer's slots of that run with their ordered,
 * moved-in, ghost, released and dead orders. The catalogue comes over HTTP; the orders only from
 * the realtime gateway (`production-day:<date>`), applied by id as the messages arrive.
 */
import type { io as ioFunction, Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  ConnectRefusal,
  JoinReply,
  LiveGhost,
  LiveOrder,
  ServerToClientEvents,
} from '../../../libs/realtime/src/realtime-contract';
import {
  applyMessage,
  BOARD_NAMESPACE,
  boardView,
  emptyState,
  formatMBq,
  isCalendarDate,
  isoWeekday,
  joinRetryDelay,
  productionDayTopic,
  type AnyRealtimeMessage,
  type BoardCatalog,
  type BoardState,
  type CatalogCustomer,
  type CatalogEndpoint,
  type CatalogRun,
  type CatalogSlot,
  type SlotView,
} from './board-state.js';
import { getJson, HttpError, listAll, postJson } from './http.js';

/** The Socket.IO client script loaded before this module defines it. */
declare const io: typeof ioFunction;

type BoardSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** After the server refused a connection (rate limit, unavailable), try again this much later. */
const REFUSED_RETRY_MS = 5000;

interface TracerItem {
  id: string;
  shortName: string;
  clinicalName: string;
  isotopeId: string;
}

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const dateInput = byId<HTMLInputElement>('date');
const tracerSelect = byId<HTMLSelectElement>('tracer');
const connection = byId<HTMLSpanElement>('connection');
const userLine = byId<HTMLSpanElement>('user');
const errorLine = byId<HTMLParagraphElement>('board-error');
const boardRoot = byId<HTMLElement>('board');

let state: BoardState = emptyState(productionDayTopic(''));
let catalog: BoardCatalog | null = null;
let catalogRequest = 0;
let socket: BoardSocket | null = null;
let renderScheduled = false;
/** The next attempt of a join refused for a while (rate limit, unavailable); any join replaces it. */
let joinRetry: ReturnType<typeof setTimeout> | null = null;
/** Joins refused in a row (a refusal that passes): each retry waits longer. */
let joinRefusals = 0;

function toLogin(): void {
  location.assign(`/board/login?next=${encodeURIComponent(location.pathname + location.search)}`);
}

function showError(message: string | null): void {
  errorLine.hidden = message === null;
  errorLine.textContent = message ?? '';
}

function setConnection(value: 'connecting' | 'live' | 'disconnected' | 'joining'): void {
  connection.dataset.connection = value;
  connection.textContent = value;
}

/** Anything that went wrong over HTTP: an ended session sends the user to the login page. */
function failed(error: unknown): void {
  if (error instanceof HttpError && error.status === 401) return toLogin();
  showError(error instanceof Error ? error.message : String(error));
}

function todayLocal(): string {
  const now = new Date();
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

// Rendering: rebuilt from the state and the catalogue, with textContent only (no markup from data).

function element(
  tag: string,
  attributes: Record<string, string> = {},
  ...children: Array<Node | string | null>
): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) if (child !== null) node.append(child);
  return node;
}

function orderItem(order: LiveOrder, section: 'ordered' | 'moved-in' | 'released'): HTMLElement {
  const details: Array<Node | string | null> = [
    element('span', { class: 'mbq', 'data-mbq': '' }, formatMBq(order.servedMBq)),
    element('span', { class: 'order-status' }, `${order.statusCode} ${order.status}`),
  ];
  if (section === 'moved-in') details.push(element('span', { class: 'from' }, `from ${order.deliveryTime}`));
  if (order.lot !== null) details.push(element('span', { class: 'lot', 'data-lot': order.lot }, order.lot));
  if (order.comment) details.push(element('span', { class: 'comment', title: order.comment }, 'note'));
  return element(
    'li',
    {
      class: `order status-${order.statusCode}`,
      'data-order-id': order.orderId,
      'data-status': order.status,
      'data-status-code': String(order.statusCode),
      'data-section': section,
      title: `ordered ${formatMBq(order.activityMBq)} for ${order.deliveryTime}`,
    },
    ...details,
  );
}

function ghostItem(ghost: LiveGhost): HTMLElement {
  const dead = ghost.status === 'dead';
  return element(
    'li',
    {
      class: dead ? 'ghost dead' : 'ghost',
      'data-ghost-id': ghost.ghostId,
      'data-ghost-status': ghost.status,
    },
    dead ? 'dead ghost' : 'ghost order',
  );
}

function section(name: string, items: HTMLElement[]): HTMLElement[] {
  if (items.length === 0) return [];
  return [
    element('div', { class: 'section-title' }, name),
    element('ul', { class: 'section', 'data-section': name }, ...items),
  ];
}

function slotBlock(slot: SlotView): HTMLElement {
  const parts = [
    ...section(
      'ordered',
      slot.ordered.map((order) => orderItem(order, 'ordered')),
    ),
    ...section(
      'moved-in',
      slot.movedIn.map((order) => orderItem(order, 'moved-in')),
    ),
    ...section('ghost', slot.ghosts.map(ghostItem)),
    ...section(
      'released',
      slot.released.map((order) => orderItem(order, 'released')),
    ),
    ...section('dead', slot.dead.map(ghostItem)),
    ...section(
      'moved-out',
      slot.movedOut.map((order) =>
        element(
          'li',
          { class: 'moved-out', 'data-moved-out-order-id': order.orderId },
          `moved to ${order.activeDeliveryTime ?? '?'}`,
        ),
      ),
    ),
  ];
  return element(
    'div',
    { class: 'slot', 'data-slot-id': slot.slotId, 'data-endpoint-id': slot.endpointId },
    element(
      'div',
      { class: 'slot-head' },
      element('span', { class: 'slot-time' }, slot.deliveryTime),
      element('span', { class: 'slot-endpoint' }, slot.endpointName),
      element('span', { class: 'slot-total', 'data-slot-total': String(slot.totalMBq) }, formatMBq(slot.totalMBq)),
    ),
    ...(parts.length > 0 ? parts : [element('span', { class: 'empty' }, 'no orders')]),
  );
}

function render(): void {
  renderScheduled = false;
  if (catalog === null) return;
  const view = boardView(state, catalog);
  boardRoot.dataset.boardReady = String(state.snapshotReceived);
  boardRoot.dataset.date = catalog.date;
  boardRoot.dataset.tracerId = catalog.tracerId;
  boardRoot.dataset.position = state.position ?? '';
  if (view.rows.length === 0) {
    boardRoot.replaceChildren(
      element('p', { class: 'empty', 'data-empty-board': '' }, 'No deliveries of this tracer on this date.'),
    );
    return;
  }
  const head = element(
    'tr',
    {},
    element('th', { class: 'customer' }, 'Customer'),
    ...view.columns.map((column) =>
      element(
        'th',
        { 'data-run': String(column.runNumber) },
        `Run ${column.runNumber}${column.productionTime ? ` · ${column.productionTime}` : ''}`,
      ),
    ),
  );
  const rows = view.rows.map((row) =>
    element(
      'tr',
      { 'data-customer-id': row.customerId },
      element('th', { class: 'customer', title: row.longName }, row.shortName),
      ...view.columns.map((column) =>
        element(
          'td',
          { 'data-run': String(column.runNumber) },
          ...(row.cells.get(column.runNumber) ?? []).map(slotBlock),
        ),
      ),
    ),
  );
  // Per run: what its slots deliver, and what it must make at its production time.
  const foot = element(
    'tr',
    { class: 'run-totals' },
    element('th', { class: 'customer' }, 'Run total'),
    ...view.columns.map((column) =>
      element(
        'td',
        { 'data-run': String(column.runNumber) },
        element(
          'div',
          { 'data-run-delivered': String(column.deliveredMBq) },
          `delivers ${formatMBq(column.deliveredMBq)}`,
        ),
        element(
          'div',
          {
            'data-run-at-production': String(column.atProductionMBq ?? ''),
            title: 'each order decayed back from the time of the slot that delivers it',
          },
          `at ${column.productionTime ?? '?'}: ${formatMBq(column.atProductionMBq)}`,
        ),
      ),
    ),
  );
  boardRoot.replaceChildren(
    element(
      'table',
      { class: 'board' },
      element('thead', {}, head),
      element('tbody', {}, ...rows),
      element('tfoot', {}, foot),
    ),
  );
}

function scheduleRender(): void {
  if (renderScheduled) return;
  renderScheduled = true;
  setTimeout(render, 0);
}

// Catalogue: the tracer's runs on the date's weekday, their slots, the endpoints and customers.

async function loadCatalog(date: string, tracerId: string): Promise<void> {
  const request = ++catalogRequest;
  const weekday = isoWeekday(date);
  const [runs, slots, endpoints, customers, halfLifeSeconds] = await Promise.all([
    listAll<CatalogRun>('/catalog/production-runs', { tracerId, weekday }),
    listAll<CatalogSlot>('/catalog/delivery-time-slots', { weekday }),
    listAll<CatalogEndpoint>('/catalog/delivery-endpoints'),
    listAll<CatalogCustomer>('/catalog/customers'),
    halfLifeOf(tracerId),
  ]);
  if (request !== catalogRequest) return;
  catalog = {
    date,
    tracerId,
    runs,
    slots,
    endpoints: new Map(endpoints.map((endpoint) => [endpoint.id, endpoint])),
    customers: new Map(customers.map((customer) => [customer.id, customer])),
    halfLifeSeconds,
  };
  scheduleRender();
}

/** The half-life of the tracer's isotope, for the runs' needs at their production times. */
async function halfLifeOf(tracerId: string): Promise<number | null> {
  const tracer = await getJson<TracerItem>(`/catalog/tracers/${encodeURIComponent(tracerId)}`);
  const isotope = await getJson<{ halfLifeSeconds?: number }>(
    `/catalog/isotopes/${encodeURIComponent(tracer.isotopeId)}`,
  );
  return typeof isotope.halfLifeSeconds === 'number' ? isotope.halfLifeSeconds : null;
}

// The live feed.

/** Joins the board's topic: after the message `afterKey` names, or with a snapshot. */
function join(afterKey?: string): void {
  if (joinRetry !== null) clearTimeout(joinRetry);
  joinRetry = null;
  const current = socket;
  if (current === null || !current.connected) return;
  const topic = state.topic;
  setConnection('joining');
  current.emit('join', afterKey === undefined ? { topic } : { topic, afterKey }, (reply: JoinReply) => {
    if (topic !== state.topic) return;
    if (reply.ok) {
      joinRefusals = 0;
      setConnection('live');
      showError(null);
      return;
    }
    setConnection('disconnected');
    refused(reply.error);
    const retryIn = joinRetryDelay(reply.error.code, joinRefusals++);
    if (retryIn === null) return;
    joinRetry = setTimeout(() => {
      joinRetry = null;
      if (topic === state.topic && socket === current) join(afterKey);
    }, retryIn);
  });
}

function rejoin(afterKey: string): void {
  const topic = state.topic;
  socket?.emit('leave', { topic }, () => {
    if (topic === state.topic) join(afterKey);
  });
}

/** A refused join or connection: an ended session sends the user to log in, anything else is shown. */
function refused(refusal: ConnectRefusal): void {
  const shown = `Live updates refused: ${refusal.code}: ${refusal.message}`;
  // A refusal that passes says nothing about the session: no request (it would also keep the
  // session from idling out while the board retries unattended).
  if (joinRetryDelay(refusal.code) !== null) return showError(`${shown}; trying again`);
  getJson('/auth/me').then(() => showError(shown), failed);
}

function connect(): void {
  const created = io(BOARD_NAMESPACE) as BoardSocket;
  socket = created;
  // First connection: a snapshot; a reconnection: resume exactly after the last message applied.
  created.on('connect', () => join(state.key ?? undefined));
  created.on('disconnect', (reason) => {
    setConnection('disconnected');
    // The server ends connections whose credential ended or lost a topic: reconnect to learn why.
    if (reason === 'io server disconnect') created.connect();
  });
  created.on('connect_error', (error: Error & { data?: ConnectRefusal }) => {
    setConnection('disconnected');
    // Without `data` it is the transport: the manager retries by itself. With it, the server refused.
    if (error.data === undefined) return;
    refused(error.data);
    setTimeout(() => created.connect(), REFUSED_RETRY_MS);
  });
  created.on('message', (message) => {
    const effect = applyMessage(state, message as AnyRealtimeMessage);
    if (effect.kind === 'render') scheduleRender();
    else if (effect.kind === 'rejoin') rejoin(effect.afterKey);
  });
}

// Pickers: the URL keeps the choice (`/board?date=…&tracer=…`), so a reload shows the same board.

function choose(date: string, tracerId: string): void {
  const url = new URL(location.href);
  url.searchParams.set('date', date);
  url.searchParams.set('tracer', tracerId);
  history.replaceState(null, '', url);
  const topic = productionDayTopic(date);
  if (topic !== state.topic) {
    const previous = state.topic;
    if (socket?.connected && previous !== productionDayTopic('')) socket.emit('leave', { topic: previous }, () => {});
    state = emptyState(topic);
    boardRoot.dataset.boardReady = 'false';
    join();
  }
  catalog = null;
  boardRoot.replaceChildren(element('p', { class: 'empty' }, 'Loading…'));
  loadCatalog(date, tracerId).catch(failed);
}

function pickersChanged(): void {
  if (isCalendarDate(dateInput.value) && tracerSelect.value) choose(dateInput.value, tracerSelect.value);
}

async function start(): Promise<void> {
  const me = await getJson<{ printedName?: string; username?: string }>('/auth/me');
  userLine.textContent = me.printedName ?? me.username ?? '';
  const tracers = await listAll<TracerItem>('/catalog/tracers', { kind: 'activity' });
  tracerSelect.replaceChildren(
    ...tracers
      .sort((a, b) => a.shortName.localeCompare(b.shortName))
      .map((tracer) => element('option', { value: tracer.id, title: tracer.clinicalName }, tracer.shortName)),
  );
  const params = new URLSearchParams(location.search);
  const date = params.get('date');
  dateInput.value = date !== null && isCalendarDate(date) ? date : todayLocal();
  const tracer = params.get('tracer');
  if (tracer !== null && tracers.some((item) => item.id === tracer)) tracerSelect.value = tracer;
  if (tracers.length === 0) showError('No activity tracers in the catalogue.');
  dateInput.addEventListener('change', pickersChanged);
  tracerSelect.addEventListener('change', pickersChanged);
  byId<HTMLButtonElement>('logout').addEventListener('click', () => {
    postJson('/auth/logout').then(toLogin, toLogin);
  });
  connect();
  pickersChanged();
}

start().catch(failed);
