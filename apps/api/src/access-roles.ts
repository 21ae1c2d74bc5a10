import { ROLES, type Role } from '@tracershop/auth';

/** Who may call what, named once so every controller reads the same lists. */
export const EVERY_ROLE: Role[] = [...ROLES];
export const PEOPLE: Role[] = ['admin', 'production', 'releaser', 'shop-admin', 'shop', 'location-owner', 'auditor'];
export const CATALOG_EDITORS: Role[] = ['admin', 'production'];
export const IDENTITY_ADMINS: Role[] = ['admin'];
export const IDENTITY_READERS: Role[] = ['admin', 'auditor'];
/** The record itself, event by event (`/audit/streams`). */
export const AUDITORS: Role[] = ['admin', 'auditor'];
/**
 * Who signs a record's audit trail review: a releaser (the pharmacy's QA), and only of records they
 * took no part in (the decider checks). Auditors only read: they never call a write endpoint.
 */
export const AUDIT_TRAIL_REVIEWERS: Role[] = ['releaser'];
/** Incidents the worker raised (Annex 11 §13): who reads them, and who closes them with a root cause. */
export const INCIDENT_READERS: Role[] = ['admin', 'production', 'releaser', 'auditor'];
export const INCIDENT_HANDLERS: Role[] = ['admin', 'releaser'];
/** Shop admins give people access to their customers (and take it back); administrators to any. */
export const CUSTOMER_ACCESS_GRANTORS: Role[] = ['admin', 'shop-admin'];
export const CUSTOMER_ACCESS_READERS: Role[] = ['admin', 'shop-admin', 'auditor'];
export const CATALOG_READERS: Role[] = EVERY_ROLE;
/** Shop members (and shop admins) order for their own customers; production orders on anyone's behalf. */
export const ORDER_PLACERS: Role[] = ['admin', 'production', 'shop-admin', 'shop'];
/** Accept, reject, move, restore, reinstate: production's handling of orders. */
export const ORDER_HANDLERS: Role[] = ['admin', 'production'];
/** Who may ask to sign a release or a correction; the signature step checks the release right. */
export const RELEASE_SIGNERS: Role[] = ['admin', 'production', 'releaser'];
/** Shop members and applications read only their customers' orders. */
export const ORDER_READERS: Role[] = [
  'admin',
  'production',
  'releaser',
  'shop-admin',
  'shop',
  'auditor',
  'application',
];
/** The dispenser integration (an API token) and production record vials. */
export const VIAL_WRITERS: Role[] = ['admin', 'production', 'application'];
export const VIAL_READERS: Role[] = ['admin', 'production', 'releaser', 'auditor'];
/** The reconciliation report of the old system's captured changes. */
export const LEGACY_SYNC_READERS: Role[] = ['admin', 'production', 'auditor'];
/** Who closes a rejected or unsupported captured change on that report, with a reason. */
export const LEGACY_SYNC_RECONCILERS: Role[] = ['admin', 'production'];
