import { Agent, request } from 'node:http';
import { nowMs } from './fleet-protocol';

/** One HTTP command, with what the delivery matching needs to know about it. */
export interface SteadyCommand {
  kind: string;
  path: string;
  body: unknown;
  headers: Record<string, string>;
  /** The topics its messages should reach. */
  topics: string[];
  /** Gets the parsed 2xx answer. */
  onOk?: (answer: Record<string, unknown>) => void;
}

/** What happened to one command, on the monotonic clock of fleet-protocol.ts. */
export interface CommandOutcome {
  kind: string;
  topics: string[];
  /** When the schedule said to send it, and when it was sent. */
  scheduledAt: number;
  sentAt: number;
  answeredAt: number;
  /** HTTP status; 0 when no answer came (socket error, timeout). */
  status: number;
  /** The global position of its last event (2xx answers). */
  position: string | null;
  /** How many events it appended. */
  events: number;
  /** Sent after the warm-up. */
  measured: boolean;
  failure?: string;
}

export interface SteadyRunResult {
  outcomes: CommandOutcome[];
  /** Commands the schedule wanted while `maxInFlight` were unanswered: not sent. */
  skipped: number;
  /** Monotonic times of the measured window: first and last scheduled measured command. */
  windowStart: number;
  windowEnd: number;
}

const REQUEST_TIMEOUT_MS = 30_000;

interface Answer {
  status: number;
  text: string;
}

/**
 * An open-loop load generator: commands are sent on a fixed schedule (`rate` per second) whether or
 * not earlier ones were answered, as users would, over keep-alive `node:http` connections. `next`
 * picks each command when it is due, so it can use what earlier answers returned.
 */
export class SteadyLoad {
  private readonly agent: Agent;
  private readonly origin: URL;

  constructor(apiUrl: string, connections: number) {
    this.origin = new URL(apiUrl);
    this.agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  }

  close(): void {
    this.agent.destroy();
  }

  private send(command: SteadyCommand): Promise<Answer> {
    const payload = Buffer.from(JSON.stringify(command.body));
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          agent: this.agent,
          host: this.origin.hostname,
          port: this.origin.port,
          method: 'POST',
          path: command.path,
          headers: { 'content-type': 'application/json', 'content-length': payload.length, ...command.headers },
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

  /**
   * `rate` commands per second for `warmupSeconds + seconds`; the first `warmupSeconds` are not
   * measured. `onWindowStart` runs when the measured window begins. Resolves when every command sent
   * was answered.
   */
  async run(options: {
    rate: number;
    warmupSeconds: number;
    seconds: number;
    maxInFlight: number;
    next: () => SteadyCommand;
    onWindowStart?: () => void;
  }): Promise<SteadyRunResult> {
    const { rate, warmupSeconds, seconds, maxInFlight, next } = options;
    const warmupCount = Math.round(rate * warmupSeconds);
    const total = warmupCount + Math.round(rate * seconds);
    const outcomes: CommandOutcome[] = [];
    const pending = new Set<Promise<void>>();
    let skipped = 0;
    let windowStart = Number.NaN;
    let windowEnd = Number.NaN;
    const started = nowMs();
    const scheduledTimeOf = (index: number) => started + (index * 1000) / rate;

    const launch = (index: number) => {
      const scheduledAt = scheduledTimeOf(index);
      const measured = index >= warmupCount;
      if (index === warmupCount) {
        windowStart = scheduledAt;
        options.onWindowStart?.();
      }
      if (measured) windowEnd = scheduledAt;
      if (pending.size >= maxInFlight) {
        if (measured) skipped += 1;
        return;
      }
      const command = next();
      const sentAt = nowMs();
      const done = this.send(command).then(
        (answer) => {
          const answeredAt = nowMs();
          const outcome: CommandOutcome = {
            kind: command.kind,
            topics: command.topics,
            scheduledAt,
            sentAt,
            answeredAt,
            status: answer.status,
            position: null,
            events: 0,
            measured,
          };
          if (answer.status >= 200 && answer.status < 300) {
            const parsed = JSON.parse(answer.text) as Record<string, unknown>;
            outcome.position = typeof parsed.position === 'string' ? parsed.position : null;
            outcome.events = Array.isArray(parsed.events) ? parsed.events.length : 0;
            command.onOk?.(parsed);
          } else {
            outcome.failure = `POST ${command.path} → ${answer.status}: ${answer.text.slice(0, 300)}`;
          }
          outcomes.push(outcome);
        },
        (error: unknown) => {
          outcomes.push({
            kind: command.kind,
            topics: command.topics,
            scheduledAt,
            sentAt,
            answeredAt: nowMs(),
            status: 0,
            position: null,
            events: 0,
            measured,
            failure: `POST ${command.path} → ${String(error)}`,
          });
        },
      );
      pending.add(done);
      void done.finally(() => pending.delete(done));
    };

    let index = 0;
    while (index < total) {
      const due = Math.min(total, Math.floor(((nowMs() - started) * rate) / 1000) + 1);
      while (index < due) launch(index++);
      if (index < total) {
        const wait = Math.max(0, scheduledTimeOf(index) - nowMs());
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
    await Promise.all(pending);
    return { outcomes, skipped, windowStart, windowEnd };
  }
}
