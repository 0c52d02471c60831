import { randomUUID } from 'node:crypto';
import {
  BrandProductInput,
  BrandProductList,
  Gs1ProblemDetails,
  GtinParam,
  Passport,
  ProblemDetails,
  Recall,
  RecallRequest,
  Topics,
  type ProductPublished,
  type ProductRecalled,
} from '@packytrace/contracts';
import { firstInvalidCharacter } from '@packytrace/gs1';
import {
  badRequest,
  enqueueEvent,
  forbidden,
  newEvent,
  notFound,
  Problem,
  requireBrand,
  withTransaction,
  type Pool,
  type ServiceApp,
} from '@packytrace/service-kit';
import type { BrandRepository, BrandScope } from '../db/brands';
import type { ProductRepository } from '../db/products';
import { gtinInScope } from '../domain/brand-scope';
import { brandSummaryOf, passportOf, productFromBrandInput } from '../domain/product';
import { gtin14From } from './gs1-problems';

export interface BrandRouteDeps {
  pool: Pool;
  products: ProductRepository;
  brands: BrandRepository;
}

/** The caller's Brand (X-Brand-Id from the gateway) and its GS1 prefixes; 403 unless the GTIN is one of its own. */
async function brandOwning(deps: BrandRouteDeps, brandId: string, gtin: string): Promise<BrandScope> {
  const brand = await deps.brands.find(brandId);
  if (!brand)
    throw new Problem(
      503,
      'brand_not_in_catalog',
      'Service unavailable',
      'Your Brand is not known to the catalog yet; try again shortly.',
    );
  if (!gtinInScope(gtin, brand.gs1CompanyPrefixes)) {
    throw forbidden(
      'outside_brand_scope',
      `GTIN ${gtin} does not start with one of your Brand's GS1 company prefixes.`,
    );
  }
  return brand;
}

/** Brand self-service: list, publish or update passports, and recall products or batches. */
export function brandProductRoutes(deps: BrandRouteDeps) {
  return async (app: ServiceApp) => {
    app.get(
      '/api/v1/brand/products',
      { schema: { tags: ['brand'], response: { 200: BrandProductList, 403: ProblemDetails } } },
      async (request) => {
        const brandId = requireBrand(request);
        return { items: (await deps.products.listByBrand(brandId)).map(brandSummaryOf) };
      },
    );

    app.put(
      '/api/v1/brand/products/:gtin',
      {
        schema: {
          tags: ['brand'],
          params: GtinParam,
          body: BrandProductInput,
          response: { 200: Passport, 201: Passport, 400: Gs1ProblemDetails, 403: ProblemDetails },
        },
      },
      async (request, reply) => {
        const gtin = gtin14From(request.params.gtin);
        const brand = await brandOwning(deps, requireBrand(request), gtin);
        const product = productFromBrandInput(gtin, brand, request.body);
        const created = await withTransaction(deps.pool, async (client) => {
          const isNew = await deps.products.upsert(client, product);
          const event = newEvent<ProductPublished>({
            type: 'ProductPublished',
            gtin,
            brandId: brand.brandId,
            name: product.name,
            ...(product.category ? { category: product.category } : {}),
          });
          await enqueueEvent(client, Topics.products, event, gtin);
          return isNew;
        });
        deps.products.forget(gtin);
        const found = await deps.products.find(gtin);
        return reply.status(created ? 201 : 200).send(passportOf(found!.product, found!.recalls));
      },
    );

    app.post(
      '/api/v1/brand/products/:gtin/recalls',
      {
        schema: {
          tags: ['brand'],
          params: GtinParam,
          body: RecallRequest,
          response: { 201: Recall, 400: Gs1ProblemDetails, 403: ProblemDetails, 404: ProblemDetails },
        },
      },
      async (request, reply) => {
        const gtin = gtin14From(request.params.gtin);
        if (request.body.batch !== undefined) checkBatch(request.body.batch);
        const brand = await brandOwning(deps, requireBrand(request), gtin);
        const found = await deps.products.find(gtin);
        if (!found || found.product.brandId !== brand.brandId) {
          throw notFound('product_not_found', `Your Brand has no product with GTIN ${gtin}.`);
        }
        const recall: Recall = {
          recallId: randomUUID(),
          gtin,
          ...(request.body.batch !== undefined ? { batch: request.body.batch } : {}),
          reason: request.body.reason,
          recalledAt: new Date().toISOString(),
        };
        await withTransaction(deps.pool, async (client) => {
          await deps.products.addRecall(client, { ...recall, brandId: brand.brandId });
          const event = newEvent<ProductRecalled>({
            type: 'ProductRecalled',
            recallId: recall.recallId,
            gtin,
            brandId: brand.brandId,
            ...(recall.batch !== undefined ? { batch: recall.batch } : {}),
            reason: recall.reason,
          });
          await enqueueEvent(client, Topics.products, event, gtin);
        });
        deps.products.forget(gtin);
        return reply.status(201).send(recall);
      },
    );
  };
}

/**
 * A recalled batch must be one a barcode can carry (AI 10: GS1 character set 82, no spaces), or it
 * would match no scanned item: the Brand would believe it recalled a batch nobody's fridge shows.
 */
function checkBatch(batch: string): void {
  const position = firstInvalidCharacter(batch, 'X');
  if (position < 0) return;
  throw badRequest(
    'invalid_batch',
    `A batch number holds only what a GS1 barcode can carry (AI 10: letters, digits and !"%&'()*+,-./:;<=>?_, no spaces); character ${position + 1} is not one.`,
    { position },
  );
}
