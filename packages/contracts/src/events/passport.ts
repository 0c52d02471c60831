import Type, { type Static } from 'typebox';
import { eventSchema, Gtin14, IsoDate, Uuid } from './envelope';

/** Who scanned: a signed-in account, a pseudonymous visitor, or nobody known. */
export const ScanSubject = Type.Object(
  {
    kind: Type.Union([Type.Literal('account'), Type.Literal('visitor'), Type.Literal('anonymous')]),
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);

export const ProductScanned = eventSchema('ProductScanned', {
  scanId: Uuid,
  gtin: Gtin14,
  brandId: Type.Union([Uuid, Type.Null()]),
  batch: Type.Optional(Type.String({ maxLength: 20 })),
  expiry: Type.Optional(IsoDate),
  subject: ScanSubject,
  scannedAt: Type.String({ format: 'date-time' }),
});
export type ProductScanned = Static<typeof ProductScanned>;

export const ProductPublished = eventSchema('ProductPublished', {
  gtin: Gtin14,
  brandId: Uuid,
  name: Type.String({ minLength: 1, maxLength: 200 }),
  category: Type.Optional(Type.String({ maxLength: 100 })),
});
export type ProductPublished = Static<typeof ProductPublished>;

export const ProductRecalled = eventSchema('ProductRecalled', {
  recallId: Uuid,
  gtin: Gtin14,
  brandId: Uuid,
  batch: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
  reason: Type.String({ minLength: 1, maxLength: 1000 }),
});
export type ProductRecalled = Static<typeof ProductRecalled>;
