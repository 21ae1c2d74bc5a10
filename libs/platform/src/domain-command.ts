import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Command, CommandHandler, UnhandledExceptionBus, type ICommandHandler } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import type { Subscription } from 'rxjs';
import {
  CommandPipeline,
  type CommandContext,
  type CommandDefinition,
  type CommandResult,
} from '@tracershop/command-pipeline';
import type { DomainEvent } from '@tracershop/domain/kernel';
import { PINO_LOGGER } from './logger-token';

/**
 * Every context's commands travel the CommandBus in this envelope: the definition (decider,
 * stream, retry rule) and the command, with the server-built context.
 */
export class ExecuteDomainCommand<
  C = unknown,
  E extends DomainEvent = DomainEvent,
  S = unknown,
> extends Command<CommandResult> {
  constructor(
    readonly definition: CommandDefinition<C, E, S>,
    readonly command: C,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ExecuteDomainCommand)
export class ExecuteDomainCommandHandler implements ICommandHandler<ExecuteDomainCommand> {
  constructor(@Inject(CommandPipeline) private readonly pipeline: CommandPipeline) {}

  execute(envelope: ExecuteDomainCommand): Promise<CommandResult> {
    return this.pipeline.execute(envelope.definition, envelope.command, envelope.context);
  }
}

/** The CQRS bus never fails silently: anything it could not deliver is logged. */
@Injectable()
export class UnhandledCommandExceptions implements OnModuleDestroy {
  private readonly subscription: Subscription;

  constructor(unhandled: UnhandledExceptionBus, @Inject(PINO_LOGGER) logger: Logger) {
    this.subscription = unhandled.subscribe(({ exception, cause }) =>
      logger.error({ err: exception, cause: (cause as object)?.constructor?.name }, 'unhandled CQRS exception'),
    );
  }

  onModuleDestroy(): void {
    this.subscription.unsubscribe();
  }
}
