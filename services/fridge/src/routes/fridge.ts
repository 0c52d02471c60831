import {
  AddFridgeItemBody,
  ConsumeFridgeItemBody,
  DiscardFridgeItemBody,
  FridgeItem,
  FridgeView,
} from '@packytrace/contracts';
import { requireAccount, type ServiceApp } from '@packytrace/service-kit';
import Type from 'typebox';
import type { PassportClient } from '../clients/passport';
import type { Fridge } from '../fridge';
import { replayed, runCommand, type CommandDeps } from './command';

export interface FridgeRoutesDeps extends CommandDeps {
  fridge: Fridge;
  passport: PassportClient;
}

const tags = ['fridge'];
const ItemParams = Type.Object({ itemId: Type.String({ format: 'uuid' }) });
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});

/** GET /api/v1/fridge and the bookings on its items (docs/API.md). */
export function fridgeRoutes(deps: FridgeRoutesDeps) {
  return async (app: ServiceApp) => {
    app.get('/api/v1/fridge', { schema: { tags, response: { 200: FridgeView } } }, async (request) =>
      deps.fridge.view(requireAccount(request)),
    );

    app.post(
      '/api/v1/fridge/items',
      {
        schema: { tags, body: AddFridgeItemBody, headers: IdempotencyHeaders, response: { 201: FridgeItem } },
      },
      async (request, reply) => {
        const accountId = requireAccount(request);
        if (await replayed(deps, request, reply)) return reply;
        // Name, brand, GTIN, batch and expiry come from Passport's snapshot, never from the client.
        const snapshot = await deps.passport.scanSnapshot(accountId, request.body.scanId, request.id);
        return runCommand(deps, request, reply, 201, (tx) =>
          deps.fridge.add(tx, accountId, snapshot, request.body.quantity ?? 1),
        );
      },
    );

    app.post(
      '/api/v1/fridge/items/:itemId/consume',
      {
        schema: {
          tags,
          params: ItemParams,
          body: ConsumeFridgeItemBody,
          headers: IdempotencyHeaders,
          response: { 200: FridgeItem },
        },
        // `{quantity?}` may be left out entirely: a POST without a body consumes one unit.
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request, reply) => {
        const accountId = requireAccount(request);
        const quantity = request.body.quantity ?? 1;
        return runCommand(deps, request, reply, 200, (tx) =>
          deps.fridge.consume(tx, accountId, request.params.itemId, quantity),
        );
      },
    );

    app.post(
      '/api/v1/fridge/items/:itemId/discard',
      {
        schema: {
          tags,
          params: ItemParams,
          body: DiscardFridgeItemBody,
          headers: IdempotencyHeaders,
          response: { 200: FridgeItem },
        },
      },
      async (request, reply) => {
        const accountId = requireAccount(request);
        return runCommand(deps, request, reply, 200, (tx) =>
          deps.fridge.discard(tx, accountId, request.params.itemId, request.body.reason),
        );
      },
    );

    app.post(
      '/api/v1/fridge/items/:itemId/open',
      { schema: { tags, params: ItemParams, headers: IdempotencyHeaders, response: { 200: FridgeItem } } },
      async (request, reply) => {
        const accountId = requireAccount(request);
        return runCommand(deps, request, reply, 200, (tx) =>
          deps.fridge.open(tx, accountId, request.params.itemId),
        );
      },
    );
  };
}
