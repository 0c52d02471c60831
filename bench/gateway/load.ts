/**
 * The load generator, in its own process so it does not share an event loop with what it measures:
 * one autocannon run with the options given as JSON, its result printed as one JSON line.
 *   tsx bench/gateway/load.ts '{"url":"http://127.0.0.1:8080/api/v1/products","connections":50,"duration":5}'
 */
// @ts-expect-error autocannon ships no type declarations
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
const result = (await autocannon(options)) as Record<string, unknown>;
process.stdout.write(`${JSON.stringify(result)}\n`);
