import { UpcasterRegistry } from '@tracershop/event-store';
import { catalogEventSchemaVersions, catalogEventTypes } from './schema-versions';
import { catalogUpcasters } from './upcasters';

describe('catalogEventSchemaVersions', () => {
  it('versions every catalogue event type', () => {
    expect(catalogEventTypes).toHaveLength(34);
  });

  it('reads every older stored version of a type in its current shape: an upcaster from each', () => {
    const upcasters = catalogUpcasters.reduce(
      (registry, upcaster) => registry.register(upcaster),
      new UpcasterRegistry(),
    );
    for (const type of catalogEventTypes)
      expect([type, upcasters.currentVersion(type, 1)]).toEqual([type, catalogEventSchemaVersions[type]]);
  });

  it('names events in the past tense, PascalCase', () => {
    for (const type of catalogEventTypes) expect(type).toMatch(/^[A-Z][A-Za-z]+ed$/);
  });
});
