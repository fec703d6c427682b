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

/** What an access token says: who, with which roles. */
export interface AccessTokenSubject {
  userId: string;
  email: string;
  roles: string[];
}

/**
 * The key that signs access tokens. Its public half is the JWKS the other apps verify with; its
 * `kid` is the key's RFC 7638 thumbprint, so a new key gets a new kid by itself.
 */
@Injectable()
export class SigningKey implements OnModuleInit {
  private readonly logger = new Logger('SigningKey');
  private privateKey!: Awaited<ReturnType<typeof importPKCS8>>;
  private publicKey!: KeyObject;
  private algorithm!: string;
  kid!: string;
  publicJwk!: JWK;

  constructor(@Inject(APP_CONFIG) private readonly config: AuthConfig) {}

  async onModuleInit(): Promise<void> {
    const pem = await this.readPem();
    const keyObject = createPrivateKey(pem);
    if (!['ed25519', 'rsa'].includes(keyObject.asymmetricKeyType ?? '')) {
      throw new Error(`The signing key must be Ed25519 or RSA, not ${keyObject.asymmetricKeyType}`);
    }
    this.algorithm = keyObject.asymmetricKeyType === 'ed25519' ? 'EdDSA' : 'RS256';
    this.privateKey = await importPKCS8(pem, this.algorithm);
    this.publicKey = createPublicKey(keyObject);
    const jwk = await exportJWK(this.publicKey);
    this.kid = await calculateJwkThumbprint(jwk);
    this.publicJwk = { ...jwk, kid: this.kid, alg: this.algorithm, use: 'sig' };
  }

  /** A short-lived access token for `subject`. */
  sign(subject: AccessTokenSubject): Promise<string> {
    return new SignJWT({ email: subject.email, roles: subject.roles })
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
        if (header.kid !== this.kid) throw new errors.JWKSNoMatchingKey();
        return this.publicKey;
      },
      issuer: this.config.AUTH_ISSUER,
      audience: this.config.AUTH_AUDIENCE,
    };
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
