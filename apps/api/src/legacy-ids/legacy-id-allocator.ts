import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Logger } from 'pino';
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
import { PINO_LOGGER, RECORD_DATABASE, TRACERSHOP_CONFIG } from '@tracershop/platform';

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

/** A table's blocks in this process: the one ids come from, and the next, reserved ahead. */
interface TableBlocks {
  current: Block | null;
  spare: Block | null;
  /** The reservation in flight, if any: one per table at a time. */
  reserving: Promise<void> | null;
}

const idsLeftIn = (block: Block): number => Math.max(0, Math.floor((block.last - block.next) / block.step) + 1);

/**
 * Hands out legacy ids (see libs/domain/legacy/legacy-id-block.ts for the scheme): even ids only,
 * from a block this process reserved by an event on `legacy.idBlock-<table>`. Concurrent callers
 * share one reservation in flight per table. Once half a block is used, the next one is reserved
 * in the background, so under steady load no caller waits for a reservation (only the first, or
 * one that outruns it). Ids of blocks left unused when the process stops are never handed out
 * (gaps are fine). The floor of a new block is the configured `LEGACY_ID_FLOOR` and, when the
 * record database holds the legacy table already, its `MAX(id) + 1`.
 */
@Injectable()
export class LegacyIdAllocator implements LegacyIdSource, BeforeApplicationShutdown {
  private readonly tables = new Map<LegacyIdTable, TableBlocks>();

  constructor(
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(RECORD_DATABASE) private readonly record: Pool,
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
    @Optional() @Inject(PINO_LOGGER) private readonly logger?: Pick<Logger, 'warn'>,
  ) {}

  async allocate(table: LegacyIdTable): Promise<number> {
    if (!legacyIdTables.includes(table)) throw new Error(`No legacy table ${String(table)} takes allocated ids`);
    const blocks = this.blocksOf(table);
    for (;;) {
      if ((!blocks.current || idsLeftIn(blocks.current) === 0) && blocks.spare) {
        blocks.current = blocks.spare;
        blocks.spare = null;
      }
      const block = blocks.current;
      if (block && idsLeftIn(block) > 0) {
        const id = block.next;
        block.next += block.step;
        if (!blocks.spare && idsLeftIn(block) < this.config.legacyIds.blockSize / 2) this.reserveAhead(table);
        return id;
      }
      await this.refill(table);
    }
  }

  /** Once no reservation is in flight (each settled, failed or not): so none is cut off at shutdown. */
  async reservationsSettled(): Promise<void> {
    await Promise.allSettled([...this.tables.values()].map((blocks) => blocks.reserving));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.reservationsSettled();
  }

  private blocksOf(table: LegacyIdTable): TableBlocks {
    let blocks = this.tables.get(table);
    if (!blocks) {
      blocks = { current: null, spare: null, reserving: null };
      this.tables.set(table, blocks);
    }
    return blocks;
  }

  /** One reservation per table at a time; everyone waiting for ids waits for the same one. */
  private refill(table: LegacyIdTable): Promise<void> {
    const blocks = this.blocksOf(table);
    if (!blocks.reserving) {
      blocks.reserving = this.reserve(table).finally(() => {
        blocks.reserving = null;
      });
    }
    return blocks.reserving;
  }

  /**
   * The next block, before anyone needs it. A failure here waits on no one: the caller that finds
   * the block used up reserves again and gets the error, if there still is one.
   */
  private reserveAhead(table: LegacyIdTable): void {
    if (this.blocksOf(table).reserving) return;
    this.refill(table).catch((error: unknown) => {
      this.logger?.warn({ err: error, table }, 'reserving the next legacy id block ahead failed');
    });
  }

  private async reserve(table: LegacyIdTable): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const reserved = await this.reserveOnce(table);
        const block = { next: reserved.firstId, last: reserved.lastId, step: reserved.step };
        const blocks = this.blocksOf(table);
        if (blocks.current && idsLeftIn(blocks.current) > 0) blocks.spare = block;
        else blocks.current = block;
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
