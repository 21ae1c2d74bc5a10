import { catalogEventSchemaVersions, catalogEventTypes } from './schema-versions';

describe('catalogEventSchemaVersions', () => {
  it('versions every catalogue event type, all at 1 so far', () => {
    expect(catalogEventTypes).toHaveLength(34);
    expect(new Set(Object.values(catalogEventSchemaVersions))).toEqual(new Set([1]));
  });

  it('names events in the past tense, PascalCase', () => {
    for (const type of catalogEventTypes) expect(type).toMatch(/^[A-Z][A-Za-z]+ed$/);
  });
});
