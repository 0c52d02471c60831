import Type, { type TObject, type TProperties } from 'typebox';
// Registers the fast `uuid` and `date-time` checks before any schema is compiled.
import './formats';

export { isDateTime, isUuid } from './formats';

export const Uuid = Type.String({ format: 'uuid' });
export const Timestamp = Type.String({ format: 'date-time' });
export const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
export const Gtin14 = Type.String({ pattern: '^\\d{14}$' });

/**
 * Every event is one JSON object with `eventId`, `type` and `occurredAt` (docs/API.md, Kafka topics).
 * Schemas are closed (no additional properties) so a consumer never receives a field it did not agree to.
 */
export function eventSchema<Name extends string, Props extends TProperties>(
  type: Name,
  properties: Props,
): TObject<
  { eventId: typeof Uuid; type: ReturnType<typeof Type.Literal<Name>>; occurredAt: typeof Timestamp } & Props
> {
  return Type.Object(
    { eventId: Uuid, type: Type.Literal(type), occurredAt: Timestamp, ...properties },
    { additionalProperties: false, $id: type },
  ) as never;
}
