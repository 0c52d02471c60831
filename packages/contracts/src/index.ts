export * from './events/index';
export * from './http/index';
export * from './topics';

/** Headers only the gateway may set; services trust them only with a valid `X-Internal-Token`. */
export const IdentityHeaders = {
  accountId: 'x-account-id',
  visitorId: 'x-visitor-id',
  brandId: 'x-brand-id',
  roles: 'x-roles',
} as const;
export const INTERNAL_TOKEN_HEADER = 'x-internal-token';
export const REQUEST_ID_HEADER = 'x-request-id';
