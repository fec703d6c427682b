import { createHmac, createPrivateKey, createPublicKey, type JsonWebKey, randomUUID, sign } from 'node:crypto';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importPKCS8,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';

const ISSUER = 'commerce-auth';
const AUDIENCE = 'commerce';

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A token of `claims` under `header`, signed with `pem` (PKCS#8 Ed25519) as auth signs. */
export async function signWith(pem: string, claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  const key = await importPKCS8(pem, 'EdDSA', { extractable: true });
  const jwk = await exportJWK(key);
  const kid = await calculateJwkThumbprint({ kty: jwk.kty!, crv: jwk.crv!, x: jwk.x! });
  return new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT', ...header }).sign(key);
}

/** A compact JWS of any header, signed with `pem` (Ed25519) as it is: jose refuses to make some of these. */
export function rawSign(pem: string, header: Record<string, unknown>, claims: JWTPayload): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${sign(null, Buffer.from(input), createPrivateKey(pem)).toString('base64url')}`;
}

/** Claims auth would put in a token for `sub`, valid for `seconds` more. */
export function claimsFor(sub: string, seconds = 300, extra: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub,
    email: 'someone@abuse.test',
    roles: ['customer'],
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now - 5,
    exp: now + seconds,
    jti: randomUUID(),
    ...extra,
  };
}

/**
 * Every token an attacker makes without auth's cooperation, or with its key but wrong claims; each
 * must be a 401 on every authenticated route. `currentPem` is auth's signing key (so claims are the
 * only thing wrong), `jwks` what auth publishes, `victim` a real user's id.
 */
export async function forgedTokens(
  currentPem: string,
  jwks: JWK[],
  victim: string,
): Promise<Array<{ kind: string; token: string }>> {
  const good = claimsFor(victim, 300, { roles: ['customer', 'admin'] });
  const realKid = jwks[0]!.kid!;
  const attacker = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const attackerJwk = await exportJWK(attacker.publicKey);
  const rotatedOut = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const rotatedOutKid = await calculateJwkThumbprint(await exportJWK(rotatedOut.publicKey));
  const publicPem = createPublicKey({ key: jwks[0] as JsonWebKey, format: 'jwk' }).export({
    type: 'spki',
    format: 'pem',
  });
  const hs256 = (secret: string | Buffer, kid?: string) => {
    const head = b64({ alg: 'HS256', typ: 'JWT', ...(kid ? { kid } : {}) });
    const body = b64(good);
    return `${head}.${body}.${createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')}`;
  };
  const unsigned = (alg: string) => `${b64({ alg, typ: 'JWT', kid: realKid })}.${b64(good)}.`;
  const { exp: _exp, ...noExp } = good;
  const { sub: _sub, ...noSub } = good;
  const now = Math.floor(Date.now() / 1000);
  return [
    { kind: 'alg none', token: unsigned('none') },
    { kind: 'alg None', token: unsigned('None') },
    { kind: 'alg none, a signature kept', token: `${unsigned('none')}${'A'.repeat(86)}` },
    { kind: 'HS256 with the public key PEM', token: hs256(String(publicPem), realKid) },
    { kind: 'HS256 with the public JWK', token: hs256(JSON.stringify(jwks[0]), realKid) },
    { kind: 'HS256 with the raw public key', token: hs256(Buffer.from(String(jwks[0]!.x), 'base64url'), realKid) },
    { kind: 'HS256 with its x as text', token: hs256(String(jwks[0]!.x)) },
    { kind: 'wrong iss', token: await signWith(currentPem, { ...good, iss: 'evil-auth' }) },
    { kind: 'wrong aud', token: await signWith(currentPem, { ...good, aud: 'somebody-else' }) },
    { kind: 'no aud', token: await signWith(currentPem, { ...good, aud: undefined }) },
    { kind: 'no sub', token: await signWith(currentPem, noSub) },
    { kind: 'no exp', token: await signWith(currentPem, noExp) },
    { kind: 'expired', token: await signWith(currentPem, { ...good, iat: now - 4000, exp: now - 3000 }) },
    { kind: 'expired a second ago', token: await signWith(currentPem, { ...good, exp: now - 1 }) },
    { kind: 'not yet valid (nbf)', token: await signWith(currentPem, { ...good, nbf: now + 3600 }) },
    {
      kind: 'embedded jwk header, attacker key',
      token: await new SignJWT(good)
        .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', jwk: attackerJwk })
        .sign(attacker.privateKey),
    },
    {
      kind: 'embedded jwk header under the real kid',
      token: await new SignJWT(good)
        .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: realKid, jwk: attackerJwk })
        .sign(attacker.privateKey),
    },
    {
      kind: 'jku header to an attacker',
      token: await new SignJWT(good)
        .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', jku: 'http://127.0.0.1:9/jwks.json', kid: 'attacker' })
        .sign(attacker.privateKey),
    },
    {
      kind: 'rotated-out key (not in the JWKS)',
      token: await new SignJWT(good)
        .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: rotatedOutKid })
        .sign(rotatedOut.privateKey),
    },
    {
      kind: 'attacker key under the real kid',
      token: await new SignJWT(good)
        .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: realKid })
        .sign(attacker.privateKey),
    },
    {
      kind: 'real signature, payload swapped',
      token: await (async () => {
        const [h, , s] = (await signWith(currentPem, claimsFor(victim))).split('.');
        return `${h}.${b64(good)}.${s}`;
      })(),
    },
    {
      kind: 'crit header unknown',
      token: rawSign(currentPem, { alg: 'EdDSA', typ: 'JWT', kid: realKid, crit: ['x-evil'], 'x-evil': true }, good),
    },
    { kind: 'kid a path', token: rawSign(currentPem, { alg: 'EdDSA', typ: 'JWT', kid: '../../../../dev/null' }, good) },
    // (A token of auth's real key without a kid is not here: with one key in the JWKS jose picks
    // it, and such a token is auth's own, rightly accepted.)
    {
      kind: 'attacker key, no kid',
      token: await new SignJWT(good).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' }).sign(attacker.privateKey),
    },
    { kind: 'not a JWT', token: 'not-a-token' },
    { kind: 'two parts', token: `${b64({ alg: 'EdDSA' })}.${b64(good)}` },
    { kind: 'empty', token: '' },
  ];
}
