import { randomBytes, randomUUID } from 'node:crypto';
import type { HealthProfile } from '@packytrace/contracts';
import { describe, expect, it } from 'vitest';
import { openProfile, profileKeyFrom, sealProfile } from '../../src/domain/profile-crypto';

const key = randomBytes(32);
const profile = {
  allergens: ['peanuts'],
  diets: ['vegan'],
  limits: { sugars: 10 },
} as unknown as HealthProfile;

describe('Health Profile encryption at rest', () => {
  it('round-trips and the ciphertext does not contain the profile', () => {
    const accountId = randomUUID();
    const sealed = sealProfile(profile, accountId, key);
    expect(sealed.ciphertext.toString('utf8')).not.toContain('peanuts');
    expect(openProfile(sealed, accountId, key)).toEqual(profile);
  });

  it('uses a fresh IV each time', () => {
    const accountId = randomUUID();
    expect(sealProfile(profile, accountId, key).iv.equals(sealProfile(profile, accountId, key).iv)).toBe(
      false,
    );
  });

  it('refuses a ciphertext moved to another account (the account id is authenticated data)', () => {
    const sealed = sealProfile(profile, randomUUID(), key);
    expect(() => openProfile(sealed, randomUUID(), key)).toThrow();
  });

  it('refuses a tampered ciphertext and a wrong key', () => {
    const accountId = randomUUID();
    const sealed = sealProfile(profile, accountId, key);
    const tampered = Buffer.from(sealed.ciphertext);
    tampered[0] = tampered[0]! ^ 1;
    expect(() => openProfile({ ...sealed, ciphertext: tampered }, accountId, key)).toThrow();
    expect(() => openProfile(sealed, accountId, randomBytes(32))).toThrow();
  });

  it('accepts only a 32-byte key', () => {
    expect(profileKeyFrom(randomBytes(32).toString('base64'))).toHaveLength(32);
    expect(() => profileKeyFrom(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });
});
