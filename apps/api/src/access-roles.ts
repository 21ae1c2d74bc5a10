import type { Role } from '@tracershop/auth';

/** Who may call what, named once so every controller reads the same lists. */
export const EVERY_ROLE: Role[] = [
  'admin',
  'production',
  'releaser',
  'shop',
  'location-owner',
  'auditor',
  'application',
];
export const PEOPLE: Role[] = ['admin', 'production', 'releaser', 'shop', 'location-owner', 'auditor'];
export const CATALOG_EDITORS: Role[] = ['admin', 'production'];
export const IDENTITY_ADMINS: Role[] = ['admin'];
export const IDENTITY_READERS: Role[] = ['admin', 'auditor'];
export const CATALOG_READERS: Role[] = EVERY_ROLE;
