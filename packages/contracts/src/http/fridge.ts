import Type, { type Static } from 'typebox';

const Uuid = Type.String({ format: 'uuid' });
const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const Gtin14 = Type.String({ pattern: '^\\d{14}$' });

/** Use-by is a safety limit, best-before a quality one (Regulation (EU) No 1169/2011, Art. 24 and Annex X). */
export const ExpiryKind = Type.Union([Type.Literal('use_by'), Type.Literal('best_before')]);
export type ExpiryKind = Static<typeof ExpiryKind>;

/** `code`: the date printed in the scanned code (GS1 AI 17 or 15); `shelf_life`: scan date + typical shelf life. */
export const ExpirySource = Type.Union([Type.Literal('code'), Type.Literal('shelf_life')]);
export type ExpirySource = Static<typeof ExpirySource>;

export const FridgeItemStatus = Type.Union([
  Type.Literal('in_fridge'),
  Type.Literal('consumed'),
  Type.Literal('discarded'),
]);
export type FridgeItemStatus = Static<typeof FridgeItemStatus>;

export const DiscardReason = Type.Union([
  Type.Literal('expired'),
  Type.Literal('spoiled'),
  Type.Literal('other'),
]);
export type DiscardReason = Static<typeof DiscardReason>;

export const FridgeRecallFlag = Type.Object({ reason: Type.String(), batch: Type.Optional(Type.String()) });

/** One item in the fridge, as folded from its history. */
export const FridgeItem = Type.Object({
  itemId: Uuid,
  scanId: Uuid,
  gtin: Gtin14,
  name: Type.String(),
  brand: Type.Object({ id: Type.Union([Type.String(), Type.Null()]), name: Type.String() }),
  batch: Type.Optional(Type.String()),
  expiry: IsoDate,
  expiryKind: ExpiryKind,
  expirySource: ExpirySource,
  quantity: Type.Integer({ minimum: 1 }),
  remaining: Type.Integer({ minimum: 0 }),
  status: FridgeItemStatus,
  openedAt: Type.Optional(Type.String()),
  recalled: Type.Union([FridgeRecallFlag, Type.Null()]),
  addedAt: Type.String(),
});
export type FridgeItem = Static<typeof FridgeItem>;

/** GET /api/v1/fridge: items in the fridge, recalled first, then earliest expiry. */
export const FridgeView = Type.Object({
  items: Type.Array(FridgeItem),
  expiringSoon: Type.Array(FridgeItem),
});
export type FridgeView = Static<typeof FridgeView>;

const Quantity = Type.Integer({ minimum: 1, maximum: 10_000 });

export const AddFridgeItemBody = Type.Object(
  { scanId: Uuid, quantity: Type.Optional(Quantity) },
  { additionalProperties: false },
);
export type AddFridgeItemBody = Static<typeof AddFridgeItemBody>;

export const ConsumeFridgeItemBody = Type.Object(
  { quantity: Type.Optional(Quantity) },
  { additionalProperties: false },
);
export type ConsumeFridgeItemBody = Static<typeof ConsumeFridgeItemBody>;

export const DiscardFridgeItemBody = Type.Object({ reason: DiscardReason }, { additionalProperties: false });
export type DiscardFridgeItemBody = Static<typeof DiscardFridgeItemBody>;

/** The history's event types; BookingUndone compensates an earlier consume, discard or open. */
export const FridgeHistoryEventType = Type.Union([
  Type.Literal('ItemAdded'),
  Type.Literal('ItemConsumed'),
  Type.Literal('ItemDiscarded'),
  Type.Literal('ItemOpened'),
  Type.Literal('ItemRecalled'),
  Type.Literal('BookingUndone'),
]);
export type FridgeHistoryEventType = Static<typeof FridgeHistoryEventType>;

/** One entry of the append-only history; the fields beyond the first five depend on `type`. */
export const FridgeHistoryEntry = Type.Object({
  eventId: Uuid,
  itemId: Uuid,
  seq: Type.Integer({ minimum: 1 }),
  type: FridgeHistoryEventType,
  occurredAt: Type.String(),
  /** ItemAdded: what was put in the fridge. */
  item: Type.Optional(
    Type.Object({
      scanId: Uuid,
      gtin: Gtin14,
      name: Type.String(),
      brand: Type.Object({ id: Type.Union([Type.String(), Type.Null()]), name: Type.String() }),
      batch: Type.Optional(Type.String()),
      expiry: IsoDate,
      expiryKind: ExpiryKind,
      expirySource: ExpirySource,
      quantity: Type.Integer(),
    }),
  ),
  /** ItemConsumed, ItemDiscarded, BookingUndone of either. */
  quantity: Type.Optional(Type.Integer()),
  /** ItemDiscarded (expired | spoiled | other) or ItemRecalled (the Brand's reason). */
  reason: Type.Optional(Type.String()),
  /** ItemRecalled with a batch. */
  batch: Type.Optional(Type.String()),
  /** BookingUndone: the event it compensates. */
  undoneEventId: Type.Optional(Uuid),
});
export type FridgeHistoryEntry = Static<typeof FridgeHistoryEntry>;

export const FridgeHistoryPage = Type.Object({
  events: Type.Array(FridgeHistoryEntry),
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export type FridgeHistoryPage = Static<typeof FridgeHistoryPage>;
