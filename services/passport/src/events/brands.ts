import { Topics, type EventOf } from '@packytrace/contracts';
import { applyOnce, withTransaction, type Pool } from '@packytrace/service-kit';
import type { BrandRepository } from '../db/brands';

/** identity.brands.v1: BrandRegistered feeds the local projection of Brands' GS1 company prefixes. */
export function brandEventHandler(pool: Pool, brands: BrandRepository) {
  return async (event: EventOf<typeof Topics.brands>): Promise<void> => {
    if (event.type !== 'BrandRegistered') return;
    await withTransaction(pool, (client) =>
      applyOnce(client, event.eventId, Topics.brands, () =>
        brands.register(client, {
          brandId: event.brandId,
          name: event.name,
          gs1CompanyPrefixes: event.gs1CompanyPrefixes,
        }),
      ),
    );
  };
}
