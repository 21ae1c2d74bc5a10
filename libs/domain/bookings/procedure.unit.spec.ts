import {
  absent,
  activeFdg,
  activeFet,
  activeHerlevPet,
  archivedFdg,
  archivedHerlevPet,
} from '../catalog/catalog-examples';
import { specFor } from '../kernel/decider-spec';
import { at } from './bookings-examples';
import {
  procedureDecider,
  procedureId,
  procedureStreamName,
  type DefineProcedure,
  type ProcedureDefined,
} from './procedure';

const spec = specFor(procedureDecider);
const define: DefineProcedure = {
  type: 'DefineProcedure',
  procedureCode: 'WBFDG',
  endpointId: 'ep-herlev-pet',
  tracerId: 'tracer-fdg',
  tracerUnits: 300,
  delayMinutes: 15,
  isPet: true,
  at,
  refs: { endpoint: activeHerlevPet, tracer: activeFdg },
};
const defined: ProcedureDefined = {
  type: 'ProcedureDefined',
  data: {
    procedureCode: 'WBFDG',
    endpointId: 'ep-herlev-pet',
    tracerId: 'tracer-fdg',
    tracerUnits: 300,
    delayMinutes: 15,
    isPet: true,
  },
};

describe('Procedure', () => {
  it('lives in one stream per (procedure code, endpoint)', () => {
    expect(procedureStreamName('WBFDG', 'ep-herlev-pet')).toBe('bookings.procedure-WBFDG:ep-herlev-pet');
    expect(procedureId('a:b', 'c')).not.toBe(procedureId('a', 'b:c'));
  });

  it('defines the tracer, units, delay and PET flag of a procedure at an endpoint', () => {
    spec.given([]).when(define).then([defined]);
  });

  it('the same definition again changes nothing', () => {
    spec.given([defined]).when(define).thenNothing();
  });

  it('an update carries the new values, the old ones and why', () => {
    spec
      .given([defined])
      .when({ ...define, tracerUnits: 250, delayMinutes: 60, reason: 'New scanner protocol' })
      .then([
        {
          type: 'ProcedureUpdated',
          data: {
            ...defined.data,
            tracerUnits: 250,
            delayMinutes: 60,
            changes: { tracerUnits: { from: 300, to: 250 }, delayMinutes: { from: 15, to: 60 } },
            reason: 'New scanner protocol',
          },
        },
      ]);
  });

  it('refuses an update without a reason (GMP: Annex 11 §9): 422 FIELD_REQUIRED; the first definition needs none', () => {
    for (const reason of [undefined, '', '  ']) {
      spec
        .given([defined])
        .when({ ...define, tracerUnits: 250, reason })
        .thenThrows('FIELD_REQUIRED', { field: 'reason' });
    }
    spec
      .given([])
      .when({ ...define, reason: undefined })
      .then([defined]);
    spec
      .given([defined])
      .when({ ...define, reason: undefined })
      .thenNothing();
  });

  it('counts injections for an injection tracer: whole numbers only', () => {
    const fet = { ...define, tracerId: 'tracer-fet', refs: { endpoint: activeHerlevPet, tracer: activeFet } };
    spec
      .given([])
      .when({ ...fet, tracerUnits: 2 })
      .then([{ type: 'ProcedureDefined', data: { ...defined.data, tracerId: 'tracer-fet', tracerUnits: 2 } }]);
    spec
      .given([])
      .when({ ...fet, tracerUnits: 1.5 })
      .thenThrows('INVALID_TRACER_UNITS', { field: 'tracerUnits' });
  });

  it.each([
    ['tracerUnits', 0, 'INVALID_TRACER_UNITS'],
    ['tracerUnits', Number.NaN, 'INVALID_TRACER_UNITS'],
    ['delayMinutes', -5, 'INVALID_DELAY'],
    ['delayMinutes', 12.5, 'INVALID_DELAY'],
    ['isPet', 'yes', 'INVALID_FLAG'],
    ['procedureCode', '', 'FIELD_REQUIRED'],
  ])('refuses %s %p', (field, value, code) => {
    spec
      .given([])
      .when({ ...define, [field]: value })
      .thenThrows(code, { field });
  });

  it('needs an active endpoint and an active tracer', () => {
    spec
      .given([])
      .when({ ...define, refs: { endpoint: archivedHerlevPet, tracer: activeFdg } })
      .thenThrows('DELIVERY_ENDPOINT_ARCHIVED');
    spec
      .given([])
      .when({ ...define, refs: { endpoint: activeHerlevPet, tracer: absent } })
      .thenThrows('TRACER_NOT_FOUND', { field: 'tracerId' });
    spec
      .given([])
      .when({ ...define, refs: { endpoint: activeHerlevPet, tracer: archivedFdg } })
      .thenThrows('TRACER_ARCHIVED');
  });
});
