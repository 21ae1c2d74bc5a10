import type { RecordedEvent } from './envelope';

/** Turns the data of one stored (type, schemaVersion) into the next version's shape. Pure. */
export interface Upcaster {
  type: string;
  fromVersion: number;
  /** The version this upcaster produces; always `fromVersion + 1`, so chains have no holes. */
  toVersion: number;
  upcast(data: unknown, event: RecordedEvent): unknown;
}

/** An event read in its current shape, with the stored original beside it for auditors. */
export interface UpcastEvent<D = unknown> extends RecordedEvent<D> {
  /** Present when the stored event was older than the current shape. */
  original?: { schemaVersion: number; data: unknown };
}

/**
 * Upcasters keyed by stored type and schema version, applied at read time. The store is never
 * rewritten: `upcast` returns a new object and keeps the stored data in `original`.
 */
export class UpcasterRegistry {
  private readonly upcasters = new Map<string, Upcaster>();

  register(upcaster: Upcaster): this {
    if (upcaster.toVersion !== upcaster.fromVersion + 1) {
      throw new Error(`Upcaster for ${upcaster.type} must go from one version to the next`);
    }
    const key = `${upcaster.type}@${upcaster.fromVersion}`;
    if (this.upcasters.has(key)) throw new Error(`An upcaster for ${key} is already registered`);
    this.upcasters.set(key, upcaster);
    return this;
  }

  /** The version an event of this type is upcast to (the stored one when none is registered). */
  currentVersion(type: string, storedVersion: number): number {
    let version = storedVersion;
    while (this.upcasters.has(`${type}@${version}`)) version += 1;
    return version;
  }

  upcast<D = unknown>(event: RecordedEvent): UpcastEvent<D> {
    let version = event.metadata.schemaVersion;
    const first = this.upcasters.get(`${event.type}@${version}`);
    if (!first) return event as UpcastEvent<D>;
    // A copy: an upcaster that edits its input in place must not change the stored original, nor
    // the event other subscribers of this process share.
    let data = structuredClone(event.data);
    for (let step: typeof first | undefined = first; step;) {
      data = step.upcast(data, event);
      version = step.toVersion;
      step = this.upcasters.get(`${event.type}@${version}`);
    }
    if (version === event.metadata.schemaVersion) return event as UpcastEvent<D>;
    return {
      ...event,
      data: data as D,
      metadata: { ...event.metadata, schemaVersion: version },
      original: { schemaVersion: event.metadata.schemaVersion, data: event.data },
    };
  }
}
