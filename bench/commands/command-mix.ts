import autocannon from 'autocannon';
import type { SeededCatalog } from './catalog-seed';

export type CommandKind = 'updateCustomer' | 'updateTracer' | 'registerEndpoint' | 'closeDate';

/**
 * What each connection sends, round and round: 40 % customer updates, 20 % each of tracer
 * updates, new delivery endpoints and closed dates.
 */
const SEQUENCE: readonly CommandKind[] = [
  'updateCustomer',
  'updateTracer',
  'updateCustomer',
  'registerEndpoint',
  'closeDate',
];

const MS_PER_DAY = 86_400_000;
const FIRST_CLOSED_DATE = Date.UTC(2031, 0, 1);

export interface KindOutcome {
  responses: number;
  ok: number;
  statusCodes: Record<string, number>;
  /** The first non-2xx answer's body, to say why. */
  firstFailure?: string;
}

export interface CommandMixResult {
  connections: number;
  seconds: number;
  /** 2xx answers: commands the api completed. */
  commands: number;
  commandsPerSecond: number;
  non2xx: number;
  /** Connection errors and timeouts, as autocannon counts them. */
  errors: number;
  timeouts: number;
  /** Of 2xx answers only (autocannon records no latency for the others), in ms. */
  latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  byKind: Record<CommandKind, KindOutcome>;
}

interface CommandRequest {
  method: 'PATCH' | 'POST' | 'PUT';
  path: string;
  body: unknown;
}

/**
 * The catalog command mix for autocannon. Counters live here, not per run, so every run changes
 * different values, registers different endpoints and closes different dates: each command makes
 * an event, and concurrent commands rarely touch the same stream (customers and tracers are taken
 * round-robin, far more of them than there are connections).
 */
export class CatalogCommandMix {
  private readonly sent: Record<CommandKind, number> = {
    updateCustomer: 0,
    updateTracer: 0,
    registerEndpoint: 0,
    closeDate: 0,
  };

  constructor(private readonly catalog: SeededCatalog) {}

  /** The next command of a kind, with its own ids and values. */
  next(kind: CommandKind): CommandRequest {
    const count = this.sent[kind]++;
    const { customerIds, tracerIds } = this.catalog;
    switch (kind) {
      case 'updateCustomer': {
        const round = Math.floor(count / customerIds.length);
        return {
          method: 'PATCH',
          path: `/catalog/customers/${customerIds[count % customerIds.length]}`,
          // Seeded at 10 %: 11 + round differs from the value the previous round left.
          body: { overheadPercent: 11 + (round % 900), phone: `+45 ${20_000_000 + count}` },
        };
      }
      case 'updateTracer':
        return {
          method: 'PATCH',
          path: `/catalog/tracers/${tracerIds[count % tracerIds.length]}`,
          body: { clinicalName: `Bench tracer, revision ${count}` },
        };
      case 'registerEndpoint':
        return {
          method: 'POST',
          path: '/catalog/delivery-endpoints',
          body: {
            customerId: customerIds[(count * 7) % customerIds.length],
            name: `Bench endpoint ${count}`,
            phone: '+45 44 00 00 00',
          },
        };
      case 'closeDate': {
        const date = new Date(FIRST_CLOSED_DATE + count * MS_PER_DAY).toISOString().slice(0, 10);
        return { method: 'PUT', path: `/catalog/closed-dates/${date}`, body: { reason: 'Bench closure' } };
      }
    }
  }

  /** Drives the api with the mix at `connections` for `seconds`; `headers` go with every command. */
  async run(
    apiUrl: string,
    headers: Record<string, string>,
    connections: number,
    seconds: number,
  ): Promise<CommandMixResult> {
    const byKind = Object.fromEntries(
      SEQUENCE.map((kind) => [kind, { responses: 0, ok: 0, statusCodes: {} } satisfies KindOutcome]),
    ) as Record<CommandKind, KindOutcome>;
    const requests: autocannon.Request[] = SEQUENCE.map((kind) => ({
      setupRequest: (request) => {
        const { method, path, body } = this.next(kind);
        return { ...request, method, path, body: JSON.stringify(body) };
      },
      onResponse: (status, body) => {
        const outcome = byKind[kind];
        outcome.responses += 1;
        outcome.statusCodes[status] = (outcome.statusCodes[status] ?? 0) + 1;
        if (status >= 200 && status < 300) outcome.ok += 1;
        else outcome.firstFailure ??= body.slice(0, 500);
      },
    }));
    const result = await autocannon({
      url: apiUrl,
      connections,
      duration: seconds,
      headers: { 'content-type': 'application/json', ...headers },
      requests,
    });
    const commands = result['2xx'];
    return {
      connections,
      seconds: result.duration,
      commands,
      commandsPerSecond: Math.round(commands / result.duration),
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      latency: {
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max,
        mean: result.latency.mean,
      },
      byKind,
    };
  }
}
