import { Topics, type EventOf } from '@packytrace/contracts';
import { applyOnce, withTransaction, type Logger, type Pool } from '@packytrace/service-kit';
import type { ProfileRepository } from '../db/profiles';

export const HEALTH_PROFILE_PURPOSE = 'health_profile';

/**
 * identity.consents.v1: withdrawing `health_profile` consent deletes the Health Profile, once per
 * event (inbox). Only a profile resting on an earlier consent decision is deleted, so a late event
 * cannot erase a profile saved after a later re-grant; and the withdrawal is remembered, so a save
 * checked against the withdrawn grant but landing after this event is refused (ProfileRepository).
 */
export function consentEventHandler(pool: Pool, profiles: ProfileRepository, logger: Logger) {
  return async (event: EventOf<typeof Topics.consents>): Promise<void> => {
    if (event.type !== 'ConsentWithdrawn' || event.purpose !== HEALTH_PROFILE_PURPOSE) return;
    await withTransaction(pool, (client) =>
      applyOnce(client, event.eventId, Topics.consents, async () => {
        const deleted = await profiles.applyWithdrawal(client, event);
        if (deleted)
          logger.info({ eventId: event.eventId }, 'health profile deleted after consent withdrawal');
      }),
    );
  };
}
