import Type, { type Static } from 'typebox';
import { eventSchema, Uuid } from './envelope';

export const AccountRegistered = eventSchema('AccountRegistered', {
  accountId: Uuid,
  visitorId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
});
export type AccountRegistered = Static<typeof AccountRegistered>;

export const VisitorLinkedToAccount = eventSchema('VisitorLinkedToAccount', {
  accountId: Uuid,
  visitorId: Type.String({ minLength: 1, maxLength: 100 }),
});
export type VisitorLinkedToAccount = Static<typeof VisitorLinkedToAccount>;

export const ConsentPurpose = Type.String({ pattern: '^[a-z][a-z0-9_]{1,49}$' });

const consentFields = {
  accountId: Uuid,
  purpose: ConsentPurpose,
  policyVersion: Type.String({ minLength: 1, maxLength: 50 }),
  /**
   * Identity's sequence number of this decision: an account's later decisions have larger ones, so
   * a consumer can order a decision against the one it acted on without comparing clocks.
   */
  consentSeq: Type.Optional(Type.Integer({ minimum: 1 })),
};
export const ConsentGranted = eventSchema('ConsentGranted', consentFields);
export type ConsentGranted = Static<typeof ConsentGranted>;
export const ConsentWithdrawn = eventSchema('ConsentWithdrawn', consentFields);
export type ConsentWithdrawn = Static<typeof ConsentWithdrawn>;

export const Gs1CompanyPrefix = Type.String({ pattern: '^\\d{6,12}$' });

export const BrandRegistered = eventSchema('BrandRegistered', {
  brandId: Uuid,
  name: Type.String({ minLength: 1, maxLength: 200 }),
  gs1CompanyPrefixes: Type.Array(Gs1CompanyPrefix, { minItems: 1 }),
});
export type BrandRegistered = Static<typeof BrandRegistered>;

export const BrandUserAdded = eventSchema('BrandUserAdded', {
  brandId: Uuid,
  accountId: Uuid,
});
export type BrandUserAdded = Static<typeof BrandUserAdded>;
