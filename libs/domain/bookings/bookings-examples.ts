import { type BookingImported, type ImportBooking } from './booking';

/** Example bookings shared by the specs: a Monday at Herlev's PET centre. */

export const at = '2026-03-01T08:00:00.000Z';
export const monday = '2026-03-02';

export const importA1: ImportBooking = {
  type: 'ImportBooking',
  accessionNumber: 'HRL/2026 0001',
  locationCode: 'PET1',
  procedureCode: 'WBFDG',
  procedureDescription: 'PET/CT whole body FDG',
  startDate: monday,
  startTime: '09:15',
  at,
};

export const a1Imported: BookingImported = {
  type: 'BookingImported',
  data: {
    accessionNumber: 'HRL/2026 0001',
    locationCode: 'PET1',
    procedureCode: 'WBFDG',
    procedureDescription: 'PET/CT whole body FDG',
    startDate: monday,
    startTime: '09:15',
    status: 'initial',
  },
};
