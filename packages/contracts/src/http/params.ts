import Type from 'typebox';

/**
 * A UUID in a path or query, 8-4-4-4-12 hexadecimal digits (RFC 9562), as PostgreSQL's `uuid` reads
 * it. Not `format: 'uuid'`: Fastify validates with Ajv, whose `uuid` format (ajv-formats) also takes a
 * `urn:uuid:` prefix, which PostgreSQL refuses (SQLSTATE 22P02), so the request failed as a 500.
 */
export const UuidParam = Type.String({
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
});
