import { assertValidProjection, type Projection } from './projection';

const base: Projection = {
  name: 'sharing',
  version: 1,
  target: 'record',
  eventTypes: ['Something'],
  tables: {
    theirs: (table) => `CREATE TABLE ${table} (id INT PRIMARY KEY)`,
    ours: (table) => `CREATE TABLE ${table} (id INT PRIMARY KEY)`,
  },
  handle: () => Promise.resolve(),
};

describe('a projection that shares tables with another system', () => {
  it('is valid when its shared tables are declared and it says how to merge them', () => {
    expect(() =>
      assertValidProjection({ ...base, sharedTables: ['theirs'], mergeShadow: () => Promise.resolve() }),
    ).not.toThrow();
  });

  it('is refused when a shared table is not one of its tables', () => {
    expect(() =>
      assertValidProjection({ ...base, sharedTables: ['elsewhere'], mergeShadow: () => Promise.resolve() }),
    ).toThrow('shared table elsewhere is not declared');
  });

  it('is refused when it shares tables but cannot merge them', () => {
    expect(() => assertValidProjection({ ...base, sharedTables: ['theirs'] })).toThrow(
      'shared tables need mergeShadow',
    );
  });
});
