import { BrandMetricBatchPublished } from '@packytrace/contracts';
import { describe, expect, it } from 'vitest';

const INDIVIDUAL = /account|visitor|subject_?id|scan_?id|user|email/i;

interface Visited {
  path: string;
  schema: Record<string, unknown>;
}

/** Every sub-schema of a JSON schema, with its path (objects, arrays, unions). */
function walk(schema: Record<string, unknown>, path = '$'): Visited[] {
  const found: Visited[] = [{ path, schema }];
  const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
  for (const [name, child] of Object.entries(properties ?? {})) found.push(...walk(child, `${path}.${name}`));
  if (schema.items && typeof schema.items === 'object')
    found.push(...walk(schema.items as Record<string, unknown>, `${path}[]`));
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    for (const [i, child] of ((schema[key] as Record<string, unknown>[] | undefined) ?? []).entries())
      found.push(...walk(child, `${path}|${i}`));
  }
  return found;
}

describe('BrandMetricBatchPublished is closed and aggregate-only', () => {
  const nodes = walk(BrandMetricBatchPublished as unknown as Record<string, unknown>);

  it('forbids additional properties on every object', () => {
    const objects = nodes.filter((n) => n.schema.type === 'object');
    expect(objects.length).toBeGreaterThanOrEqual(4); // event, cell, totals, noise
    for (const { path, schema } of objects)
      expect({ path, additionalProperties: schema.additionalProperties }).toEqual({
        path,
        additionalProperties: false,
      });
  });

  it('has no property that could hold an account, visitor, subject, scan or user id', () => {
    const names = nodes.flatMap((n) => Object.keys((n.schema.properties as object | undefined) ?? {}));
    expect(names).toContain('distinctSubjects'); // a count, allowed: the pattern targets ids
    expect(names.filter((name) => INDIVIDUAL.test(name))).toEqual([]);
  });

  it('has no free-form map or untyped value where an id could hide', () => {
    for (const { path, schema } of nodes) {
      expect({ path, patternProperties: schema.patternProperties }).toEqual({
        path,
        patternProperties: undefined,
      });
      const typed = 'type' in schema || 'anyOf' in schema || 'const' in schema || 'enum' in schema;
      expect({ path, typed }).toEqual({ path, typed: true });
    }
  });
});
