/**
 * Operations from a shell:
 *   migrate                 create and migrate the event store and read-model databases
 *   status                  each projection's state, position, lag, rebuild and health (why not healthy); the legacy
 *                           sync's counts; open incidents; exit 1 while a projection is unhealthy
 *   rebuild <projection>    build the projection's current version into shadow tables, then swap
 *   retry <projection>      let a failed projection try its event again (after a fix)
 *   verify [stream]         check hash chains and signatures: one stream, or every stream and the anchors
 *   anchor                  anchor the record now: a digest of every event since the last anchor, signed
 *   export                  a certified copy of streams: JSON Lines, PDF and a manifest of hashes, recorded
 *   import-legacy           at go-live: queue the old database's rows for the legacy sync, step by step
 *   seed-demo               a demo catalogue and a person per role, on an empty deployment
 *   reconcile-legacy        rebuild the legacy tables from the record into a scratch database and diff them
 * Exit codes: 0 ok, 1 a check failed or a step did not complete, 2 wrong usage or configuration.
 */
import 'reflect-metadata';
import {
  checkMysql,
  ConfigurationError,
  DependencyUnreachableError,
  loadConfiguration,
  type TracershopConfig,
} from '@tracershop/config';
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { hashPassword, verifyPassword } from '@tracershop/auth';
import { CommandPipeline, type CommandContext, type CommandDefinition } from '@tracershop/command-pipeline';
import {
  checkPasswordPolicy,
  holdsRole,
  isLockedAt,
  personIdentityVerificationMethods,
  requireIdentityVerification,
  requireUsername,
  userDecider,
  usernameClaimDecider,
  usernameClaimStreamName,
  userStreamName,
  validRoleGrant,
  type UserCommand,
  type UserEvent,
  type UserState,
} from '@tracershop/domain/identity';
import { DomainError } from '@tracershop/domain/kernel';
import { verifyStreamAndSignatures, type Actor, type EventStore } from '@tracershop/event-store';
import type { Pool } from 'mysql2/promise';
import { identityCommands } from '../../api/src/identity/identity-commands';
import {
  activeAdministratorIds,
  OperatorPasswordResets,
  OperatorResetRefusedError,
} from '../../api/src/identity/operator-password-resets';
import { lockoutPolicyOf } from '../../api/src/identity/password-checks';
import { signatureHolds } from '../../api/src/ordering/signed-content';
import { LegacyIdAllocator, legacyIdAllocatedByHandler } from '../../api/src/legacy-ids/legacy-id-allocator';
import { CapturedChangesReport } from '../../api/src/legacy-sync/captured-changes-report';
import { localMomentOf } from '../../api/src/ordering/business-clock';
import {
  importLegacy,
  LegacyImportBusyError,
  LegacyImportStalledError,
} from '../../worker/src/legacy-sync/legacy-import';
import {
  auditEventSchemaVersions,
  auditExportDecider,
  auditExportStreamName,
  type AuditExportCommand,
  type AuditExportEvent,
  type AuditExportState,
} from '@tracershop/domain/audit';
import { exportHolds, ExportScopeError, writeAuditExport } from './audit-export';
import { DemoSeedRefusedError, seedDemo } from './demo-seed';
import { AuditReadModel, AUDIT_PROJECTION_NAME, CatalogReadModel } from '@tracershop/projections/record';
import { createLegacyProjection, LEGACY_PROJECTION_NAME, reconcileLegacyTables } from '@tracershop/projections/legacy';
import { recordIntegrityCheck, recordReconciliation } from '../../worker/src/audit-evidence';
import {
  AnchorChainNotTrustedError,
  describeAnchors,
  integrityFindings,
  RecordNotAnchoredError,
  recordAuditAnchor,
  verifyRecord,
} from '../../worker/src/audit-anchor';
import { ProjectionEngine, type ProjectionStatus } from '@tracershop/projections/engine';
import { allProjections } from '@tracershop/projections/all';
import { openEventStore, openReadModelDatabase } from '@tracershop/platform';

const USAGE = `usage: tracershop <command>
  migrate                 create and migrate every database
  status                  projections: state, position, lag, rebuild, health and why not; the legacy sync's
                          counts; open incidents (exit 1 while a projection is unhealthy)
  rebuild <projection>    rebuild into shadow tables and swap
  retry <projection>      retry a failed projection
  verify [stream]         verify hash chains and signatures (one stream, or all and the record
                          against every audit anchor; exit 1 on any finding)
  anchor [--adopt-key]    anchor the record now (AuditAnchorRecorded: position, event count, digest,
                          HMAC under AUDIT_ANCHOR_KEY); the worker anchors it daily. Refused (exit 1)
                          when the latest anchor's MAC does not hold or the record disagrees with it;
                          --adopt-key signs the first anchor under a key no anchor holds under yet
  export (--stream <id> | --prefix <stream prefix>)... --out <directory> [--as-of <position>]
                          a certified copy: events.jsonl, events.pdf and manifest.json (SHA-256 of
                          each file, each stream's revisions and chain head, the position it is as of,
                          whether it is complete and agrees with the latest anchor); recorded as an
                          event; exit 1 when it is not a faithful copy
  import-legacy [--from <YYYY-MM-DD>] [--dry-run] [--stall-seconds <n>]
                          at go-live: the old database's customers, FDG runs and delivery times,
                          injection permissions, closed dates and open orders from --from (default:
                          today) become Tracershop's through the worker's legacy sync
  seed-demo               a demo catalogue (F-18, FDG, FET, three customers, runs and slots Monday
                          to Friday) and a person per role, each with a password shown once
  reconcile-legacy        rebuild the old system's tables from the record into a scratch database
                          and compare them with the live ones, row by row (exit 1 on a difference)
  user create <username> --name "<printed name>" --identity-method <method> --identity-reference "<what was checked>"
              [--role <role>] [--customer <id>]... [--location <id>]...
                          methods: ${personIdentityVerificationMethods.join(', ')}
  user grant <username> <role> [--customer <id>]... [--location <id>] [--reason "<why>"]
  user reset-password <username> --reason "<why>"
                          a temporary password, in force once an administrator confirms it
                          (set at once only where no administrator but the user exists)
  user confirm-password-reset <username> [--reason "<why>"]
                          a second administrator confirms the reset waiting for the user
  user withdraw-password-reset <username> --reason "<why>"
                          passwords are read from standard input, never from arguments
                          every user command takes --as <your username>, and needs it once an
                          administrator exists: the change is yours, your password the first line
                          of standard input (a chosen password the next)`;

interface Opened {
  store: EventStore;
  /** The record database: the legacy id allocator reads the legacy tables' highest ids there. */
  record: Pool;
  engine: ProjectionEngine;
  close(): Promise<void>;
}

async function open(config: TracershopConfig): Promise<Opened> {
  const store = await openEventStore(config);
  // The cli rebuilds projections: their batches may send several statements per round trip.
  const record = await openReadModelDatabase(config, 'record', 5, { batchStatements: true });
  const web = await openReadModelDatabase(config, 'web', 5, { batchStatements: true });
  const engine = new ProjectionEngine({
    eventStore: store,
    databases: {
      record: { pool: record, database: config.databases.record },
      web: { pool: web, database: config.databases.web },
    },
    projections: allProjections,
    lagCounting: config.eventStoreUrl ? 'read-count' : 'position-difference',
  });
  return {
    store,
    record,
    engine,
    close: async () => {
      await engine.stop();
      await store.close();
      await Promise.all([record.end(), web.end()]);
    },
  };
}

/** Incidents wait for a person (GMP): how many are open, and the oldest few. */
async function printOpenIncidents(audit: AuditReadModel): Promise<void> {
  const open = await audit.openIncidentCount();
  const shown = await audit.listIncidents({ status: 'open', limit: 5 });
  console.log(
    `incidents: ${open} open${open > 0 ? ' (GET /audit/incidents?status=open; close each with its root cause)' : ''}`,
  );
  for (const incident of shown.items)
    console.log(`  ${incident.raisedAt}  ${incident.kind}  ${incident.incidentId}: ${incident.summary}`);
}

/** What a rebuild into shadow tables is doing, in a table cell. */
function rebuildCell(rebuild: ProjectionStatus['rebuild']): string {
  if (!rebuild) return '-';
  if (rebuild.swapPending) return `v${rebuild.version} swapping`;
  if (rebuild.status === 'failed')
    return `v${rebuild.version} stopped at ${rebuild.failure?.position.toString() ?? '?'}`;
  return `v${rebuild.version} ${rebuild.status} at ${rebuild.position.toString()}`;
}

/**
 * One line per projection, then why each unhealthy one is, and each stopped rebuild's failure. The
 * state is the live checkpoint's, as the active runner last wrote it: `health` says whether it holds.
 */
function printStatus(statuses: ProjectionStatus[]): void {
  const rows = statuses.map((status) => [
    status.name,
    `v${status.checkpoint?.version ?? status.version}`,
    status.checkpoint?.status ?? 'not started',
    status.checkpoint?.position.toString() ?? '-',
    status.lag.events === null ? '?' : `${status.lag.events}${status.lag.capped ? '+' : ''}`,
    status.lag.ms === null ? '?' : `${status.lag.ms}`,
    rebuildCell(status.rebuild),
    status.healthy ? 'ok' : 'UNHEALTHY',
  ]);
  const headers = ['projection', 'version', 'state', 'position', 'lag events', 'lag ms', 'rebuild', 'health'];
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i].length)));
  for (const row of [headers, ...rows])
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
  for (const status of statuses) {
    for (const problem of status.problems) console.log(`${status.name}: ${problem}`);
    const failure = status.rebuild?.failure;
    if (failure) {
      console.log(
        `${status.name}: the rebuild of version ${status.rebuild?.version} stopped at ${failure.eventType} ` +
          `${failure.eventId} (${failure.position.toString()}): ${failure.message}; \`cli rebuild ${status.name}\` runs it again`,
      );
    }
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, argument] = argv;
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const config = loadConfiguration();
  await checkMysql(config);
  const opened = await open(config);
  try {
    switch (command) {
      case 'migrate':
        // Opening the store and the read-model databases created and migrated them.
        console.log(`migrated ${Object.values(config.databases).join(', ')}`);
        return 0;
      case 'status': {
        const statuses = await opened.engine.status();
        printStatus(statuses);
        const counts = await new CapturedChangesReport(opened.record).counts();
        console.log(
          `\nlegacy sync: ${counts.pending} pending, ${counts.open} open (rejected or unsupported, not reconciled:` +
            ` GET /legacy/captured-changes?open=true), ${counts.rejected} rejected, ${counts.unsupported} unsupported,` +
            ` ${counts.applied} applied, ${counts.unchanged} unchanged`,
        );
        const audit = statuses.find((status) => status.name === AUDIT_PROJECTION_NAME);
        if (audit?.checkpoint) await printOpenIncidents(new AuditReadModel(opened.record, config.databases.record));
        else console.log(`incidents: not known until ${AUDIT_PROJECTION_NAME} has been built`);
        return statuses.every((status) => status.healthy) ? 0 : 1;
      }
      case 'rebuild': {
        if (!argument) throw new UsageError('rebuild needs a projection name');
        const report = await opened.engine.rebuild(argument);
        console.log(
          JSON.stringify(report, (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)),
        );
        return 0;
      }
      case 'retry':
        if (!argument) throw new UsageError('retry needs a projection name');
        await opened.engine.retry(argument);
        console.log(`${argument}: retry requested; the active runner tries the failed event again`);
        return 0;
      case 'verify': {
        const pipeline = new CommandPipeline({ store: opened.store });
        if (argument) {
          const { chain, signatures } = await verifyStreamAndSignatures(opened.store, argument, signatureHolds);
          console.log(
            JSON.stringify({ ...chain, signatures }, (_, value: unknown) =>
              typeof value === 'bigint' ? value.toString() : value,
            ),
          );
          await recordIntegrityCheck(pipeline, operatorActor(), { stream: chain, signatures });
          // A stream's tail cut off leaves a shorter chain that holds: the anchors find that.
          console.log('the record against the audit anchors is checked by `verify` of every stream');
          return chain.ok && signatures.unverified.length === 0 ? 0 : 1;
        }
        const report = await verifyRecord(opened.store, config.audit.anchorKey);
        const recorded = await recordIntegrityCheck(pipeline, operatorActor(), { all: report });
        const unverified = report.signatures?.unverified ?? [];
        console.log(`recorded as IntegrityChecked on ${recorded.streamId} at position ${recorded.position ?? '-'}`);
        console.log(
          `verified ${report.streams} streams, ${report.events} events up to position ${report.upTo ?? '-'}: ` +
            (report.broken.length === 0 ? 'all chains intact' : `${report.broken.length} BROKEN`) +
            `; ${report.signatures?.checked ?? 0} signatures: ` +
            (unverified.length === 0 ? 'all verified' : `${unverified.length} DO NOT VERIFY`),
        );
        if (report.gap) {
          console.log(
            `  $all ends at position ${report.gap.after ?? 'the start'} but the store's head is ${report.gap.head}: ` +
              'EVENTS ARE MISSING, and the streams written after them were not checked',
          );
        }
        for (const broken of report.broken) {
          console.log(
            `  ${broken.streamId} breaks at revision ${broken.brokenAt}: ${broken.problem} (${broken.message})`,
          );
        }
        for (const signature of unverified) {
          console.log(
            `  ${signature.streamId} revision ${signature.revision} (${signature.type}): the ${signature.meaning} signature does not verify`,
          );
        }
        for (const line of describeAnchors(report)) console.log(line);
        for (const finding of report.retention ?? []) {
          const { streamId, ...limits } = finding;
          console.log(`  GMP stream ${streamId} is set to forget: ${JSON.stringify(limits)}`);
        }
        return integrityFindings(report) === 0 && unverified.length === 0 ? 0 : 1;
      }
      case 'anchor':
        if (argument && argument !== '--adopt-key') throw new UsageError(`anchor takes no ${argument}`);
        return await anchorCommand(config, opened, argument === '--adopt-key');
      case 'user':
        return await userCommand(config, opened, argv.slice(1));
      case 'import-legacy':
        return await importLegacyCommand(config, opened, argv.slice(1));
      case 'export':
        return await exportCommand(config, opened, argv.slice(1));
      case 'seed-demo':
        return await seedDemoCommand(config, opened);
      case 'reconcile-legacy':
        return await reconcileLegacyCommand(config, opened);
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } finally {
    await opened.close();
  }
}

class UsageError extends Error {}

/** `--flag value` pairs (repeatable) and the positional arguments around them. */
function parseArguments(args: string[]): { positional: string[]; flags: Map<string, string[]> } {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    if (args[i].startsWith('--')) {
      const value = args[i + 1];
      if (value === undefined) throw new UsageError(`${args[i]} needs a value`);
      flags.set(args[i].slice(2), [...(flags.get(args[i].slice(2)) ?? []), value]);
      i += 1;
    } else {
      positional.push(args[i]);
    }
  }
  return { positional, flags };
}

/** Standard input, read once, handed out a line at a time: the operator's password, then a chosen one. */
let inputLines: Promise<string[]> | null = null;

async function nextInputLine(what: string): Promise<string> {
  inputLines ??= (async () => {
    if (process.stdin.isTTY) process.stderr.write('passwords, a line each (then end of input): ');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
  })();
  const lines = await inputLines;
  const line = lines.shift();
  if (!line) throw new UsageError(`give ${what} on standard input`);
  return line;
}

/** Proves the legacy tables derive from the record: rebuilt apart, compared with the live ones. */
async function reconcileLegacyCommand(config: TracershopConfig, opened: Opened): Promise<number> {
  const result = await reconcileLegacyTables({
    store: opened.store,
    connection: { ...config.mysql },
    liveDatabase: config.databases.record,
    projection: createLegacyProjection({ timeZone: config.ordering.timeZone }),
  });
  console.log(`reconcile-legacy: the record up to position ${result.position}, rebuilt apart and compared`);
  for (const table of result.tables) {
    console.log(
      `  ${table.table.padEnd(17)} ${String(table.rows).padStart(7)} rows` +
        (table.missing + table.different + table.extra > 0
          ? `: ${table.missing} missing, ${table.different} different, ${table.extra} extra`
          : ': match'),
    );
  }
  for (const difference of result.differences) {
    const columns = (difference.columns ?? [])
      .map((column) => `${column.column} live ${String(column.live)} record ${String(column.rebuilt)}`)
      .join('; ');
    console.log(
      `  ${difference.kind} ${difference.table} ${JSON.stringify(difference.key)}${columns ? `: ${columns}` : ''}`,
    );
  }
  if (result.differenceCount > result.differences.length) {
    console.log(`  … ${result.differenceCount - result.differences.length} more`);
  }
  console.log(
    result.differenceCount === 0 ? 'the legacy tables match the record' : `${result.differenceCount} differences`,
  );
  // Each run is kept as evidence, by whoever ran it.
  const recorded = await recordReconciliation(new CommandPipeline({ store: opened.store }), operatorActor(), {
    projection: LEGACY_PROJECTION_NAME,
    position: result.position,
    tables: result.tables,
  });
  console.log(`recorded as ProjectionReconciled on ${recorded.streamId} at position ${recorded.position ?? '-'}`);
  return result.differenceCount === 0 ? 0 : 1;
}

/** The demo catalogue and people, through the api's command definitions; passwords shown once. */
async function seedDemoCommand(config: TracershopConfig, opened: Opened): Promise<number> {
  const pipeline = new CommandPipeline({ store: opened.store });
  const context: CommandContext = {
    actor: operatorActor(),
    correlationId: randomUUID(),
    causationId: randomUUID(),
    reason: 'demo catalogue (seed-demo)',
  };
  try {
    const report = await seedDemo({
      pipeline,
      catalog: new CatalogReadModel(opened.record, config.databases.record),
      legacyIds: new LegacyIdAllocator(pipeline, opened.record, config),
      context,
      scryptCost: config.auth.scryptCost,
      deployment: { store: opened.store, record: opened.record, recordDatabase: config.databases.record },
    });
    console.log(`seed-demo: ${report.commands} commands, ${report.events} events appended`);
    for (const person of report.people) {
      console.log(
        `  ${person.username.padEnd(18)} ${person.role.padEnd(11)} ${person.password ?? '(exists; password not shown again)'}` +
          (person.waitsForConfirmation ? '  (in force once an administrator confirms it)' : ''),
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof DemoSeedRefusedError) {
      console.error(`tracershop: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/** The operator, as every event the cli appends names them. */
const operatorActor = () =>
  ({ kind: 'system', id: 'cli', printedName: `operator ${userInfo().username}`, role: 'system' }) as const;

const auditExports: CommandDefinition<AuditExportCommand, AuditExportEvent, AuditExportState> = {
  name: 'RecordAuditExport',
  decider: auditExportDecider,
  streamOf: (command) => auditExportStreamName(command.exportId),
  retryOnConflict: true,
  schemaVersionOf: (type) => auditEventSchemaVersions[type],
};

/**
 * Anchors the record now (`AuditAnchorRecorded`), attributed to the operator, and prints the anchor:
 * kept outside the database too, it shows anchors deleted together with the history they cover.
 */
async function anchorCommand(config: TracershopConfig, opened: Opened, adoptKey: boolean): Promise<number> {
  const pipeline = new CommandPipeline({ store: opened.store });
  try {
    const { result, anchor } = await recordAuditAnchor(
      opened.store,
      pipeline,
      operatorActor(),
      config.audit.anchorKey,
      undefined,
      undefined,
      { adoptKey },
    );
    console.log(
      `anchored ${anchor.eventCount} events through position ${anchor.position}: anchor ${anchor.anchorId}, ` +
        `digest ${anchor.digest}, ` +
        (anchor.mac
          ? `HMAC-SHA256 ${anchor.mac.value} (key id ${anchor.mac.keyId})`
          : 'UNSIGNED (AUDIT_ANCHOR_KEY is not set)') +
        `; recorded on ${result.streamId} at position ${result.position ?? '-'}`,
    );
    return 0;
  } catch (error) {
    if (error instanceof RecordNotAnchoredError) {
      console.error(`tracershop: ${error.message}`);
      return 1;
    }
    if (error instanceof AnchorChainNotTrustedError) {
      console.error(
        `tracershop: ${error.message}. The whole record was verified and kept as integrity check ${error.checkId} ` +
          '(an integrity-check-failed incident); `verify` shows every finding',
      );
      return 1;
    }
    throw error;
  }
}

/**
 * A certified copy of the streams asked for, then its record (`AuditExportGenerated`): who made
 * it, of what, as of where, and the files' hashes. Exit 1 when it is not a faithful copy: events
 * missing from `$all`, a copied stream's hash chain broken, or the record disagreeing with an anchor.
 */
async function exportCommand(config: TracershopConfig, opened: Opened, args: string[]): Promise<number> {
  const { positional, flags } = parseArguments(args);
  if (positional.length > 0) throw new UsageError(`export takes no ${positional[0]}`);
  const outDir = flags.get('out')?.[0];
  if (!outDir) throw new UsageError('export needs --out <directory>');
  const scope = { streams: flags.get('stream') ?? [], prefixes: flags.get('prefix') ?? [] };
  const actor = operatorActor();
  const exportId = randomUUID();
  let manifest;
  try {
    manifest = await writeAuditExport(opened.store, {
      exportId,
      scope,
      outDir,
      generatedBy: actor.printedName,
      asOf: flags.get('as-of')?.[0],
      anchorKey: config.audit.anchorKey,
    });
  } catch (error) {
    if (error instanceof ExportScopeError) throw new UsageError(error.message);
    if ((error as { code?: unknown }).code === 'EEXIST') throw new UsageError(`${outDir} holds an export already`);
    throw error;
  }
  const pipeline = new CommandPipeline({ store: opened.store });
  const recorded = await pipeline.execute(
    auditExports,
    {
      type: 'RecordAuditExport',
      exportId,
      scope,
      streamCount: manifest.streamCount,
      eventCount: manifest.eventCount,
      files: manifest.files,
      asOf: manifest.asOf,
      ...(manifest.gap ? { gap: manifest.gap } : {}),
      at: manifest.generatedAt,
    },
    { actor, correlationId: exportId, causationId: exportId },
  );
  const broken = manifest.streams.filter((stream) => stream.chain !== 'intact');
  console.log(
    `exported ${manifest.eventCount} events of ${manifest.streamCount} streams to ${outDir} ` +
      `(${manifest.files.map((file) => `${file.name} sha256 ${file.sha256}`).join(', ')}); ` +
      `recorded as ${auditExportStreamName(exportId)} at position ${recorded.position ?? '-'}`,
  );
  console.log(`  as of position ${manifest.asOf ?? '-'}`);
  if (manifest.gap) {
    console.log(
      `  INCOMPLETE: $all ends at position ${manifest.gap.after ?? 'the start'} but the record's head is ` +
        `${manifest.gap.head}: events are missing, and streams after them may be missing from the copy`,
    );
  }
  for (const stream of broken) console.log(`  ${stream.streamId}: chain ${stream.chain}`);
  const { anchor } = manifest;
  if (!anchor) console.log('  no anchor recorded by then: the copy is not checked against one');
  else {
    console.log(
      `  latest anchor ${anchor.anchorId} (position ${anchor.position}): the record ` +
        `${anchor.agrees ? 'agrees with it' : 'DOES NOT AGREE'}; its MAC: ${anchor.signature}`,
    );
    for (const disagreement of anchor.disagreements) {
      console.log(`    anchor ${disagreement.anchorId}: ${disagreement.problem}: ${disagreement.message}`);
    }
    for (const failure of anchor.signatureFailures) console.log(`    anchor ${failure.anchorId}: ${failure.problem}`);
  }
  return exportHolds(manifest) ? 0 : 1;
}

/**
 * The go-live import: queues the old rows step by step and waits for the worker's sync to finish
 * each, and whatever an earlier run queued that is still pending. Exit 0 when every row became
 * Tracershop's or was known already and no import change (of any run) is pending or open; 1 when
 * some are open for reconciliation (listed) or pending, or the sync made no progress (run it again
 * once a worker syncs). A dry run only counts, and reports what is pending or open.
 */
async function importLegacyCommand(config: TracershopConfig, opened: Opened, args: string[]): Promise<number> {
  const dryRun = args.includes('--dry-run');
  const { positional, flags } = parseArguments(args.filter((arg) => arg !== '--dry-run'));
  if (positional.length > 0) throw new UsageError(`import-legacy takes no ${positional[0]}`);
  const from = flags.get('from')?.[0] ?? localMomentOf(new Date(), config.ordering.timeZone).date;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || Number.isNaN(Date.parse(`${from}T00:00:00Z`))) {
    throw new UsageError(`--from must be a date (YYYY-MM-DD), not ${from}`);
  }
  const stallText = flags.get('stall-seconds')?.[0] ?? '60';
  const stallSeconds = Number(stallText);
  if (!Number.isInteger(stallSeconds) || stallSeconds < 1)
    throw new UsageError('--stall-seconds must be a whole number');
  console.log(
    `import-legacy: open orders and closed dates from ${from}${dryRun ? ' (dry run: nothing is queued)' : ''}`,
  );
  try {
    const report = await importLegacy({
      record: opened.record,
      waitForPosition: (projection, position, timeoutMs) =>
        opened.engine.waitForPosition(projection, position, timeoutMs),
      from,
      dryRun,
      stallMs: stallSeconds * 1000,
      log: (line) => console.log(`  ${line}`),
    });
    const left = report.leftInOldSystem;
    if (left.length > 0) {
      console.log(
        `left to the old system: ${left.length} open orders rows that are part of a move (moved rows, ` +
          'their hosts, ghosts); production keeps them there, or restores the move there and makes it in Tracershop',
      );
      console.log(
        `  orders OID ${left.slice(0, 50).join(', ')}${left.length > 50 ? ` … (${left.length - 50} more)` : ''}`,
      );
    }
    const queued = report.steps.reduce((sum, step) => sum + step.queued, 0);
    const carriedOver = report.steps.reduce((sum, step) => sum + step.carriedOver, 0);
    if (dryRun) console.log(`dry run: ${queued} changes would be queued`);
    else if (queued === 0 && carriedOver === 0) console.log('import-legacy: nothing new to import');
    if (report.pending > 0) {
      console.log(
        `still pending: ${report.pending} changes queued for the legacy sync (GET /legacy/captured-changes?outcome=pending)` +
          (dryRun ? '; the import waits for them' : ''),
      );
    }
    if (report.openCount > 0) {
      console.log(`open for reconciliation (GET /legacy/captured-changes?open=true): ${report.openCount}`);
      for (const change of report.open) {
        console.log(
          `  #${change.id} ${change.table} ${change.rowKey}: ${change.outcome} ${change.code ?? ''} ${change.message ?? ''}`,
        );
      }
      if (report.openCount > report.open.length) console.log(`  … ${report.openCount - report.open.length} more`);
    }
    if (dryRun) return 0;
    if (report.pending > 0 || report.openCount > 0) return 1;
    console.log('import-legacy: done, nothing pending or open');
    return 0;
  } catch (error) {
    if (error instanceof LegacyImportStalledError || error instanceof LegacyImportBusyError) {
      console.error(`tracershop: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/** What each `user` command takes: its positional arguments, and its flags (repeatable or not). */
const USER_COMMANDS: Readonly<
  Record<string, { positional: readonly string[]; flags: Readonly<Record<string, 'once' | 'repeatable'>> }>
> = {
  create: {
    positional: ['<username>'],
    flags: {
      name: 'once',
      'identity-method': 'once',
      'identity-reference': 'once',
      role: 'repeatable',
      customer: 'repeatable',
      location: 'repeatable',
      reason: 'once',
      as: 'once',
    },
  },
  grant: {
    positional: ['<username>', '<role>'],
    flags: { customer: 'repeatable', location: 'repeatable', reason: 'once', as: 'once' },
  },
  'reset-password': { positional: ['<username>'], flags: { reason: 'once', as: 'once' } },
  'confirm-password-reset': { positional: ['<username>'], flags: { reason: 'once', as: 'once' } },
  'withdraw-password-reset': { positional: ['<username>'], flags: { reason: 'once', as: 'once' } },
};

/** Refuses what a `user` command does not take, before anything is read or written. */
function checkUserArguments(
  action: string | undefined,
  positional: readonly string[],
  flags: ReadonlyMap<string, string[]>,
): void {
  const takes = action === undefined ? undefined : USER_COMMANDS[action];
  if (!takes) throw new UsageError(`unknown user command ${action ?? ''}`);
  if (positional.length > takes.positional.length) {
    throw new UsageError(`user ${action} takes ${takes.positional.join(' ')}, not ${positional.join(' ')}`);
  }
  for (const [flag, values] of flags) {
    const kind = takes.flags[flag];
    if (!kind) throw new UsageError(`user ${action} takes no --${flag}`);
    if (kind === 'once' && values.length > 1) throw new UsageError(`user ${action} takes --${flag} once`);
  }
}

/**
 * The role grants `user create` or `user grant` asks for, checked as the domain checks them (a role
 * it knows, the scope that role takes), so a mistyped role is refused before anything is written.
 */
function checkRoleGrants(roles: readonly string[], flags: ReadonlyMap<string, string[]>): void {
  const scope = { customerIds: flags.get('customer'), locationIds: flags.get('location') };
  if (roles.length === 0 && (scope.customerIds || scope.locationIds)) {
    throw new UsageError('--customer and --location scope a --role; give the role');
  }
  for (const role of roles) {
    try {
      validRoleGrant({ role, ...scope });
    } catch (error) {
      if (error instanceof DomainError) throw new UsageError(`--role ${role}: ${error.message}`);
      throw error;
    }
  }
}

/** `--identity-method` and `--identity-reference`, checked as the domain checks them; the operator is the verifier. */
function checkIdentityVerification(flags: ReadonlyMap<string, string[]>, verifiedBy: string) {
  const method = flags.get('identity-method')?.[0];
  const reference = flags.get('identity-reference')?.[0];
  if (!method || !reference) {
    throw new UsageError(
      'user create needs --identity-method and --identity-reference: how the person’s identity was verified',
    );
  }
  if (!(personIdentityVerificationMethods as readonly string[]).includes(method)) {
    throw new UsageError(`--identity-method must be one of ${personIdentityVerificationMethods.join(', ')}`);
  }
  try {
    return requireIdentityVerification({ method, reference, verifiedBy });
  } catch (error) {
    if (error instanceof DomainError) throw new UsageError(`${error.code}: ${error.message}`);
    throw error;
  }
}

/**
 * Decides the commands one after the other on a user that does not exist yet, without appending:
 * whatever the domain would refuse half way is refused before the first command is written.
 */
function rehearseNewUser(commands: readonly UserCommand[]): void {
  let state: UserState = userDecider.initialState();
  for (const command of commands) {
    try {
      for (const event of userDecider.decide(command, state)) state = userDecider.evolve(state, event);
    } catch (error) {
      if (error instanceof DomainError) throw new UsageError(`${error.code}: ${error.message}`);
      throw error;
    }
  }
}

/**
 * Who runs a `user` command. Account changes are attributable to a person (Part 11 §11.10(e),
 * §11.300): once an administrator exists, the operator names themselves with `--as` and proves it
 * with their password (the first line of standard input), checked as a login checks it, a wrong one
 * counting towards the lockout. Before any administrator exists (the deployment's bootstrap) the
 * operator acts as `cli`, the OS user in the printed name.
 */
async function operatorOf(
  config: TracershopConfig,
  store: EventStore,
  pipeline: CommandPipeline,
  users: CommandDefinition<UserCommand, UserEvent, UserState>,
  username: string | undefined,
): Promise<{ actor: Actor }> {
  if (username === undefined) {
    if ((await activeAdministratorIds(store)).length > 0) {
      throw new UsageError(
        'an administrator exists: run user commands as one, --as <your username>, your password the first line of standard input',
      );
    }
    return { actor: operatorActor() };
  }
  const password = await nextInputLine('your password (the first line)');
  // One answer for an unknown user, a wrong password, a deactivated and a locked account, as at login.
  const refused = new UsageError(`--as ${username}: no active account with that username and password`);
  let userId: string | null = null;
  try {
    userId = (await pipeline.loadState(usernameClaimStreamName(requireUsername(username)), usernameClaimDecider))
      .userId;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
  }
  const user = userId ? await pipeline.loadState(userStreamName(userId), userDecider) : null;
  const active = user?.status === 'active' ? user : null;
  const at = new Date().toISOString();
  const right = await verifyPassword(password, active?.passwordHash, config.auth.scryptCost);
  if (!active) throw refused;
  const self: Actor = { kind: 'user', id: active.userId, printedName: active.printedName, role: 'admin' };
  // A locked account answers as a wrong password does (as at login), and either is recorded.
  const locked = isLockedAt(active, at);
  if (locked || !right) {
    await pipeline.execute(
      users,
      {
        type: 'RecordLoginFailure',
        userId: active.userId,
        reason: locked ? 'locked' : 'bad_password',
        policy: lockoutPolicyOf(config),
        at,
      },
      { actor: self, correlationId: randomUUID(), causationId: `cli-login-failure:${randomUUID()}` },
    );
    throw refused;
  }
  if (!holdsRole(active, 'admin')) throw new UsageError(`--as ${username}: user commands are an administrator's`);
  if (active.mustChange) throw new UsageError(`--as ${username}: choose your own password first (log in to the api)`);
  return { actor: self };
}

/** Operators manage accounts from a shell; every change is an event attributed to the operator. */
async function userCommand(config: TracershopConfig, opened: Opened, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { positional, flags } = parseArguments(rest);
  checkUserArguments(action, positional, flags);
  const pipeline = new CommandPipeline({ store: opened.store });
  // The same allocator as the api's: `Users.Id` blocks are reserved by events, so none overlap.
  const commands = identityCommands(pipeline, new LegacyIdAllocator(pipeline, opened.record, config));
  const operator = await operatorOf(config, opened.store, pipeline, commands.user, flags.get('as')?.[0]);
  const reason = flags.get('reason')?.[0] ?? `operator via cli (${action})`;
  const context: CommandContext = {
    actor: operator.actor,
    correlationId: randomUUID(),
    causationId: randomUUID(),
    reason,
  };
  const at = () => new Date().toISOString();
  const step = (name: string) => ({ ...context, causationId: `${context.causationId}:${name}` });
  const userIdOf = async (username: string): Promise<string> => {
    const claim = await pipeline.loadState(usernameClaimStreamName(username), usernameClaimDecider);
    if (!claim.userId) throw new UsageError(`no user ${username}`);
    return claim.userId;
  };
  /** Read and checked before anything is written, so a refused password leaves no half-made account. */
  const choosePassword = async (username: string, printedName: string): Promise<string> => {
    const password = await nextInputLine('the password');
    const problems = checkPasswordPolicy(password, { username, printedName });
    if (problems.length > 0) throw new UsageError(problems.map((problem) => problem.message).join('; '));
    return hashPassword(password, config.auth.scryptCost);
  };
  // Chosen by the operator: in force once a second person confirms it (Part 11 §11.200(a)), and the
  // user chooses their own at the first login.
  const resets = new OperatorPasswordResets(pipeline, opened.store, commands.user, operator.actor.id);
  const describeRequest = (
    username: string,
    userId: string,
    requested: { requestId: string; expiresAt: string; withoutSecondPerson: boolean },
  ) =>
    requested.withoutSecondPerson
      ? `no administrator but ${username} exists to confirm the password: set by the operator alone, ` +
        'recorded as without a second person; it must be changed at the first login'
      : `the password waits for an administrator to confirm it until ${requested.expiresAt} ` +
        `(POST /identity/users/${userId}/password-reset/confirm {"requestId":"${requested.requestId}"}); ` +
        'it must be changed at the first login';
  const requireReasonFlag = () => {
    const given = flags.get('reason')?.[0];
    if (!given?.trim()) throw new UsageError(`user ${action} needs --reason`);
  };
  const grantOf = (userId: string, role: string) =>
    ({
      type: 'GrantRole',
      userId,
      role,
      customerIds: flags.get('customer'),
      locationIds: flags.get('location'),
      at: at(),
    }) as UserCommand;
  const grant = async (userId: string, role: string) =>
    pipeline.execute(commands.user, grantOf(userId, role), step(`role-${role}`));
  switch (action) {
    case 'create': {
      const [username] = positional;
      const printedName = flags.get('name')?.[0];
      if (!username || !printedName) throw new UsageError('user create needs <username> and --name');
      // Every argument is checked before the password is asked for and before anything is written:
      // a user registered without the roles and password asked for would keep the username.
      const identityVerification = checkIdentityVerification(flags, operator.actor.id);
      const roles = flags.get('role') ?? [];
      checkRoleGrants(roles, flags);
      let normalised: string;
      try {
        normalised = requireUsername(username);
      } catch (error) {
        if (error instanceof DomainError) throw new UsageError(`${error.code}: ${error.message}`);
        throw error;
      }
      const claim = await pipeline.loadState(usernameClaimStreamName(normalised), usernameClaimDecider);
      if (claim.userId) throw new UsageError(`the username ${normalised} is taken`);
      const passwordHash = await choosePassword(normalised, printedName);
      const userId = randomUUID();
      const register = {
        type: 'RegisterUser',
        userId,
        username,
        printedName,
        identityVerification,
        legacyUserId: legacyIdAllocatedByHandler,
        at: at(),
      } as const;
      // The handler allocates the legacy id; any valid one does for the rehearsal.
      rehearseNewUser([
        { ...register, legacyUserId: 1 },
        ...roles.map((role) => grantOf(userId, role)),
        {
          type: 'RequestPasswordReset',
          userId,
          requestId: 'rehearsal',
          passwordHash,
          requestedBy: operator.actor.id,
          reason,
          at: at(),
        },
      ]);
      await pipeline.execute(commands.user, register, step('register'));
      for (const role of roles) await grant(userId, role);
      const requested = await resets.request(userId, passwordHash, {
        ...step('password'),
        reason: flags.get('reason')?.[0] ?? 'first password of a new account (cli user create)',
      });
      console.log(`created ${username} (${userId}); ${describeRequest(username, userId, requested)}`);
      return 0;
    }
    case 'grant': {
      const [username, role] = positional;
      if (!username || !role) throw new UsageError('user grant needs <username> <role>');
      checkRoleGrants([role], flags);
      await grant(await userIdOf(username), role);
      console.log(`granted ${role} to ${username}`);
      return 0;
    }
    case 'reset-password': {
      const [username] = positional;
      if (!username) throw new UsageError('user reset-password needs <username>');
      requireReasonFlag();
      const userId = await userIdOf(username);
      const user = await pipeline.loadState(userStreamName(userId), userDecider);
      if (user.status === 'absent') throw new UsageError(`no user ${username}`);
      const passwordHash = await choosePassword(user.username, user.printedName);
      const requested = await resets.request(userId, passwordHash, step('password'));
      console.log(
        `password reset of ${username} requested (${requested.requestId}); ${describeRequest(username, userId, requested)}`,
      );
      return 0;
    }
    case 'confirm-password-reset':
    case 'withdraw-password-reset': {
      const [username] = positional;
      if (!username) throw new UsageError(`user ${action} needs <username>`);
      // A confirmation's reason defaults to naming the request; a withdrawal says why.
      if (action === 'withdraw-password-reset') requireReasonFlag();
      const userId = await userIdOf(username);
      const given = flags.get('reason')?.[0];
      const operatorContext = { ...step(action), reason: given };
      try {
        if (action === 'withdraw-password-reset') {
          const withdrawn = await resets.withdraw(userId, operatorContext);
          console.log(
            `password reset ${withdrawn.requestId} of ${username} (requested by ${withdrawn.requestedBy}) withdrawn`,
          );
        } else {
          const confirmed = await resets.confirm(userId, operatorContext);
          console.log(
            `password reset ${confirmed.requestId} of ${username} (requested by ${confirmed.requestedBy}) confirmed` +
              (confirmed.withoutSecondPerson ? ' alone: no administrator but the user exists' : '') +
              '; it must be changed at the next login; open sessions ended',
          );
        }
      } catch (error) {
        if (error instanceof OperatorResetRefusedError) throw new UsageError(error.message);
        throw error;
      }
      return 0;
    }
    default:
      throw new UsageError(`unknown user command ${action ?? ''}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof DomainError) {
      console.error(`tracershop: ${error.code}: ${error.message}`);
      process.exit(1);
    }
    if (error instanceof UsageError || error instanceof ConfigurationError) {
      console.error(`tracershop: ${error.message}\n${error instanceof UsageError ? USAGE : ''}`);
      process.exit(2);
    }
    if (error instanceof DependencyUnreachableError) {
      console.error(`tracershop: ${error.message}`);
      process.exit(1);
    }
    console.error(`tracershop: ${(error as Error).message}`);
    process.exit(1);
  },
);
