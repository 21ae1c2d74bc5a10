import { InvalidPositionError } from './errors';

/**
 * A place in the global ($all) order. Opaque to callers: compare with `compareTo`, persist with
 * `toString()` and restore with `Position.parse`. The MySQL and memory stores use one gap-free
 * sequence (commit === prepare); EventStoreDB has a (commit, prepare) pair of log offsets.
 */
export class Position {
  static readonly START = new Position(-1n, -1n);

  private constructor(
    readonly commit: bigint,
    readonly prepare: bigint,
  ) {}

  static of(commit: bigint, prepare: bigint = commit): Position {
    if (commit < 0n || prepare < 0n) {
      throw new InvalidPositionError(`${commit}/${prepare}`);
    }
    return new Position(commit, prepare);
  }

  /** Parses the form written by `toString()`: `"<commit>"` or `"<commit>/<prepare>"`; `"start"` is before every event. */
  static parse(text: string): Position {
    if (text === 'start') return Position.START;
    const match = /^(\d{1,20})(?:\/(\d{1,20}))?$/.exec(text);
    if (!match) throw new InvalidPositionError(text);
    const commit = BigInt(match[1]);
    return Position.of(commit, match[2] === undefined ? commit : BigInt(match[2]));
  }

  isStart(): boolean {
    return this.commit === -1n;
  }

  compareTo(other: Position): -1 | 0 | 1 {
    if (this.commit !== other.commit) return this.commit < other.commit ? -1 : 1;
    if (this.prepare !== other.prepare) return this.prepare < other.prepare ? -1 : 1;
    return 0;
  }

  isAfter(other: Position): boolean {
    return this.compareTo(other) > 0;
  }

  isBefore(other: Position): boolean {
    return this.compareTo(other) < 0;
  }

  equals(other: Position): boolean {
    return this.compareTo(other) === 0;
  }

  toString(): string {
    if (this.isStart()) return 'start';
    return this.commit === this.prepare ? `${this.commit}` : `${this.commit}/${this.prepare}`;
  }

  toJSON(): string {
    return this.toString();
  }
}
