import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { loadConfiguration } from '@tracershop/config';
import { MysqlEventStore, quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import { events } from '../contract/event-fixtures';
import { runCliSync } from './cli-process';

const suffix = randomBytes(4).toString('hex');
const env = {
  EVENTS_DATABASE: `e2e_aevents_${suffix}`,
  RECORD_DATABASE: `e2e_arecord_${suffix}`,
  WEB_DATABASE: `e2e_aweb_${suffix}`,
  AUDIT_ANCHOR_KEY: randomBytes(32).toString('hex'),
};
const config = loadConfiguration({ ...process.env, ...env });
const cli = (...args: string[]) => runCliSync(env, '', ...args);

async function openStore(): Promise<MysqlEventStore> {
  return MysqlEventStore.open({ connection: { ...config.mysql }, database: env.EVENTS_DATABASE });
}

/** What someone with database access does behind the application's back. */
async function asDba(...statements: string[]): Promise<void> {
  const dba = await createConnection({ ...config.mysql, database: env.EVENTS_DATABASE });
  try {
    for (const statement of statements) await dba.query(statement);
  } finally {
    await dba.end();
  }
}

describe('audit anchors from the cli: anchor, verify and export against them', () => {
  const out = join(tmpdir(), `tracershop-anchored-export-${suffix}`);

  beforeAll(async () => {
    expect(cli('migrate').code).toBe(0);
    const store = await openStore();
    try {
      await store.append('x.a-1', events(1), 'no_stream');
      await store.append('x.b-1', events(1), 'no_stream');
      await store.append('x.c-1', events(2), 'no_stream');
    } finally {
      await store.close();
    }
  });

  afterAll(async () => {
    rmSync(out, { recursive: true, force: true });
    const admin = await createConnection({ ...config.mysql });
    for (const database of Object.values(config.databases)) {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`);
    }
    await admin.end();
  });

  it('given the record anchored with the key, then verify and export find it agreeing, and the anchor signed', () => {
    const anchored = cli('anchor');
    expect(anchored.stderr).toBe('');
    expect(anchored.code).toBe(0);
    expect(anchored.stdout).toMatch(
      /anchored 4 events through position 3: anchor \S+, digest [0-9a-f]{64}, HMAC-SHA256 [0-9a-f]{64} \(key id [0-9a-f]{16}\)/,
    );

    const verified = cli('verify');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/anchors: 1 checked, the latest \S+ through position 3: the record agrees/);
    expect(verified.stdout).toContain('anchor MACs: 1 hold under AUDIT_ANCHOR_KEY');

    const exported = cli('export', '--prefix', 'x.', '--out', join(out, 'intact'));
    expect(exported.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'intact', 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      // The anchor and the check verify recorded came after the events
      asOf: '5',
      complete: true,
      anchor: { position: '3', agrees: true, signature: 'verified' },
    });
  });

  it('given the last event of a stream deleted and $all closed up behind it, then verify fails on the anchor and keeps that as evidence', async () => {
    await asDba(
      'DROP TRIGGER IF EXISTS events_refuse_delete',
      'DROP TRIGGER IF EXISTS events_refuse_update',
      "DELETE FROM events WHERE stream_id = 'x.c-1' AND revision = 1",
      'UPDATE events SET position = position - 1 WHERE position > 3 ORDER BY position',
      'UPDATE head SET last_position = last_position - 1',
    );

    const verified = cli('verify');
    expect(verified.code).toBe(1);
    // Every chain holds and $all reaches the head: the anchor alone finds it
    expect(verified.stdout).toMatch(/all chains intact/);
    expect(verified.stdout).not.toContain('EVENTS ARE MISSING');
    expect(verified.stdout).toMatch(/the record DISAGREES with 1/);
    expect(verified.stdout).toMatch(/position 3\): digest_mismatch/);

    const store = await openStore();
    try {
      const checks = await store.readStream(`audit.integrityChecks-${new Date().toISOString().slice(0, 7)}`);
      expect(checks.at(-1)?.data).toMatchObject({
        broken: [],
        anchors: {
          checked: 1,
          disagreements: [{ problem: 'digest_mismatch' }],
          signing: { verified: 1, failures: [] },
        },
      });
    } finally {
      await store.close();
    }
  });

  it('given an event missing from the middle of $all, then export says the copy is incomplete and fails', async () => {
    await asDba("DELETE FROM events WHERE stream_id = 'x.a-1'");

    const exported = cli('export', '--prefix', 'x.', '--out', join(out, 'holed'));
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(1);
    expect(exported.stdout).toContain('INCOMPLETE: $all ends at position the start');
    const manifest = JSON.parse(readFileSync(join(out, 'holed', 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ complete: false, gap: { after: null }, anchor: { agrees: false } });
  });
});
