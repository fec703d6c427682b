import { APP_CONFIG, type AccessTokenKeys, ConfigError } from '@commerce/platform';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  calculateJwkThumbprint,
  errors,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importPKCS8,
  type JWK,
  SignJWT,
} from 'jose';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { AuthConfig } from '../auth.config.ts';

/** What an access token says: who, with which roles, in which login session. */
export interface AccessTokenSubject {
  userId: string;
  email: string;
  roles: string[];
  /** The login session (its refresh token family): the `sid` claim, which `session.ended` names when it ends. */
  sessionId: string;
}

/** A public key that verifies access tokens, as the JWKS shows it and as this app verifies with it. */
interface VerificationKey {
  kid: string;
  publicKey: KeyObject;
  jwk: JWK;
}

/** The public half of a PKCS#8 PEM (Ed25519 or RSA), with its algorithm and thumbprint `kid`. */
async function verificationKeyOf(pem: string, variable: string): Promise<VerificationKey & { algorithm: string }> {
  const keyObject = createPrivateKey(pem);
  if (!['ed25519', 'rsa'].includes(keyObject.asymmetricKeyType ?? '')) {
    throw new ConfigError([{ variable, message: `must be Ed25519 or RSA, not ${keyObject.asymmetricKeyType}` }]);
  }
  const algorithm = keyObject.asymmetricKeyType === 'ed25519' ? 'EdDSA' : 'RS256';
  const publicKey = createPublicKey(keyObject);
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { algorithm, kid, publicKey, jwk: { ...jwk, kid, alg: algorithm, use: 'sig' } };
}

/**
 * The key that signs access tokens, and the previous one while its tokens may still be alive.
 * Both public halves are the JWKS the other apps verify with, so a rotation keeps every live token
 * valid (docs/operations.md, rotating the signing key); only the current key signs. A key's `kid`
 * is its RFC 7638 thumbprint, so a new key gets a new kid by itself.
 */
@Injectable()
export class SigningKey implements OnModuleInit {
  private readonly logger = new Logger('SigningKey');
  private privateKey!: Awaited<ReturnType<typeof importPKCS8>>;
  private algorithm!: string;
  private verifying: VerificationKey[] = [];
  kid!: string;
  /** The public keys of the JWKS: the current one first, then the previous one if any. */
  publicJwks: JWK[] = [];

  constructor(@Inject(APP_CONFIG) private readonly config: AuthConfig) {}

  async onModuleInit(): Promise<void> {
    const pem = await this.readPem();
    const current = await verificationKeyOf(pem, 'AUTH_SIGNING_KEY');
    this.algorithm = current.algorithm;
    this.privateKey = await importPKCS8(pem, this.algorithm);
    this.kid = current.kid;
    this.verifying = [current];
    const previousPem = this.readPreviousPem();
    if (previousPem) {
      const previous = await verificationKeyOf(previousPem, 'AUTH_PREVIOUS_SIGNING_KEY');
      if (previous.kid !== current.kid) this.verifying.push(previous);
    }
    this.publicJwks = this.verifying.map((k) => k.jwk);
  }

  /** A short-lived access token for `subject`. */
  sign(subject: AccessTokenSubject): Promise<string> {
    return new SignJWT({ email: subject.email, roles: subject.roles, sid: subject.sessionId })
      .setProtectedHeader({ alg: this.algorithm, kid: this.kid, typ: 'JWT' })
      .setSubject(subject.userId)
      .setIssuer(this.config.AUTH_ISSUER)
      .setAudience(this.config.AUTH_AUDIENCE)
      .setIssuedAt()
      .setJti(crypto.randomUUID())
      .setExpirationTime(`${this.config.ACCESS_TOKEN_TTL_SECONDS}s`)
      .sign(this.privateKey);
  }

  /** The keys this app itself verifies tokens with (no HTTP round trip to its own JWKS). */
  verificationKeys(): AccessTokenKeys {
    return {
      getKey: async (header) => {
        const key = this.verifying.find((k) => k.kid === header.kid);
        if (!key) throw new errors.JWKSNoMatchingKey();
        return key.publicKey;
      },
      issuer: this.config.AUTH_ISSUER,
      audience: this.config.AUTH_AUDIENCE,
    };
  }

  /** The rotated-out key's PEM: from config, or its file when that exists; undefined when there is none. */
  private readPreviousPem(): string | undefined {
    if (this.config.AUTH_PREVIOUS_SIGNING_KEY) return this.config.AUTH_PREVIOUS_SIGNING_KEY;
    const file = this.config.AUTH_PREVIOUS_SIGNING_KEY_FILE;
    return file && existsSync(resolve(file)) ? readFileSync(resolve(file), 'utf8') : undefined;
  }

  /** The PEM from config or its file; outside production a missing file is generated, once. */
  private async readPem(): Promise<string> {
    if (this.config.AUTH_SIGNING_KEY) return this.config.AUTH_SIGNING_KEY;
    const file = resolve(this.config.AUTH_SIGNING_KEY_FILE);
    if (existsSync(file)) return readFileSync(file, 'utf8');
    if (this.config.NODE_ENV === 'production') {
      throw new ConfigError([
        {
          variable: 'AUTH_SIGNING_KEY',
          message: `is required in production: set it, or put a PKCS#8 PEM at AUTH_SIGNING_KEY_FILE (${file})`,
        },
      ]);
    }
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    mkdirSync(dirname(file), { recursive: true });
    try {
      writeFileSync(file, await exportPKCS8(privateKey), { mode: 0o600, flag: 'wx' });
      this.logger.warn(`Generated a development signing key at ${file}; production sets AUTH_SIGNING_KEY`);
    } catch (error) {
      // Another replica wrote it first: use theirs, so both sign with one key.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    return readFileSync(file, 'utf8');
  }
}
