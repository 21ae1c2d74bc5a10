import { ConfigurationError } from '@tracershop/config';
import { allProjections } from '@tracershop/projections/all';
import { LIVE_DASHBOARDS_PROJECTION_NAME } from '@tracershop/projections/live';
import { selectProjections } from './projection-selection';

const namesOf = (selection: Parameters<typeof selectProjections>[1]) =>
  selectProjections(allProjections, selection).map((projection) => projection.name);

describe('selectProjections', () => {
  it('given no selection, then the projector runs every projection', () => {
    expect(namesOf({ projections: null, excludedProjections: [] })).toEqual(allProjections.map(({ name }) => name));
  });

  it('given the live projection alone, or every projection but it, then the two processes share the work', () => {
    const live = namesOf({ projections: [LIVE_DASHBOARDS_PROJECTION_NAME], excludedProjections: [] });
    const others = namesOf({ projections: null, excludedProjections: [LIVE_DASHBOARDS_PROJECTION_NAME] });
    expect(live).toEqual([LIVE_DASHBOARDS_PROJECTION_NAME]);
    expect(others).not.toContain(LIVE_DASHBOARDS_PROJECTION_NAME);
    expect([...live, ...others].sort()).toEqual(allProjections.map(({ name }) => name).sort());
  });

  it('given a name no projection has, then it is a configuration problem naming the known ones', () => {
    expect(() => namesOf({ projections: ['live.dashbords'], excludedProjections: [] })).toThrow(ConfigurationError);
    expect(() => namesOf({ projections: null, excludedProjections: ['legacy'] })).toThrow(
      /PROJECTOR_EXCLUDED_PROJECTIONS names no projection "legacy" \(known: .*legacy\.tracershop/,
    );
  });

  it('given a selection that leaves nothing, then it is a configuration problem', () => {
    expect(() =>
      namesOf({
        projections: [LIVE_DASHBOARDS_PROJECTION_NAME],
        excludedProjections: [LIVE_DASHBOARDS_PROJECTION_NAME],
      }),
    ).toThrow(/leave this projector nothing to run/);
  });
});
