import { FridgeHistoryPage, FridgeItem } from '@packytrace/contracts';
import { requireAccount, type ServiceApp } from '@packytrace/service-kit';
import Type from 'typebox';
import type { Fridge } from '../fridge';
import { runCommand, type CommandDeps } from './command';
import { IdempotencyHeaders } from './fridge';

const tags = ['fridge'];

/** Query strings are not coerced by the kit's validator, so the page size arrives as digits. */
const pageSize = (limit: string | undefined) => Math.min(500, Number(limit ?? 100));

/** The append-only history, oldest first, and undo by compensating event. */
export function historyRoutes(deps: CommandDeps & { fridge: Fridge }) {
  return async (app: ServiceApp) => {
    app.get(
      '/api/v1/fridge/history',
      {
        schema: {
          tags,
          querystring: Type.Object({
            cursor: Type.Optional(Type.String({ maxLength: 100 })),
            limit: Type.Optional(
              Type.String({ pattern: '^[1-9][0-9]{0,2}$', description: 'page size, 1 to 500 (default 100)' }),
            ),
          }),
          response: { 200: FridgeHistoryPage },
        },
      },
      async (request) =>
        deps.fridge.history(requireAccount(request), request.query.cursor, pageSize(request.query.limit)),
    );

    app.post(
      '/api/v1/fridge/history/:eventId/undo',
      {
        schema: {
          tags,
          params: Type.Object({ eventId: Type.String({ format: 'uuid' }) }),
          headers: IdempotencyHeaders,
          response: { 200: FridgeItem },
        },
      },
      async (request, reply) => {
        const accountId = requireAccount(request);
        return runCommand(deps, request, reply, 200, (tx) =>
          deps.fridge.undo(tx, accountId, request.params.eventId),
        );
      },
    );
  };
}
