import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';

/** Who is calling: the `sub` of a verified access token, with its roles. */
export interface AuthenticatedUser {
  id: string;
  email?: string;
  roles: string[];
  /** When the token expires (its `exp`): a response that outlives the request, a stream, ends then. */
  expiresAt?: Date;
  /** The login session the token belongs to (its `sid`): a stream of it ends when `session.ended` names it. */
  sessionId?: string;
}

/** What verifies access tokens: the keys, and the claims every token must carry. */
export interface AccessTokenKeys {
  getKey: JWTVerifyGetKey;
  issuer: string;
  audience: string;
}

/** Algorithms accepted on access tokens; `none` and the HMAC family never are. */
export const ACCESS_TOKEN_ALGORITHMS = ['EdDSA', 'Ed25519', 'RS256', 'ES256'];

/** A user id as auth makes them (and PostgreSQL prints a uuid): what every token's `sub` must be, and a `sid`. */
const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Injection token of the AccessTokenKeys an app trusts (the auth app's JWKS by default). */
export const ACCESS_TOKEN_KEYS = Symbol('ACCESS_TOKEN_KEYS');

/**
 * The auth app's JWKS fetched over HTTP: cached for `cacheMaxAgeMs`, and fetched again when a
 * token names an unknown `kid` (at most once per `cooldownMs`), so a key rotation is picked up.
 */
export function remoteAccessTokenKeys(options: {
  jwksUrl: string;
  issuer: string;
  audience: string;
  cacheMaxAgeMs: number;
  cooldownMs: number;
}): AccessTokenKeys {
  return {
    getKey: createRemoteJWKSet(new URL(options.jwksUrl), {
      cacheMaxAge: options.cacheMaxAgeMs,
      cooldownDuration: options.cooldownMs,
      timeoutDuration: 5000,
    }),
    issuer: options.issuer,
    audience: options.audience,
  };
}

/** Why a token was refused; the message is safe to show the caller. */
export class InvalidAccessTokenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidAccessTokenError';
  }
}

/** The keys could not be fetched (auth down or slow): nobody's token can be judged right now. */
export class AccessTokenKeysUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('The keys that verify access tokens cannot be fetched right now.', options);
    this.name = 'AccessTokenKeysUnavailableError';
  }
}

/** Verifies signature, issuer, audience and expiry; returns the user the token stands for. */
export async function verifyAccessToken(token: string, keys: AccessTokenKeys): Promise<AuthenticatedUser> {
  try {
    const { payload } = await jwtVerify(token, keys.getKey, {
      issuer: keys.issuer,
      audience: keys.audience,
      algorithms: ACCESS_TOKEN_ALGORITHMS,
      requiredClaims: ['sub', 'exp'],
    });
    // auth's users are uuids: a `sub` that is not one names nobody, and would reach a uuid column as it is.
    if (!USER_ID.test(payload.sub!)) throw new InvalidAccessTokenError('The access token is not valid.');
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r) => typeof r === 'string') : [];
    return {
      id: payload.sub!,
      ...(typeof payload.email === 'string' ? { email: payload.email } : {}),
      roles,
      expiresAt: new Date(payload.exp! * 1000),
      // A session id is a uuid too; anything else (or none, from an older token) names no session.
      ...(typeof payload.sid === 'string' && USER_ID.test(payload.sid) ? { sessionId: payload.sid } : {}),
    };
  } catch (error) {
    if (error instanceof InvalidAccessTokenError) throw error;
    if (error instanceof errors.JWTExpired) throw new InvalidAccessTokenError('The access token has expired.');
    // A JWKS that times out, cannot be fetched, answers other than 200 (jose's generic JOSEError)
    // or is not a key set says nothing about the token: not the caller's fault.
    if (
      error instanceof errors.JWKSTimeout ||
      error instanceof errors.JWKSInvalid ||
      !(error instanceof errors.JOSEError) ||
      error.code === errors.JOSEError.code
    ) {
      throw new AccessTokenKeysUnavailableError({ cause: error });
    }
    throw new InvalidAccessTokenError('The access token is not valid.');
  }
}
