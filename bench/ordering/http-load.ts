import { Agent, request } from 'node:http';
import { percentile } from '../bench-report';

/** One HTTP command of the simulation; `onOk` gets the parsed 2xx answer (ids for later phases). */
export interface CommandRequest {
  kind: string;
  method: 'POST' | 'PUT' | 'PATCH';
  path: string;
  body: unknown;
  headers: Record<string, string>;
  onOk?: (answer: Record<string, unknown>) => void;
}

/** What a phase measured for one kind of command. */
export interface KindMeasurement {
  kind: string;
  connections: number;
  /** Requests sent; `ok` of them answered 2xx. */
  requests: number;
  ok: number;
  non2xx: number;
  /** Socket errors and timeouts: no answer at all. */
  errors: number;
  statusCodes: Record<string, number>;
  /** The first few failures (status and body, or the socket error), to say why. */
  firstFailures: string[];
  /** From the first request sent to the last answer received. */
  seconds: number;
  /** 2xx answers per second of that wall time. */
  commandsPerSecond: number;
  /** Of every answer (2xx or not), in ms. */
  latency: { p50: number; p95: number; p99: number; max: number; mean: number };
}

const REQUEST_TIMEOUT_MS = 60_000;
const FAILURES_KEPT = 5;

interface Answer {
  status: number;
  text: string;
}

/**
 * A minimal keep-alive load generator over `node:http`: `connections` workers take the commands
 * in order, each sending its next one as soon as the previous answered (a closed loop, like
 * autocannon), and every latency is kept exactly. Lighter than fetch, so the load generator takes
 * as little of the machine's two cores as it can.
 */
export class HttpLoad {
  private readonly agent: Agent;
  private readonly origin: URL;

  constructor(
    apiUrl: string,
    private readonly connections: number,
  ) {
    this.origin = new URL(apiUrl);
    this.agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  }

  close(): void {
    this.agent.destroy();
  }

  private send(command: CommandRequest): Promise<Answer> {
    const payload = Buffer.from(JSON.stringify(command.body));
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          agent: this.agent,
          host: this.origin.hostname,
          port: this.origin.port,
          method: command.method,
          path: command.path,
          headers: {
            'content-type': 'application/json',
            'content-length': payload.length,
            ...command.headers,
          },
          timeout: REQUEST_TIMEOUT_MS,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          response.on('error', reject);
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }

  /** Sends every command at `connections` in flight; one measurement per kind, in first-seen order. */
  async run(commands: readonly CommandRequest[]): Promise<KindMeasurement[]> {
    interface Tally {
      requests: number;
      ok: number;
      errors: number;
      statusCodes: Record<string, number>;
      firstFailures: string[];
      latencies: number[];
      firstSent: number;
      lastAnswered: number;
    }
    const tallies = new Map<string, Tally>();
    const tallyOf = (kind: string): Tally => {
      let tally = tallies.get(kind);
      if (!tally) {
        tally = {
          requests: 0,
          ok: 0,
          errors: 0,
          statusCodes: {},
          firstFailures: [],
          latencies: [],
          firstSent: Number.POSITIVE_INFINITY,
          lastAnswered: 0,
        };
        tallies.set(kind, tally);
      }
      return tally;
    };
    let next = 0;
    const worker = async () => {
      while (next < commands.length) {
        const command = commands[next++];
        const tally = tallyOf(command.kind);
        tally.requests += 1;
        const started = performance.now();
        tally.firstSent = Math.min(tally.firstSent, started);
        try {
          const answer = await this.send(command);
          const ended = performance.now();
          tally.latencies.push(ended - started);
          tally.lastAnswered = Math.max(tally.lastAnswered, ended);
          tally.statusCodes[answer.status] = (tally.statusCodes[answer.status] ?? 0) + 1;
          if (answer.status >= 200 && answer.status < 300) {
            tally.ok += 1;
            command.onOk?.(JSON.parse(answer.text) as Record<string, unknown>);
          } else if (tally.firstFailures.length < FAILURES_KEPT) {
            tally.firstFailures.push(
              `${command.method} ${command.path} → ${answer.status}: ${answer.text.slice(0, 400)}`,
            );
          }
        } catch (error) {
          tally.errors += 1;
          tally.lastAnswered = Math.max(tally.lastAnswered, performance.now());
          if (tally.firstFailures.length < FAILURES_KEPT) {
            tally.firstFailures.push(`${command.method} ${command.path} → ${String(error)}`);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.connections, commands.length) }, worker));
    return [...tallies].map(([kind, tally]) => {
      const seconds = Math.max(tally.lastAnswered - tally.firstSent, 1) / 1000;
      const { latencies } = tally;
      const mean = latencies.length ? latencies.reduce((sum, ms) => sum + ms, 0) / latencies.length : 0;
      return {
        kind,
        connections: this.connections,
        requests: tally.requests,
        ok: tally.ok,
        non2xx: latencies.length - tally.ok,
        errors: tally.errors,
        statusCodes: tally.statusCodes,
        firstFailures: tally.firstFailures,
        seconds: round(seconds, 3),
        commandsPerSecond: Math.round(tally.ok / seconds),
        latency: {
          p50: round(percentile(latencies, 50)),
          p95: round(percentile(latencies, 95)),
          p99: round(percentile(latencies, 99)),
          max: round(latencies.reduce((max, ms) => Math.max(max, ms), 0)),
          mean: round(mean),
        },
      };
    });
  }
}

function round(value: number, digits = 2): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}
