import Fastify, { type FastifyInstance } from 'fastify';

export interface FakePersonalization {
  url: string;
  calls: number;
  close(): Promise<void>;
}

/**
 * A stand-in for Personalization's POST /internal/verdicts: a verdict for accounts in `profiles`,
 * `no_profile` for others, after `delayMs` (a slow sibling).
 */
export async function fakePersonalization(
  options: { profiles?: Set<string>; delayMs?: number } = {},
): Promise<FakePersonalization> {
  const app: FastifyInstance = Fastify();
  const state = { calls: 0 };
  app.post('/internal/verdicts', async (request) => {
    state.calls += 1;
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    const { accountId, product } = request.body as { accountId: string; product: { allergens: string[] } };
    if (!options.profiles?.has(accountId)) return { status: 'no_profile', verdict: null };
    return {
      status: 'ok',
      verdict: {
        rating: product.allergens.length > 0 ? 'unsuitable' : 'suitable',
        reasons: product.allergens.map((a) => ({
          code: 'allergen_present',
          message: `Contains ${a}.`,
          facts: { allergen: a },
        })),
        ruleSetVersion: 'fake-1',
      },
    };
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    get calls() {
      return state.calls;
    },
    close: () => app.close(),
  };
}
