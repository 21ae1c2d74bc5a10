import { ConfigurationError, type TracershopConfig } from '@tracershop/config';
import type { Projection } from '@tracershop/projections/engine';

/**
 * The projections this process runs (`PROJECTOR_PROJECTIONS` less `PROJECTOR_EXCLUDED_PROJECTIONS`).
 * A name no projection has, or a selection that leaves nothing, is a configuration problem: a typo
 * must not leave a read model without a runner.
 */
export function selectProjections(
  projections: readonly Projection[],
  selection: TracershopConfig['projector'],
): Projection[] {
  const known = projections.map((projection) => projection.name);
  const problems: string[] = [];
  const check = (variable: string, names: readonly string[]) => {
    for (const name of names) {
      if (!known.includes(name)) {
        problems.push(`${variable} names no projection ${JSON.stringify(name)} (known: ${known.join(', ')})`);
      }
    }
  };
  check('PROJECTOR_PROJECTIONS', selection.projections ?? []);
  check('PROJECTOR_EXCLUDED_PROJECTIONS', selection.excludedProjections);
  const selected = projections.filter(
    ({ name }) =>
      (selection.projections === null || selection.projections.includes(name)) &&
      !selection.excludedProjections.includes(name),
  );
  if (problems.length === 0 && selected.length === 0) {
    problems.push('PROJECTOR_PROJECTIONS and PROJECTOR_EXCLUDED_PROJECTIONS leave this projector nothing to run');
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return selected;
}
