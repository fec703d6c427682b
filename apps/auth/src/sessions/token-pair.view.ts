import type { AccessTokenSubject, SigningKey } from '../keys/signing-key.ts';

/** A token pair as login and refresh answer it. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/** A fresh access token for `subject`, beside the refresh token that continues its session. */
export async function tokenPair(
  key: SigningKey,
  subject: AccessTokenSubject,
  refreshToken: string,
  expiresIn: number,
): Promise<TokenPair> {
  return { accessToken: await key.sign(subject), refreshToken, tokenType: 'Bearer', expiresIn };
}
