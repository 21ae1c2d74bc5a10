import { identityEventSchemaVersions, identityEventTypes } from './schema-versions';

describe('identityEventSchemaVersions', () => {
  it('versions every identity event type, all at 1 so far', () => {
    expect(identityEventTypes).toHaveLength(27);
    expect(new Set(Object.values(identityEventSchemaVersions))).toEqual(new Set([1]));
  });

  it('names events in the past tense, PascalCase', () => {
    for (const type of identityEventTypes) expect(type).toMatch(/^[A-Z][A-Za-z]+(ed|Set|Out|Withdrawn)$/);
  });
});
