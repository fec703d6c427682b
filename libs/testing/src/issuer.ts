import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

/** What a test token says about its holder. */
export interface TokenClaims {
  sub?: string;
  roles?: string[];
  email?: string;
  /** The login session (`sid`), as auth's tokens carry it. */
  sid?: string;
  /** Seconds from now; negative for a token that has already expired. */
  expiresIn?: number;
}

/**
 * A stand-in for the auth app in another app's integration tests: a real Ed25519 key pair whose
 * public half is served as a JWKS over HTTP, exactly where the app's guard fetches it.
 */
export interface TestIssuer {
  jwksUrl: string;
  /** Environment that points an app's guard at this issuer. */
  env: Record<string, string>;
  /** A valid access token (a fresh customer unless said otherwise). */
  token(claims?: TokenClaims): Promise<string>;
  /** A token signed by another key under this issuer's `kid`: its signature must not verify. */
  forgedToken(claims?: TokenClaims): Promise<string>;
  /** Replaces the served key (a rotation); tokens of the old key stop verifying once refetched. */
  rotate(): Promise<void>;
  /** How many times the JWKS has been fetched. */
  fetches(): number;
  close(): Promise<void>;
}

const ISSUER = 'commerce-auth';
const AUDIENCE = 'commerce';

async function newKey() {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const kid = randomUUID();
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  return { privateKey, kid, jwk };
}

/** Starts a JWKS server on a free port with a new key. */
export async function startTestIssuer(): Promise<TestIssuer> {
  let key = await newKey();
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    fetches++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [key.jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;

  const sign = async (
    privateKey: Awaited<ReturnType<typeof newKey>>['privateKey'],
    kid: string,
    claims: TokenClaims,
  ) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      roles: claims.roles ?? ['customer'],
      ...(claims.email ? { email: claims.email } : {}),
      ...(claims.sid ? { sid: claims.sid } : {}),
    })
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
      .setSubject(claims.sub ?? randomUUID())
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now - 60)
      .setExpirationTime(now + (claims.expiresIn ?? 300))
      .sign(privateKey);
  };

  return {
    jwksUrl,
    env: { AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE, AUTH_JWKS_COOLDOWN_MS: '0' },
    token: (claims = {}) => sign(key.privateKey, key.kid, claims),
    forgedToken: async (claims = {}) => sign((await newKey()).privateKey, key.kid, claims),
    rotate: async () => {
      key = await newKey();
    },
    fetches: () => fetches,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
