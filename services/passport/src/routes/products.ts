import {
  Gs1ProblemDetails,
  GtinParam,
  Passport,
  ProblemDetails,
  ProductList,
  ProductSearchQuery,
} from '@packytrace/contracts';
import { notFound, type ServiceApp } from '@packytrace/service-kit';
import type { ProductRepository } from '../db/products';
import { passportOf, summaryOf } from '../domain/product';
import { gtin14From } from './gs1-problems';

/** The public catalog: search and passports (GET /api/v1/products, /api/v1/products/{gtin}); records no scan. */
export function productRoutes(products: ProductRepository) {
  return async (app: ServiceApp) => {
    app.get(
      '/api/v1/products',
      { schema: { tags: ['products'], querystring: ProductSearchQuery, response: { 200: ProductList } } },
      async (request) => {
        const found = await products.search(request.query.q, Number(request.query.limit ?? 20));
        return { items: found.map(summaryOf) };
      },
    );

    app.get(
      '/api/v1/products/:gtin',
      {
        schema: {
          tags: ['products'],
          params: GtinParam,
          response: { 200: Passport, 400: Gs1ProblemDetails, 404: ProblemDetails },
        },
      },
      async (request) => {
        const gtin = gtin14From(request.params.gtin);
        const found = await products.find(gtin);
        if (!found) throw notFound('product_not_found', `No product with GTIN ${gtin} in the catalog.`);
        return passportOf(found.product, found.recalls);
      },
    );
  };
}
