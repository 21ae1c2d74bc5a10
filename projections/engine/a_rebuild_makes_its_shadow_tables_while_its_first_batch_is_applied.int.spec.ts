import { COUNTED, countingProjection, type CountedData } from '../../test/projections/counting-projection';
import { openProjectionTestBed, type ProjectionTestBed } from '../../test/projections/projection-test-bed';
import { tableName } from './physical-names';
import type { Projection } from './projection';
import { RebuildError } from './projection-errors';

const NAME = 'early';

/** Reads a table of its own on every event, so its first batch waits for the shadow tables it cannot have. */
function unmakeableProjection(ddlFails: () => boolean): Projection {
  return {
    name: NAME,
    version: 1,
    target: 'record',
    eventTypes: [COUNTED],
    tables: {
      amounts: (table) =>
        ddlFails()
          ? `CREATE TABLE ${table} (amount INT NOT NULL PRIMARY KEY) ENGINE=NoSuchEngine`
          : `CREATE TABLE ${table} (amount INT NOT NULL PRIMARY KEY) ENGINE=InnoDB`,
    },
    async handle(event, tx) {
      const amount = (event.data as CountedData).amount;
      await tx.query(`INSERT IGNORE INTO ${tx.table('amounts')} (amount) VALUES (?)`, [amount]);
    },
  };
}

async function shadowCheckpoint(bed: ProjectionTestBed, name: string) {
  const [row] = await bed.rows(
    `SELECT status, failed_event_id AS failedEventId FROM projection_checkpoints WHERE name = ? AND slot = 'shadow'`,
    [name],
  );
  return row ?? null;
}

describe('a rebuild from the start makes its shadow tables while its first batch is applied', () => {
  let bed: ProjectionTestBed;

  beforeEach(async () => {
    bed = await openProjectionTestBed('earlyfirst');
  });

  afterEach(async () => {
    await bed.close();
  });

  it('given shadow tables the server refuses to make, when rebuilt, then the rebuild fails for the tables, no event is blamed, and it succeeds once they can be made', async () => {
    let ddlFails = true;
    await bed.append({ count: 50, streams: 5 });
    const { engine } = bed.engine({ projections: [unmakeableProjection(() => ddlFails)] });

    const failure = await engine.rebuild(NAME).then(
      () => null,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(RebuildError);
    expect(String((failure as Error).message)).toMatch(/shadow tables were not made/);
    expect((await shadowCheckpoint(bed, NAME))?.failedEventId ?? null).toBeNull();

    ddlFails = false;
    const report = await engine.rebuild(NAME);

    expect(report.eventsHandled).toBe(50);
    const [{ n }] = await bed.rows('SELECT COUNT(*) AS n FROM amounts');
    expect(Number(n)).toBeGreaterThan(0);
  });

  it('given a handler that throws on the first event before anything went to the server, when rebuilt, then the shadow checkpoint names that event', async () => {
    await bed.append({ count: 30, streams: 3, poisonAt: [0] });
    const [poison] = await bed.store.readAll({ maxCount: 1 });
    const projection = countingProjection({ name: 'first-throws', failOn: (event) => event.data.poison === true });
    const { engine } = bed.engine({ projections: [projection] });

    await expect(engine.rebuild('first-throws')).rejects.toThrow(poison.metadata.eventId);

    expect(await shadowCheckpoint(bed, 'first-throws')).toEqual({
      status: 'failed',
      failedEventId: poison.metadata.eventId,
    });
    // The shadow tables it failed in stay, for the next rebuild to start over.
    const [{ n }] = await bed.rows(`SELECT COUNT(*) AS n FROM \`${tableName('counted_events', 'shadow', 1)}\``);
    expect(Number(n)).toBe(0);
  });
});
