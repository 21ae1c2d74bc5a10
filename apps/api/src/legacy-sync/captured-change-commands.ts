import type { CommandDefinition } from '@tracershop/command-pipeline';
import {
  capturedChangeDecider,
  capturedChangeEventSchemaVersions,
  capturedChangeStreamName,
  type CapturedChangeCommand,
  type CapturedChangeEvent,
  type CapturedChangeState,
} from '@tracershop/domain/legacy';

/** One statement per change: a concurrent one is decided again on the fresh state (and refused). */
export const capturedChangeCommand: CommandDefinition<CapturedChangeCommand, CapturedChangeEvent, CapturedChangeState> =
  {
    name: 'CapturedChange',
    decider: capturedChangeDecider,
    streamOf: (command) => capturedChangeStreamName(command.change),
    retryOnConflict: true,
    schemaVersionOf: (type) => capturedChangeEventSchemaVersions[type],
    reasonRequired: true,
  };
