import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { loadConfiguration } from '@tracershop/config';
import { CommandPipeline } from '@tracershop/command-pipeline';
import { MysqlEventStore, quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import { incidentCommand } from '../../apps/api/src/audit/incident-commands';
import { runCliSync } from './cli-process';

const suffix = randomBytes(4).toString('hex');
const env = {
  EVENTS_DATABASE: `e2e_cevents_${suffix}`,
  RECORD_DATABASE: `e2e_crecord_${suffix}`,
  WEB_DATABASE: `e2e_cweb_${suffix}`,
};

function cli(...args: string[]) {
  return cliWithInput('', ...args);
}

const cliWithInput = (input: string, ...args: string[]) => runCliSync(env, input, ...args);

describe('the operations cli', () => {
  afterAll(async () => {
    const config = loadConfiguration({ ...process.env, ...env });
    const admin = await createConnection({ ...config.mysql });
    for (const database of Object.values(config.databases)) {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`);
    }
    await admin.end();
  });

  it('migrate creates every database', () => {
    const { code, stdout } = cli('migrate');
    expect(code).toBe(0);
    expect(stdout).toContain(`migrated ${env.EVENTS_DATABASE}, ${env.RECORD_DATABASE}, ${env.WEB_DATABASE}`);
  });

  it('status lists every projection with its state and lag', () => {
    const { code, stdout } = cli('status');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^projection\s+version\s+state\s+position\s+lag events/m);
    expect(stdout).toMatch(/^record\.catalog\s+v3\s+not started/m);
    expect(stdout).toMatch(/^legacy sync: 0 pending, 0 open .* 0 rejected, 0 unsupported/m);
    expect(stdout).toMatch(/^incidents: not known until record\.audit has been built$/m);
  });

  it('rebuild builds the projection and reports its throughput', () => {
    const { code, stdout } = cli('rebuild', 'record.catalog');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ eventsRead: expect.any(Number), eventsPerSecond: expect.any(Number) });
  });

  it('verify checks every hash chain, and keeps the result as evidence', async () => {
    const { code, stdout } = cli('verify');
    expect(code).toBe(0);
    expect(stdout).toMatch(/verified 0 streams, 0 events .*: all chains intact; 0 signatures: all verified/);
    const month = new Date().toISOString().slice(0, 7);
    expect(stdout).toContain(`recorded as IntegrityChecked on audit.integrityChecks-${month}`);
    const store = await MysqlEventStore.open({
      connection: { ...loadConfiguration({ ...process.env, ...env }).mysql },
      database: env.EVENTS_DATABASE,
    });
    try {
      const [checked] = await store.readStream(`audit.integrityChecks-${month}`);
      expect(checked).toMatchObject({
        type: 'IntegrityChecked',
        data: { streamId: null, streams: 0, events: 0, broken: [], signatures: { checked: 0, unverified: [] } },
        metadata: { actor: { kind: 'system', id: 'cli' } },
      });
    } finally {
      await store.close();
    }
  });

  it('verify of a stream that does not exist fails clearly', () => {
    const { code, stderr } = cli('verify', 'catalog.tracer-nope');
    expect(code).toBe(1);
    expect(stderr).toContain('Stream "catalog.tracer-nope" does not exist');
  });

  it('user create, grant and reset-password record events attributed to the operator; with no administrator to confirm, the operator sets the password alone, recorded as such', async () => {
    const created = cliWithInput(
      'operator-Chosen-pass-1\n',
      'user',
      'create',
      'night.shift',
      '--name',
      'Night Shift',
      '--identity-method',
      'employer-record',
      '--identity-reference',
      'HR record 4711',
      '--role',
      'production',
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/created night\.shift \(([0-9a-f-]{36})\)/);
    const userId = /\(([0-9a-f-]{36})\)/.exec(created.stdout)?.[1] as string;
    expect(cli('user', 'grant', 'night.shift', 'shop', '--customer', 'c-1', '--reason', 'covers the shop').code).toBe(
      0,
    );
    const unexplained = cliWithInput('another-Chosen-pass-2\n', 'user', 'reset-password', 'night.shift');
    expect(unexplained.code).toBe(2);
    expect(unexplained.stderr).toContain('user reset-password needs --reason');
    const weak = cliWithInput('short\n', 'user', 'reset-password', 'night.shift', '--reason', 'forgot it');
    expect(weak.code).toBe(2);
    expect(weak.stderr).toContain('at least 12 characters');
    const reset = cliWithInput(
      'another-Chosen-pass-2\n',
      'user',
      'reset-password',
      'night.shift',
      '--reason',
      'forgot it',
    );
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('set by the operator alone, recorded as without a second person');

    const store = await MysqlEventStore.open({
      connection: { ...loadConfiguration({ ...process.env, ...env }).mysql },
      database: env.EVENTS_DATABASE,
    });
    try {
      const events = await store.readStream(`identity.user-${userId}`);
      expect(events.map((event) => event.type)).toEqual([
        'UserRegistered',
        'RoleGranted',
        'PasswordResetRequested',
        'PasswordResetConfirmed',
        'PasswordSet',
        'RoleGranted',
        'PasswordResetRequested',
        'PasswordResetConfirmed',
        'PasswordSet',
      ]);
      expect(events[0].data).toMatchObject({
        identityVerification: { method: 'employer-record', reference: 'HR record 4711', verifiedBy: 'cli' },
      });
      // No administrator exists yet: nobody else could be the second person, and the record says so.
      expect(events[3].data).toMatchObject({ requestedBy: 'cli', confirmedBy: 'cli', withoutSecondPerson: true });
      expect(events[6].metadata).toMatchObject({ reason: 'forgot it', actor: { kind: 'system', id: 'cli' } });
      // The legacy Users.Id comes from the same allocator as the api's: an even id from a reserved block.
      const { legacyUserId } = events[0].data as { legacyUserId: number };
      expect(legacyUserId % 2).toBe(0);
      expect((await store.readStream('legacy.idBlock-Users'))[0].data).toMatchObject({ firstId: legacyUserId });
      expect(events[5].metadata).toMatchObject({ reason: 'covers the shop', actor: { kind: 'system', id: 'cli' } });
      expect(events[8].data).toMatchObject({ setBy: 'cli', mustChange: true });
    } finally {
      await store.close();
    }
  });

  it('export writes a certified copy of the streams asked for, checkable by its manifest, and records it', async () => {
    const out = join(tmpdir(), `tracershop-export-${suffix}`);
    try {
      const exported = cli('export', '--prefix', 'identity.user-', '--stream', 'legacy.idBlock-Users', '--out', out);
      expect(exported.stderr).toBe('');
      expect(exported.code).toBe(0);
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      const jsonl = readFileSync(join(out, 'events.jsonl'));
      const pdf = readFileSync(join(out, 'events.pdf'));
      const sha256 = (content: Buffer) => createHash('sha256').update(content).digest('hex');
      expect(manifest.files).toEqual([
        { name: 'events.jsonl', sha256: sha256(jsonl), bytes: jsonl.length },
        { name: 'events.pdf', sha256: sha256(pdf), bytes: pdf.length },
      ]);
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      const lines = jsonl
        .toString('utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(lines).toHaveLength(manifest.eventCount);
      expect(manifest.streams.map((stream: { streamId: string }) => stream.streamId)).toEqual(
        [...new Set(lines.map((line) => line.streamId as string))].sort(),
      );
      expect(manifest.streams.every((stream: { chain: string }) => stream.chain === 'intact')).toBe(true);
      expect(lines.every((line) => /^identity\.user-|^legacy\.idBlock-Users$/.test(line.streamId))).toBe(true);
      expect(lines[0]).toMatchObject({ revision: '0', metadata: { hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
      // A password's hash never leaves the system: the copy names what it left out
      const passwordSet = lines.find((line) => line.type === 'PasswordSet');
      expect(passwordSet).toMatchObject({ data: { passwordHash: '[redacted]' }, redacted: ['passwordHash'] });
      expect(jsonl.toString('utf8')).not.toMatch(/scrypt/);

      // The export is on record: by whom, of what, and the files' hashes
      const store = await MysqlEventStore.open({
        connection: { ...loadConfiguration({ ...process.env, ...env }).mysql },
        database: env.EVENTS_DATABASE,
      });
      try {
        const [recorded] = await store.readStream(`audit.export-${manifest.exportId}`);
        expect(recorded).toMatchObject({
          type: 'AuditExportGenerated',
          data: { eventCount: manifest.eventCount, files: manifest.files },
          metadata: { actor: { kind: 'system', id: 'cli' } },
        });
      } finally {
        await store.close();
      }

      // An export never overwrites another; one without a scope is a usage error
      const again = cli('export', '--prefix', 'identity.', '--out', out);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain('holds an export already');
      expect(cli('export', '--out', join(out, 'other')).code).toBe(2);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('seed-demo makes a demo catalogue and a person per role; a second run changes nothing', async () => {
    const first = cli('seed-demo');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    // 1 isotope, 2 tracers, 10 runs, 3 customers, 3 endpoints, 4 permissions, 30 slots, 6 people
    expect(first.stdout).toMatch(/seed-demo: \d+ commands, \d+ events appended/);
    expect(first.stdout).toMatch(/demo\.releaser\s+releaser\s+Demo-\S{12}/);
    expect(first.stdout).toMatch(/demo\.herlev\s+shop\s+Demo-\S{12}/);

    const again = cli('seed-demo');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/seed-demo: \d+ commands, 0 events appended/);
    expect(again.stdout).toMatch(/demo\.herlev\s+shop\s+\(exists; password not shown again\)/);

    const store = await MysqlEventStore.open({
      connection: { ...loadConfiguration({ ...process.env, ...env }).mysql },
      database: env.EVENTS_DATABASE,
    });
    try {
      const types = new Map<string, number>();
      const events = await store.readAll({ maxCount: 10_000 });
      for (const event of events) types.set(event.type, (types.get(event.type) ?? 0) + 1);
      expect(Object.fromEntries(types)).toMatchObject({
        IsotopeRegistered: 1,
        TracerRegistered: 2,
        ProductionRunScheduled: 10,
        CustomerRegistered: 3,
        DeliveryEndpointRegistered: 3,
        TracerPermissionGranted: 4,
        DeliveryTimeSlotScheduled: 30,
        ReleaseRightGranted: 1,
      });
      const fdg = events.find(
        (event) => event.type === 'TracerRegistered' && (event.data as { shortName: string }).shortName === 'FDG',
      );
      expect(fdg?.data).toMatchObject({ legacyId: 6, kind: 'activity' });
      expect(fdg?.metadata.actor).toMatchObject({ kind: 'system', id: 'cli' });
    } finally {
      await store.close();
    }
  });

  it('reconcile-legacy compares the legacy tables with the record: missing rows first, then a match', () => {
    // The demo catalogue is in the record; no projector has written the old system's tables yet.
    const before = cli('reconcile-legacy');
    expect(before.code).toBe(1);
    expect(before.stdout).toMatch(/deliverTimes\s+30 rows: 30 missing, 0 different, 0 extra/);
    expect(cli('rebuild', 'legacy.tracershop').code).toBe(0);
    const after = cli('reconcile-legacy');
    expect(after.stderr).toBe('');
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/deliverTimes\s+30 rows: match/);
    expect(after.stdout).toContain('the legacy tables match the record');
    // Each run is kept as evidence
    expect(after.stdout).toContain(
      `recorded as ProjectionReconciled on audit.reconciliations-${new Date().toISOString().slice(0, 7)}`,
    );
  });

  it('an unknown command prints the usage and exits 2', () => {
    const { code, stderr } = cli('explode');
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command explode');
    expect(stderr).toContain('usage: tracershop <command>');
  });

  it('status names the open incidents, once record.audit is built', async () => {
    const store = await MysqlEventStore.open({
      connection: { ...loadConfiguration({ ...process.env, ...env }).mysql },
      database: env.EVENTS_DATABASE,
    });
    try {
      const at = new Date().toISOString();
      await new CommandPipeline({ store }).execute(
        incidentCommand,
        {
          type: 'RaiseIncident',
          incidentId: 'lockout-night',
          kind: 'account-locked-out',
          summary: 'Account locked out after repeated wrong passwords',
          details: {},
          at,
        },
        {
          actor: { kind: 'system', id: 'worker', printedName: 'Tracershop worker', role: 'system' },
          occurredAt: at,
          correlationId: 'incident:lockout-night',
          causationId: 'incident:lockout-night',
        },
      );
    } finally {
      await store.close();
    }
    expect(cli('rebuild', 'record.audit').code).toBe(0);

    const { code, stdout } = cli('status');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^incidents: 1 open \(GET \/audit\/incidents\?status=open/m);
    expect(stdout).toMatch(
      /^ {2}\S+ {2}account-locked-out {2}lockout-night: Account locked out after repeated wrong passwords$/m,
    );
  });
});
