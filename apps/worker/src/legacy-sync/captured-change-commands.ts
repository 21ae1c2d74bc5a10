import type { CapturedChange } from './captured-change';
import { type CapturePlan, type CapturePlanning, unsupported } from './captured-change-plan';
import { activityOrderRow, injectionOrderRow, vialRow } from './captured-order-changes';
import {
  closedDateRow,
  customerRoleRow,
  customerRow,
  deliveryTimeRow,
  productionTimeRow,
  tracerCustomerRow,
  tracerRow,
} from './captured-catalog-changes';

/**
 * The commands a captured change becomes. Tables and operations the sync does not translate yet
 * are `unsupported`: recorded and listed, never dropped or guessed at.
 */
export async function planCapturedChange(change: CapturedChange, planning: CapturePlanning): Promise<CapturePlan> {
  switch (change.table) {
    case 'VAL':
      return vialRow(change, planning.definitions);
    case 'blockDeliverDate':
      return closedDateRow(change, planning.definitions);
    case 'orders':
      return activityOrderRow(change, planning);
    case 't_orders':
      return injectionOrderRow(change, planning);
    case 'Users':
      return customerRow(change, planning);
    case 'UserRoles':
      return customerRoleRow(change, planning);
    case 'deliverTimes':
      return deliveryTimeRow(change, planning);
    case 'productionTimes':
      return productionTimeRow(change, planning);
    case 'Tracers':
      return tracerRow(change, planning);
    case 'TracerCustomer':
      return tracerCustomerRow(change, planning);
    default:
      return unsupported(change, 'changes of this table are not synced into Tracershop yet; make them there');
  }
}
