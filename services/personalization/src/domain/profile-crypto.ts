import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { HealthProfile } from '@packytrace/contracts';

/** A Health Profile as stored: AES-256-GCM ciphertext, its 96-bit IV and 128-bit tag (NIST SP 800-38D). */
export interface SealedProfile {
  ciphertext: Buffer;
  iv: Buffer;
  authTag: Buffer;
}

/** Reads the base64 key from the environment; refuses anything but 32 bytes (AES-256). */
export function profileKeyFrom(base64: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32) throw new Error('PT_HEALTH_PROFILE_KEY must be 32 bytes, base64-encoded');
  return key;
}

/**
 * Health data is special-category data (GDPR Art. 9): encrypted at rest. The account id is the
 * additional authenticated data, so a ciphertext moved to another account's row does not decrypt.
 */
export function sealProfile(profile: HealthProfile, accountId: string, key: Buffer): SealedProfile {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(accountId));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(profile), 'utf8'), cipher.final()]);
  return { ciphertext, iv, authTag: cipher.getAuthTag() };
}

export function openProfile(sealed: SealedProfile, accountId: string, key: Buffer): HealthProfile {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
  decipher.setAAD(Buffer.from(accountId));
  decipher.setAuthTag(sealed.authTag);
  const plain = Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  return JSON.parse(plain.toString('utf8')) as HealthProfile;
}
