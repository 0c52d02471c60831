import Type, { type Static } from 'typebox';
import { ConsentPurpose, Gs1CompanyPrefix } from '../events/identity';

/** Identity service HTTP bodies (docs/API.md routes /api/v1/accounts, /me, /me/consents, /admin/*). */

export const RegisterAccountRequest = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 128 }),
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false, $id: 'RegisterAccountRequest' },
);
export type RegisterAccountRequest = Static<typeof RegisterAccountRequest>;

export const AccountCreated = Type.Object(
  { accountId: Type.String({ format: 'uuid' }), email: Type.String() },
  { $id: 'AccountCreated' },
);
export type AccountCreated = Static<typeof AccountCreated>;

export const Me = Type.Object(
  {
    accountId: Type.String({ format: 'uuid' }),
    email: Type.String(),
    displayName: Type.Union([Type.String(), Type.Null()]),
    roles: Type.Array(Type.String()),
    brandId: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { $id: 'Me' },
);
export type Me = Static<typeof Me>;

export const ConsentState = Type.Object({
  granted: Type.Boolean(),
  policyVersion: Type.Union([Type.String(), Type.Null()]),
  changedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type ConsentState = Static<typeof ConsentState>;

export const ConsentRecord = Type.Object({
  purpose: ConsentPurpose,
  granted: Type.Boolean(),
  policyVersion: Type.String(),
  changedAt: Type.String({ format: 'date-time' }),
  source: Type.String(),
});
export type ConsentRecord = Static<typeof ConsentRecord>;

export const ConsentsView = Type.Object(
  { consents: Type.Record(Type.String(), ConsentState), history: Type.Array(ConsentRecord) },
  { $id: 'ConsentsView' },
);
export type ConsentsView = Static<typeof ConsentsView>;

export const PutConsentRequest = Type.Object(
  { granted: Type.Boolean(), policyVersion: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })) },
  { additionalProperties: false, $id: 'PutConsentRequest' },
);
export type PutConsentRequest = Static<typeof PutConsentRequest>;

export const CreateBrandRequest = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    gs1CompanyPrefixes: Type.Array(Type.String({ maxLength: 20 }), { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false, $id: 'CreateBrandRequest' },
);
export type CreateBrandRequest = Static<typeof CreateBrandRequest>;

export const BrandCreated = Type.Object(
  { brandId: Type.String({ format: 'uuid' }) },
  { $id: 'BrandCreated' },
);

export const CreateBrandUserRequest = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 128 }),
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false, $id: 'CreateBrandUserRequest' },
);
export type CreateBrandUserRequest = Static<typeof CreateBrandUserRequest>;

export const BrandUserCreated = Type.Object(
  {
    accountId: Type.String({ format: 'uuid' }),
    email: Type.String(),
    brandId: Type.String({ format: 'uuid' }),
  },
  { $id: 'BrandUserCreated' },
);
export type BrandUserCreated = Static<typeof BrandUserCreated>;

/** Internal: GET /internal/accounts/{accountId}/consents/{purpose} (Personalization asks before storing a profile). */
export const InternalConsent = Type.Object({
  granted: Type.Boolean(),
  policyVersion: Type.Union([Type.String(), Type.Null()]),
  /** The sequence number of the decision this state comes from, as in ConsentGranted/Withdrawn.consentSeq. */
  seq: Type.Optional(Type.Integer({ minimum: 1 })),
});
export type InternalConsent = Static<typeof InternalConsent>;

/** Internal: GET /internal/accounts/{accountId}/brand (the gateway's Brand scope lookup). */
export const InternalAccountBrand = Type.Object({
  brandId: Type.String({ format: 'uuid' }),
  name: Type.String(),
  gs1CompanyPrefixes: Type.Array(Gs1CompanyPrefix),
});
export type InternalAccountBrand = Static<typeof InternalAccountBrand>;
