import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import {
  CommandPipeline,
  ConcurrentModificationError,
  type CommandContext,
  type CommandDefinition,
} from '@tracershop/command-pipeline';
import type { TracershopConfig } from '@tracershop/config';
import {
  legacyEventSchemaVersions,
  legacyIdBlockDecider,
  legacyIdBlockStreamName,
  legacyIdTables,
  type LegacyIdBlockEvent,
  type LegacyIdBlockReservedData,
  type LegacyIdBlockState,
  type LegacyIdTable,
  type ReserveLegacyIdBlock,
} from '@tracershop/domain/legacy';
import { quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import { RECORD_DATABASE, TRACERSHOP_CONFIG } from '@tracershop/platform';

/** The primary key of each legacy table, as the old system's DDL names it (domain/legacy-tables.md). */
export const legacyIdColumns: Readonly<Record<LegacyIdTable, string>> = {
  Users: 'Id',
  orders: 'OID',
  t_orders: 'OID',
  VAL: 'ID',
  Tracers: 'id',
  isotopes: 'id',
  deliverTimes: 'DTID',
  productionTimes: 'PTID',
  blockDeliverDate: 'BDID',
  TracerCustomer: 'ID',
};

/** Stands for a legacy id in a command built without one: the definition's `enrich` allocates it. */
export const legacyIdAllocatedByHandler = undefined as never;

/** What command handlers need: the next free legacy id of a table. */
export interface LegacyIdSource {
  allocate(table: LegacyIdTable): Promise<number>;
}

/**
 * Reserving a block re-decides on the fresh state after a concurrent reservation, so a retry can
 * never hand out a block twice.
 */
export const reserveLegacyIdBlockCommand: CommandDefinition<
  ReserveLegacyIdBlock,
  LegacyIdBlockEvent,
  LegacyIdBlockState
> = {
  name: 'ReserveLegacyIdBlock',
  decider: legacyIdBlockDecider,
  streamOf: (command) => legacyIdBlockStreamName(command.table),
  retryOnConflict: true,
  schemaVersionOf: (type) => legacyEventSchemaVersions[type],
};

/** Reservations that lost every pipeline retry to other processes are tried again this often. */
const RESERVATION_ATTEMPTS = 5;

interface Block {
  next: number;
  last: number;
  step: number;
}

/**
 * Hands out legacy ids (see libs/domain/legacy/legacy-id-block.ts for the scheme): even ids only,
 * from a block this process reserved by an event on `legacy.idBlock-<table>`. Concurrent callers
 * share one reservation in flight per table. Ids of a block left unused when the process stops are
 * never handed out (gaps are fine). The floor of a new block is the configured `LEGACY_ID_FLOOR`
 * and, when the record database holds the legacy table already, its `MAX(id) + 1`.
 */
@Injectable()
export class LegacyIdAllocator implements LegacyIdSource {
  private readonly blocks = new Map<LegacyIdTable, Block>();
  private readonly reservations = new Map<LegacyIdTable, Promise<void>>();

  constructor(
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(RECORD_DATABASE) private readonly record: Pool,
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
  ) {}

  async allocate(table: LegacyIdTable): Promise<number> {
    if (!legacyIdTables.includes(table)) throw new Error(`No legacy table ${String(table)} takes allocated ids`);
    for (;;) {
      const block = this.blocks.get(table);
      if (block && block.next <= block.last) {
        const id = block.next;
        block.next += block.step;
        return id;
      }
      await this.refill(table);
    }
  }

  /** One reservation per table at a time; everyone waiting for ids waits for the same one. */
  private refill(table: LegacyIdTable): Promise<void> {
    let pending = this.reservations.get(table);
    if (!pending) {
      pending = this.reserve(table).finally(() => this.reservations.delete(table));
      this.reservations.set(table, pending);
    }
    return pending;
  }

  private async reserve(table: LegacyIdTable): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const block = await this.reserveOnce(table);
        this.blocks.set(table, { next: block.firstId, last: block.lastId, step: block.step });
        return;
      } catch (error) {
        if (!(error instanceof ConcurrentModificationError) || attempt >= RESERVATION_ATTEMPTS) throw error;
      }
    }
  }

  private async reserveOnce(table: LegacyIdTable): Promise<LegacyIdBlockReservedData> {
    const command: ReserveLegacyIdBlock = {
      type: 'ReserveLegacyIdBlock',
      table,
      size: this.config.legacyIds.blockSize,
      floor: await this.floorOf(table),
      at: new Date().toISOString(),
    };
    let reserved: LegacyIdBlockReservedData | undefined;
    await this.pipeline.execute(
      {
        ...reserveLegacyIdBlockCommand,
        // The block is what was decided on the state the successful append was expected on.
        afterAppend: async (change) => {
          reserved = legacyIdBlockDecider.decide(command, change.before)[0]?.data;
        },
      },
      command,
      this.context(table),
    );
    if (!reserved) throw new Error(`The reservation of a ${table} id block was not confirmed`);
    return reserved;
  }

  private context(table: LegacyIdTable): CommandContext {
    const { id, printedName } = this.config.systemActor;
    return {
      actor: { kind: 'system', id, printedName, role: 'system' },
      correlationId: randomUUID(),
      // A fresh cause per reservation: event ids derive from it, and two reservations are two events.
      causationId: `legacy-id-block:${table}:${randomUUID()}`,
    };
  }

  /**
   * `LEGACY_ID_FLOOR`, raised above every id the legacy table has used when the record database has
   * it: `MAX(id) + 1`, and its AUTO_INCREMENT counter, which is past ids the old system handed out
   * and deleted since (a customer's withdrawn order, a dissolved ghost) and may have printed.
   */
  private async floorOf(table: LegacyIdTable): Promise<number> {
    const configured = this.config.legacyIds.floor;
    const [tables] = await this.record.query<RowDataPacket[]>(
      `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`,
      [table],
    );
    // information_schema compares names case-insensitively; the legacy names are case-sensitive.
    if (!tables.some((row) => row.name === table)) return configured;
    const [rows] = await this.record.query<RowDataPacket[]>(
      `SELECT MAX(${quoteIdentifier(legacyIdColumns[table])}) AS maxId FROM ${quoteIdentifier(table)}`,
    );
    const maxId = rows[0]?.maxId as string | number | null | undefined;
    const aboveMax = maxId === null || maxId === undefined ? configured : Number(maxId) + 1;
    return Math.max(configured, aboveMax, await this.autoIncrementOf(table));
  }

  /**
   * The table's next AUTO_INCREMENT value (0 without one). Read from SHOW CREATE TABLE, which asks
   * the storage engine: information_schema may serve a cached figure (MySQL 8 keeps it a day).
   */
  private async autoIncrementOf(table: LegacyIdTable): Promise<number> {
    const [rows] = await this.record.query<RowDataPacket[]>(`SHOW CREATE TABLE ${quoteIdentifier(table)}`);
    const created = String(rows[0]?.['Create Table'] ?? '');
    const counter = /\bAUTO_INCREMENT=(\d+)/.exec(created);
    return counter ? Number(counter[1]) : 0;
  }
}
