import { fold } from '../kernel';
import { specFor } from '../kernel/decider-spec';
import { at, herlevRegistered, thrownBy } from './catalog-examples';
import {
  customerDecider,
  customerNameClaims,
  customerStreamName,
  type CustomerArchived,
  type CustomerCommand,
  type RegisterCustomer,
  type UpdateCustomer,
} from './customer';
import { nameClaimChanges } from './name-claim';

const spec = specFor(customerDecider);
/** Why a change is made: every change of catalogue values says it (GMP, Annex 11 §9). */
const changeReason = 'Corrected after review';
const { customerId: _customerId, ...herlev } = herlevRegistered.data;
const registerHerlev: RegisterCustomer = { type: 'RegisterCustomer', customerId: 'cust-herlev', ...herlev, at };
const herlevArchived: CustomerArchived = {
  type: 'CustomerArchived',
  data: { customerId: 'cust-herlev', reason: 'Contract ended' },
};

describe('Customer', () => {
  it('lives in the stream catalog.customer-<id>', () => {
    expect(customerStreamName('cust-herlev')).toBe('catalog.customer-cust-herlev');
  });

  describe('RegisterCustomer', () => {
    it('registers a customer with dispenser number, overhead, contact and billing address', () => {
      spec.given([]).when(registerHerlev).then([herlevRegistered]);
    });

    it('stores omitted or blank optional fields as null and no e-mails as []', () => {
      spec
        .given([])
        .when({
          type: 'RegisterCustomer',
          customerId: 'cust-qc',
          shortName: 'qc',
          longName: 'Quality control',
          dispenserNumber: 99,
          overheadPercent: 0,
          contactPerson: '  ',
          legacyId: 2002,
          at,
        })
        .then([
          {
            type: 'CustomerRegistered',
            data: {
              customerId: 'cust-qc',
              shortName: 'qc',
              longName: 'Quality control',
              dispenserNumber: 99,
              overheadPercent: 0,
              contactPerson: null,
              emails: [],
              phone: null,
              billingAddress: null,
              billingCity: null,
              billingZip: null,
              legacy: null,
              legacyId: 2002,
            },
          },
        ]);
    });

    it('keeps legacy Users attributes for the legacy projection', () => {
      const legacy = {
        title: 'Klinisk Fysiologisk Afdeling',
        labelName: 'HER',
        addressLine3: null,
        addressLine4: null,
      };
      spec
        .given([])
        .when({ ...registerHerlev, legacy })
        .then([{ type: 'CustomerRegistered', data: { ...herlevRegistered.data, legacy } }]);
    });

    it.each([0, -2, 2.5])('rejects the dispenser number %p', (dispenserNumber) => {
      spec
        .given([])
        .when({ ...registerHerlev, dispenserNumber })
        .thenThrows('INVALID_DISPENSER_NUMBER', { field: 'dispenserNumber' });
    });

    it('accepts the dispenser numbers 1 to 99, and those the old system gave, such as its test customer 1015', () => {
      for (const dispenserNumber of [1, 99, 1015]) {
        spec
          .given([])
          .when({ ...registerHerlev, dispenserNumber })
          .then([{ type: 'CustomerRegistered', data: { ...herlevRegistered.data, dispenserNumber } }]);
      }
    });

    it.each([-1, 1001, 12.5])('rejects the overhead percent %p', (overheadPercent) => {
      spec
        .given([])
        .when({ ...registerHerlev, overheadPercent })
        .thenThrows('INVALID_OVERHEAD_PERCENT', { field: 'overheadPercent', min: 0, max: 1000 });
    });

    it('accepts the overhead bounds 0 and 1000', () => {
      for (const overheadPercent of [0, 1000]) {
        spec
          .given([])
          .when({ ...registerHerlev, overheadPercent })
          .then([{ type: 'CustomerRegistered', data: { ...herlevRegistered.data, overheadPercent } }]);
      }
    });

    it('rejects an e-mail address without a domain', () => {
      spec
        .given([])
        .when({ ...registerHerlev, emails: ['pet@herlev'] })
        .thenThrows('INVALID_EMAIL', { field: 'emails' });
    });

    it('accepts at most four e-mail addresses, as the legacy table has four columns', () => {
      spec
        .given([])
        .when({ ...registerHerlev, emails: ['a@x.dk', 'b@x.dk', 'c@x.dk', 'd@x.dk', 'e@x.dk'] })
        .thenThrows('TOO_MANY_EMAILS', { field: 'emails', maxCount: 4 });
    });

    it('rejects a phone number with letters', () => {
      spec
        .given([])
        .when({ ...registerHerlev, phone: 'call Anne' })
        .thenThrows('INVALID_PHONE', { field: 'phone' });
    });

    it('limits the short name to the legacy column width', () => {
      spec
        .given([])
        .when({ ...registerHerlev, shortName: 'h'.repeat(31) })
        .thenThrows('FIELD_TOO_LONG', { field: 'shortName', maxLength: 30 });
    });

    it('requires a long name', () => {
      spec
        .given([])
        .when({ ...registerHerlev, longName: '' })
        .thenThrows('FIELD_REQUIRED', { field: 'longName' });
    });

    it('is idempotent: registering the same customer again changes nothing', () => {
      spec.given([herlevRegistered]).when(registerHerlev).thenNothing();
    });

    it('carries its legacy id (Users.Id) and keeps it for life', () => {
      expect(fold(customerDecider, [herlevRegistered])).toMatchObject({ legacyId: 1004 });
      spec
        .given([herlevRegistered])
        .when({ ...registerHerlev, legacyId: 3000 })
        .thenNothing();
      spec
        .given([])
        .when({ ...registerHerlev, legacyId: 2_147_483_648 })
        .thenThrows('INVALID_LEGACY_ID', { field: 'legacyId' });
    });

    it('refuses a different customer under an existing id', () => {
      spec
        .given([herlevRegistered])
        .when({ ...registerHerlev, dispenserNumber: 3 })
        .thenThrows('ALREADY_EXISTS');
    });
  });

  describe('UpdateCustomer', () => {
    const update = (changes: UpdateCustomer['changes']): UpdateCustomer => ({
      type: 'UpdateCustomer',
      customerId: 'cust-herlev',
      changes,
      reason: changeReason,
      at,
    });

    it('refuses a change without a reason (GMP: Annex 11 §9): 422 FIELD_REQUIRED, nothing recorded', () => {
      for (const reason of [undefined, '', '   ']) {
        spec
          .given([herlevRegistered])
          .when({ ...update({ overheadPercent: 20 }), reason })
          .thenThrows('FIELD_REQUIRED', { field: 'reason' });
      }
    });

    it('needs no reason for an update that changes nothing', () => {
      spec
        .given([herlevRegistered])
        .when({ ...update({ overheadPercent: 15 }), reason: undefined })
        .thenNothing();
    });

    it('records the old and new dispenser number and overhead', () => {
      spec
        .given([herlevRegistered])
        .when(update({ dispenserNumber: 12, overheadPercent: 20, longName: 'Herlev Hospital' }))
        .then([
          {
            type: 'CustomerUpdated',
            data: {
              reason: changeReason,
              customerId: 'cust-herlev',
              changes: { dispenserNumber: { from: 2, to: 12 }, overheadPercent: { from: 15, to: 20 } },
            },
          },
        ]);
    });

    it('clears an optional field with null and replaces the e-mail list as a whole', () => {
      spec
        .given([herlevRegistered])
        .when(update({ phone: null, emails: ['pet@herlev.example', 'fys@herlev.example'] }))
        .then([
          {
            type: 'CustomerUpdated',
            data: {
              reason: changeReason,
              customerId: 'cust-herlev',
              changes: {
                phone: { from: '+45 38 68 00 00', to: null },
                emails: { from: ['pet@herlev.example'], to: ['pet@herlev.example', 'fys@herlev.example'] },
              },
            },
          },
        ]);
    });

    it('changes nothing when the values are the same', () => {
      spec
        .given([herlevRegistered])
        .when(update({ emails: ['pet@herlev.example'], billingZip: '2730' }))
        .thenNothing();
    });

    it('validates changed fields', () => {
      spec
        .given([herlevRegistered])
        .when(update({ overheadPercent: 2000 }))
        .thenThrows('INVALID_OVERHEAD_PERCENT');
    });

    it('fails for a customer that does not exist', () => {
      spec
        .given([])
        .when(update({ overheadPercent: 1 }))
        .thenThrows('CUSTOMER_NOT_FOUND');
    });

    it('fails for an archived customer', () => {
      spec
        .given([herlevRegistered, herlevArchived])
        .when(update({ overheadPercent: 1 }))
        .thenThrows('CUSTOMER_ARCHIVED');
      const archived = fold(customerDecider, [herlevRegistered, herlevArchived]);
      expect(thrownBy(() => customerDecider.decide(update({}), archived)).kind).toBe('rule_violated');
    });
  });

  describe('ArchiveCustomer and RestoreCustomer', () => {
    const archive: CustomerCommand = {
      type: 'ArchiveCustomer',
      customerId: 'cust-herlev',
      reason: 'Contract ended',
      at,
    };
    const restore: CustomerCommand = {
      type: 'RestoreCustomer',
      customerId: 'cust-herlev',
      reason: 'Contract renewed',
      at,
    };

    it('archives with a reason', () => {
      spec.given([herlevRegistered]).when(archive).then([herlevArchived]);
    });

    it('archiving twice changes nothing', () => {
      spec.given([herlevRegistered, herlevArchived]).when(archive).thenNothing();
    });

    it('cannot archive what does not exist', () => {
      spec.given([]).when(archive).thenThrows('CUSTOMER_NOT_FOUND');
    });

    it('restores an archived customer', () => {
      spec
        .given([herlevRegistered, herlevArchived])
        .when(restore)
        .then([{ type: 'CustomerRestored', data: { customerId: 'cust-herlev', reason: 'Contract renewed' } }]);
    });

    it('restoring an active customer changes nothing', () => {
      spec.given([herlevRegistered]).when(restore).thenNothing();
    });
  });

  describe('name claims', () => {
    it('claims the short name and the dispenser number', () => {
      const before = fold(customerDecider, [herlevRegistered]);
      const after = fold(customerDecider, [
        herlevRegistered,
        {
          type: 'CustomerUpdated',
          data: { reason: changeReason, customerId: 'cust-herlev', changes: { dispenserNumber: { from: 2, to: 12 } } },
        },
      ]);
      expect(customerNameClaims(before)).toEqual([
        { kind: 'customerShortName', key: 'herlev' },
        { kind: 'customerDispenserNumber', key: '2' },
        { kind: 'legacyId', key: 'users:1004' },
      ]);
      expect(nameClaimChanges(customerNameClaims(before), customerNameClaims(after))).toEqual({
        claim: [{ kind: 'customerDispenserNumber', key: '12' }],
        release: [{ kind: 'customerDispenserNumber', key: '2' }],
      });
    });
  });
});
