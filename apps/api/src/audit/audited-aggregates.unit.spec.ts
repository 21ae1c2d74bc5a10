import { deliveryDayStreamName, vialStreamName } from '@tracershop/domain/ordering';
import { customerStreamName, tracerPermissionStreamName, tracerStreamName } from '@tracershop/domain/catalog';
import { auditedAggregateOf, auditedAggregates } from './audited-aggregates';

describe('the aggregate types auditors can fold', () => {
  it('given a stream of each kind, then its own type folds it, not one with a shorter prefix', () => {
    expect(auditedAggregateOf(deliveryDayStreamName('ep-1', '2026-12-07'))?.aggregate).toBe('DeliveryDay');
    expect(auditedAggregateOf(vialStreamName('FDG-261207-1@2026-12-07T07:10:00'))?.aggregate).toBe('Vial');
    expect(auditedAggregateOf(tracerStreamName('t-1'))?.aggregate).toBe('Tracer');
    expect(auditedAggregateOf(tracerPermissionStreamName('ep-1', 't-1'))?.aggregate).toBe('TracerPermission');
    expect(auditedAggregateOf(customerStreamName('c-1'))?.aggregate).toBe('Customer');
    expect(auditedAggregateOf('unknown.thing-1')).toBeNull();
  });

  it('has one type per prefix, each of the form <context>.<aggregate>-', () => {
    const prefixes = auditedAggregates.map((audited) => audited.prefix);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const prefix of prefixes) expect(prefix).toMatch(/^[a-z]+\.[A-Za-z]+-$/);
  });
});
