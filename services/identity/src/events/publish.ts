import {
  Topics,
  type AccountRegistered,
  type BrandRegistered,
  type BrandUserAdded,
  type ConsentGranted,
  type ConsentWithdrawn,
  type VisitorLinkedToAccount,
} from '@packytrace/contracts';
import { enqueueEvent, newEvent, type PoolClient } from '@packytrace/service-kit';

/**
 * What Identity announces (docs/API.md, Kafka topics). Every event goes through the outbox inside the
 * caller's transaction, keyed by account or Brand so one subject's events stay in order.
 */
type Tx = Pick<PoolClient, 'query'>;

export async function announceAccountRegistered(
  tx: Tx,
  accountId: string,
  visitorId?: string,
): Promise<void> {
  await enqueueEvent(
    tx,
    Topics.accounts,
    newEvent<AccountRegistered>({
      type: 'AccountRegistered',
      accountId,
      ...(visitorId ? { visitorId } : {}),
    }),
    accountId,
  );
  if (visitorId) {
    await enqueueEvent(
      tx,
      Topics.accounts,
      newEvent<VisitorLinkedToAccount>({ type: 'VisitorLinkedToAccount', accountId, visitorId }),
      accountId,
    );
  }
}

export async function announceConsent(
  tx: Tx,
  accountId: string,
  purpose: string,
  granted: boolean,
  policyVersion: string,
  consentSeq: number,
): Promise<void> {
  const fields = { accountId, purpose, policyVersion, consentSeq };
  const event = granted
    ? newEvent<ConsentGranted>({ type: 'ConsentGranted', ...fields })
    : newEvent<ConsentWithdrawn>({ type: 'ConsentWithdrawn', ...fields });
  await enqueueEvent(tx, Topics.consents, event, accountId);
}

export async function announceBrandRegistered(
  tx: Tx,
  brand: { brandId: string; name: string; gs1CompanyPrefixes: string[] },
): Promise<void> {
  await enqueueEvent(
    tx,
    Topics.brands,
    newEvent<BrandRegistered>({ type: 'BrandRegistered', ...brand }),
    brand.brandId,
  );
}

export async function announceBrandUserAdded(tx: Tx, brandId: string, accountId: string): Promise<void> {
  await enqueueEvent(
    tx,
    Topics.brands,
    newEvent<BrandUserAdded>({ type: 'BrandUserAdded', brandId, accountId }),
    brandId,
  );
}
