/**
 * The shape of every bounded context's write model: pure functions, no I/O, no clock.
 * Time and ids arrive inside the command; the handler loads state by folding `evolve` over the
 * stream and appends what `decide` returns.
 */
export interface DomainEvent<T extends string = string, D = unknown> {
  type: T;
  data: D;
}

export interface Decider<C, E extends DomainEvent, S> {
  initialState: () => S;
  evolve: (state: S, event: E) => S;
  /** Returns the events the command causes ([] when it changes nothing), or throws a DomainError. */
  decide: (command: C, state: S) => E[];
}

/** How the API answers a broken rule; the code is stable and documented for clients. */
export type DomainErrorKind = 'not_found' | 'conflict' | 'rule_violated' | 'forbidden';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    /** Stable, SCREAMING_SNAKE_CASE, e.g. `SLOT_AFTER_PRODUCTION_RUN`. */
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('not_found', code, message, details);
export const conflict = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('conflict', code, message, details);
export const ruleViolated = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('rule_violated', code, message, details);
/** The rules reserve the action to another role than the one the command acts as. */
export const forbidden = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('forbidden', code, message, details);

export function fold<S, E extends DomainEvent>(
  decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>,
  events: E[],
): S {
  return events.reduce(decider.evolve, decider.initialState());
}
