import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CommandPipeline, type CommandContext, type CommandDefinition } from '@tracershop/command-pipeline';
import type { DomainEvent } from '@tracershop/domain/kernel';
import { ExecuteDomainCommand } from '@tracershop/platform';
import { LegacyIdAllocator } from '../legacy-ids/legacy-id-allocator';
import { catalogCommands, type CatalogCommands } from './catalog-commands';
import type { CommandResponseDto } from './catalog.dto';
import { CatalogLookupsAtHead } from './catalog-lookups-at-head';

/** Sends catalog commands over the CommandBus and shapes the answer. */
@Injectable()
export class CatalogCommandSender {
  readonly commands: CatalogCommands;

  constructor(
    private readonly bus: CommandBus,
    @Inject(CommandPipeline) pipeline: CommandPipeline,
    lookups: CatalogLookupsAtHead,
    legacyIds: LegacyIdAllocator,
  ) {
    this.commands = catalogCommands(pipeline, lookups, legacyIds);
  }

  async send<C, E extends DomainEvent, S>(
    id: string,
    definition: CommandDefinition<C, E, S>,
    command: NoInfer<C>,
    context: CommandContext,
  ): Promise<CommandResponseDto> {
    const result = await this.bus.execute(new ExecuteDomainCommand(definition, command, context));
    return { id, ...result };
  }
}

/** Business time of a command is the server's clock when it arrives. */
export const now = () => new Date().toISOString();
