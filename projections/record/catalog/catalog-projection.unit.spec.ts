import { catalogEventTypes } from '@tracershop/domain/catalog';
import { assertValidProjection, eventMatcher } from '@tracershop/projections/engine';
import type { RecordedEvent } from '@tracershop/event-store';
import { recordProjections } from '..';
import { catalogProjection, catalogRecordEventTypes } from './catalog-projection';
import { weeklyCloseDaysScope } from './catalog-tables';

describe('record.catalog definition', () => {
  it('is a valid record projection of version 2 (2: legacy ids)', () => {
    expect(() => assertValidProjection(catalogProjection)).not.toThrow();
    expect(catalogProjection).toMatchObject({ name: 'record.catalog', version: 3, target: 'record' });
    expect(recordProjections).toContain(catalogProjection);
  });

  it('handles every catalogue event except the name claims, from catalogue streams only', () => {
    expect([...catalogRecordEventTypes].sort()).toEqual(
      catalogEventTypes.filter((type) => type !== 'NameClaimed' && type !== 'NameReleased').sort(),
    );
    const handles = eventMatcher(catalogProjection);
    const event = (type: string, streamId: string) => ({ type, streamId }) as RecordedEvent;
    expect(handles(event('DateClosed', 'catalog.closedDate-2026-12-24'))).toBe(true);
    expect(handles(event('NameClaimed', 'catalog.nameClaim-tracerShortName-fdg'))).toBe(false);
    expect(handles(event('DateClosed', 'ordering.closedDate-2026-12-24'))).toBe(false);
  });

  it('declares the catalogue tables under their snake_case names', () => {
    expect(Object.keys(catalogProjection.tables).sort()).toEqual([
      'catalog_closed_dates',
      'catalog_customers',
      'catalog_delivery_endpoints',
      'catalog_delivery_time_slots',
      'catalog_isotopes',
      'catalog_ordering_deadlines',
      'catalog_production_runs',
      'catalog_tracer_permissions',
      'catalog_tracers',
      'catalog_weekly_close_days',
    ]);
    for (const ddl of Object.values(catalogProjection.tables)) {
      expect(ddl('`db`.`t`')).toMatch(/^\s*CREATE TABLE `db`\.`t` \([\s\S]+\) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4/);
    }
  });

  it('stores the legacy id of every row the old system has a table for, unique per table', () => {
    for (const table of [
      'catalog_isotopes',
      'catalog_tracers',
      'catalog_customers',
      'catalog_production_runs',
      'catalog_delivery_time_slots',
      'catalog_tracer_permissions',
      'catalog_closed_dates',
    ] as const) {
      const ddl = catalogProjection.tables[table]('`t`');
      expect(ddl).toMatch(/legacy_id INT UNSIGNED NOT NULL/);
      expect(ddl).toMatch(/UNIQUE KEY \w+_legacy_id \(legacy_id\)/);
    }
  });

  it('keys the weekly close days by what their stream applies to', () => {
    expect(weeklyCloseDaysScope('catalog.weeklyCloseDays-shop')).toBe('shop');
  });
});
