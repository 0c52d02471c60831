import { randomUUID } from 'node:crypto';
import {
  Gs1ProblemDetails,
  isUuid,
  ProblemDetails,
  ScanList,
  ScanListQuery,
  ScanRequest,
  ScanResult,
  Topics,
  type ProductScanned,
  type ScannedIdentifier,
} from '@packytrace/contracts';
import { InvalidGs1Code, parseProductCode, type Gs1Identifier } from '@packytrace/gs1';
import {
  badRequest,
  newEvent,
  notFound,
  outboxRow,
  requireAccount,
  type Pool,
  type ServiceApp,
} from '@packytrace/service-kit';
import type { FastifyRequest } from 'fastify';
import type { PersonalizationClient, VerdictOutcome } from '../clients/personalization';
import type { ProductRepository } from '../db/products';
import type { ScanRepository } from '../db/scans';
import { passportOf } from '../domain/product';
import { invalidGs1Code } from './gs1-problems';

export interface ScanRouteDeps {
  pool: Pool;
  products: ProductRepository;
  scans: ScanRepository;
  personalization: PersonalizationClient;
}

type Subject = ProductScanned['subject'];

/** Who is scanning, from the gateway's trusted headers (request.identity is empty without the internal token). */
function subjectOf(request: FastifyRequest): Subject {
  const { accountId, visitorId } = request.identity;
  if (accountId) return { kind: 'account', id: accountId };
  if (visitorId && visitorId.length <= 100) return { kind: 'visitor', id: visitorId };
  return { kind: 'anonymous' };
}

function parseCode(code: string): Gs1Identifier {
  try {
    return parseProductCode(code);
  } catch (error) {
    if (error instanceof InvalidGs1Code) throw invalidGs1Code(error);
    throw error;
  }
}

function identifierOf(parsed: Gs1Identifier): ScannedIdentifier {
  return {
    gtin: parsed.gtin,
    ...(parsed.batch !== undefined ? { batch: parsed.batch } : {}),
    ...(parsed.expiry !== undefined ? { expiry: parsed.expiry } : {}),
    ...(parsed.bestBefore !== undefined ? { bestBefore: parsed.bestBefore } : {}),
    ...(parsed.serial !== undefined ? { serial: parsed.serial } : {}),
  };
}

function encodeCursor(last: { scannedAt: string; scanId: string }): string {
  return Buffer.from(`${last.scannedAt}|${last.scanId}`).toString('base64url');
}

/**
 * Only a cursor `encodeCursor` could have written: its time in the exact form the service writes
 * (`toISOString`, years 0001-9999 as PostgreSQL's timestamptz reads them) and a plain UUID. Anything
 * looser (`Date.parse` takes RFC 2822 dates and odd zones) reaches the `::timestamptz` and `::uuid`
 * casts of the query and fails there.
 */
function decodeCursor(cursor: string): { scannedAt: string; scanId: string } {
  const parts = Buffer.from(cursor, 'base64url').toString().split('|');
  const [scannedAt = '', scanId = ''] = parts;
  if (parts.length !== 2 || !isServiceTime(scannedAt) || !isUuid(scanId)) {
    throw badRequest('invalid_cursor', 'The cursor is not one this service returned.');
  }
  return { scannedAt, scanId };
}

function isServiceTime(value: string): boolean {
  if (!/^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value)) return false;
  const time = Date.parse(value);
  return !Number.isNaN(time) && new Date(time).toISOString() === value;
}

/** Scans (POST /api/v1/scans) and the caller's scan history (GET /api/v1/me/scans). */
export function scanRoutes(deps: ScanRouteDeps) {
  return async (app: ServiceApp) => {
    app.post(
      '/api/v1/scans',
      {
        // The hottest route: the gateway's access log already has every scan (with its request id);
        // two more log lines here cost a tenth of a scan's CPU. Warnings and errors are still logged.
        logLevel: 'warn',
        schema: {
          tags: ['scans'],
          body: ScanRequest,
          response: { 201: ScanResult, 400: Gs1ProblemDetails, 404: ProblemDetails },
        },
      },
      async (request, reply) => {
        const parsed = parseCode(request.body.code);
        const found = await deps.products.findRecent(parsed.gtin);
        if (!found)
          throw notFound('product_not_found', `GTIN ${parsed.gtin} is a valid code but not in the catalog.`);
        const subject = subjectOf(request);
        const passport = passportOf(found.product, found.recalls);
        const identifier = identifierOf(parsed);
        const scan = { scanId: randomUUID(), scannedAt: new Date().toISOString() };
        const verdictAsked: Promise<VerdictOutcome> =
          subject.kind === 'account'
            ? deps.personalization.verdictFor(subject.id!, passport, request.id)
            : Promise.resolve({ verdict: null, verdictStatus: 'anonymous' });
        const event = newEvent<ProductScanned>({
          type: 'ProductScanned',
          ...scan,
          gtin: parsed.gtin,
          brandId: found.product.brandId,
          ...(identifier.batch !== undefined && identifier.batch.length <= 20
            ? { batch: identifier.batch }
            : {}),
          ...(identifier.expiry !== undefined ? { expiry: identifier.expiry } : {}),
          subject,
        });
        // The scan and its event commit together (outbox, one statement): Kafka being down never fails a
        // scan or loses its event.
        const recorded = deps.scans.recordWithEvent(
          {
            ...scan,
            accountId: subject.kind === 'account' ? subject.id : undefined,
            visitorId: subject.kind === 'visitor' ? subject.id : undefined,
            identifier: { ...identifier, ...(parsed.cpv !== undefined ? { cpv: parsed.cpv } : {}) },
            rawCode: request.body.code,
            attributes: parsed.attributes,
          },
          outboxRow(Topics.productScanned, event, parsed.gtin),
        );
        const [outcome] = await Promise.all([verdictAsked, recorded]);
        return reply.status(201).send({ ...scan, identifier, passport, ...outcome });
      },
    );

    app.get(
      '/api/v1/me/scans',
      {
        schema: {
          tags: ['scans'],
          querystring: ScanListQuery,
          response: { 200: ScanList, 400: ProblemDetails, 401: ProblemDetails },
        },
      },
      async (request) => {
        const accountId = requireAccount(request);
        const limit = Number(request.query.limit ?? 20);
        const after = request.query.cursor ? decodeCursor(request.query.cursor) : undefined;
        const items = await deps.scans.listForAccount(accountId, limit + 1, after);
        const page = items.slice(0, limit);
        const last = page[page.length - 1];
        return { items: page, nextCursor: items.length > limit && last ? encodeCursor(last) : null };
      },
    );
  };
}
