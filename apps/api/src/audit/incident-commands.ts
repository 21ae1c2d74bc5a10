import type { CommandDefinition } from '@tracershop/command-pipeline';
import {
  auditEventSchemaVersions,
  incidentDecider,
  incidentStreamName,
  type IncidentCommand,
  type IncidentEvent,
  type IncidentState,
} from '@tracershop/domain/audit';

/**
 * Raising and closing incidents. A decision on a fresh state is safe to repeat: raising again adds
 * nothing, closing a closed incident is refused. The worker raises; a person closes (the api).
 */
export const incidentCommand: CommandDefinition<IncidentCommand, IncidentEvent, IncidentState> = {
  name: 'Incident',
  decider: incidentDecider,
  streamOf: (command) => incidentStreamName(command.incidentId),
  retryOnConflict: true,
  schemaVersionOf: (type) => auditEventSchemaVersions[type],
};
