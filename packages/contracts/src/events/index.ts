import { type Static, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Topics, type Topic } from '../topics';
import { ItemAddedToFridge, ItemConsumed, ItemDiscarded } from './fridge';
import {
  AccountRegistered,
  BrandRegistered,
  BrandUserAdded,
  ConsentGranted,
  ConsentWithdrawn,
  VisitorLinkedToAccount,
} from './identity';
import { BrandMetricBatchPublished } from './measurement';
import { ProductPublished, ProductRecalled, ProductScanned } from './passport';

export * from './envelope';
export * from './fridge';
export * from './identity';
export * from './measurement';
export * from './passport';

/** Which events each topic carries (docs/API.md, "Kafka topics"). */
export const topicEvents = {
  [Topics.productScanned]: [ProductScanned],
  [Topics.products]: [ProductPublished, ProductRecalled],
  [Topics.accounts]: [AccountRegistered, VisitorLinkedToAccount],
  [Topics.consents]: [ConsentGranted, ConsentWithdrawn],
  [Topics.brands]: [BrandRegistered, BrandUserAdded],
  [Topics.fridgeItems]: [ItemAddedToFridge, ItemConsumed, ItemDiscarded],
  [Topics.brandMetrics]: [BrandMetricBatchPublished],
} as const satisfies Record<Topic, readonly TSchema[]>;

type SchemasOf<T extends Topic> = (typeof topicEvents)[T][number];
/** The union of events a topic carries, e.g. `EventOf<'identity.consents.v1'>`. */
export type EventOf<T extends Topic> = Static<SchemasOf<T>>;

const validators = new Map(
  Object.entries(topicEvents).map(([topic, schemas]) => [
    topic,
    new Map(schemas.map((schema) => [String((schema as { $id?: string }).$id), Compile(schema as TSchema)])),
  ]),
);

export class InvalidEvent extends Error {
  constructor(
    readonly topic: string,
    readonly problems: string[],
  ) {
    super(`invalid event for ${topic}: ${problems.join('; ')}`);
    this.name = 'InvalidEvent';
  }
}

/**
 * Checks a value against the schemas of its topic, choosing by `type`. Used when producing and when
 * consuming, so a malformed event is stopped at both ends.
 */
export function checkEvent<T extends Topic>(topic: T, value: unknown): EventOf<T> {
  const byType = validators.get(topic);
  if (!byType) throw new InvalidEvent(topic, ['unknown topic']);
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  const validator = typeof type === 'string' ? byType.get(type) : undefined;
  if (!validator) throw new InvalidEvent(topic, [`unknown event type ${JSON.stringify(type)}`]);
  if (!validator.Check(value)) {
    const problems = [...validator.Errors(value)]
      .slice(0, 5)
      .map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new InvalidEvent(topic, problems);
  }
  return value as EventOf<T>;
}
