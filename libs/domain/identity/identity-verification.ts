import { ruleViolated } from '../kernel';
import { requireId, requireOneOf, requireText } from '../catalog/field-validation';

/**
 * How a person's identity was checked before an account was issued to them (Part 11 §11.100:
 * "identity verification at account creation is recorded"). A controlled list, versioned like the
 * event schemas: a method is added, never renamed or removed, so every stored registration keeps
 * its meaning.
 *
 * - `photo-id-in-person`: an official photo identity document, seen with the person present;
 * - `photo-id-video-call`: the same document, shown by the person on a video call;
 * - `employer-record`: matched against the employer's HR record of the person;
 * - `customer-organisation`: confirmed in writing by the customer organisation the person works for;
 * - `deployment-setup`: an account the deployment makes for itself: the first administrator, from
 *   its setup credential (`INITIAL_ADMIN_*` or the setup token), and `seed-demo`'s demo people.
 *   Nobody's identity is checked then; the record says so rather than claim a check. People are
 *   registered with one of the other methods.
 */
export const identityVerificationMethods = [
  'photo-id-in-person',
  'photo-id-video-call',
  'employer-record',
  'customer-organisation',
  'deployment-setup',
] as const;
export type IdentityVerificationMethod = (typeof identityVerificationMethods)[number];

/** The methods a person registering another person may name (the API and the cli's `user create`). */
export const personIdentityVerificationMethods = identityVerificationMethods.filter(
  (method) => method !== 'deployment-setup',
) as Exclude<IdentityVerificationMethod, 'deployment-setup'>[];

/** Version of the list above; raise it when a method is added. */
export const IDENTITY_VERIFICATION_METHODS_VERSION = 1;

/** Enough for "passport, last digits 4711, seen by A. Jensen" or an HR record number; not a copy of the document. */
export const IDENTITY_VERIFICATION_REFERENCE_MAX = 200;

export interface IdentityVerification {
  method: IdentityVerificationMethod;
  /** What was checked: the document kind and a partial number, the HR record, the customer's letter. */
  reference: string;
  /** Who checked it: the registering actor's id, which the handler takes from the session, never from the request. */
  verifiedBy: string;
}

export function requireIdentityVerification(value: unknown): IdentityVerification {
  if (typeof value !== 'object' || value === null) {
    throw ruleViolated('IDENTITY_VERIFICATION_REQUIRED', 'How the person’s identity was verified is required', {
      field: 'identityVerification',
      methods: identityVerificationMethods,
    });
  }
  const given = value as Partial<IdentityVerification>;
  return {
    method: requireOneOf(
      given.method,
      identityVerificationMethods,
      'identityVerification.method',
      'INVALID_IDENTITY_VERIFICATION_METHOD',
    ),
    reference: requireText(given.reference, 'identityVerification.reference', IDENTITY_VERIFICATION_REFERENCE_MAX),
    verifiedBy: requireId(given.verifiedBy, 'identityVerification.verifiedBy'),
  };
}
