import Type, { type Static } from 'typebox';
import { eventSchema, Gtin14, Uuid } from './envelope';

/**
 * Fridge facts for the Measurement Pipeline: the GTIN and Brand it counts, the account only so that a
 * withdrawn `analytics` consent can take it out of aggregates. No names, batches or item details.
 */
const fridgeFact = {
  accountId: Uuid,
  gtin: Gtin14,
  brandId: Type.Union([Uuid, Type.Null()]),
  quantity: Type.Number({ exclusiveMinimum: 0 }),
};

export const ItemAddedToFridge = eventSchema('ItemAddedToFridge', fridgeFact);
export type ItemAddedToFridge = Static<typeof ItemAddedToFridge>;
export const ItemConsumed = eventSchema('ItemConsumed', fridgeFact);
export type ItemConsumed = Static<typeof ItemConsumed>;
export const ItemDiscarded = eventSchema('ItemDiscarded', {
  ...fridgeFact,
  reason: Type.Union([Type.Literal('expired'), Type.Literal('spoiled'), Type.Literal('other')]),
});
export type ItemDiscarded = Static<typeof ItemDiscarded>;
