import { type ApiRoute, INPUT_PROBLEMS, json, problemResponses, PUBLIC } from '@commerce/platform';
import { z } from 'zod';
import { LoginBody, RefreshBody } from './sessions.controller.ts';
import type { TokenPair } from './token-pair.view.ts';

// What login and refresh answer (token-pair.view.ts), typed against the view.
const TokenPairSchema: z.ZodType<TokenPair> = z
  .object({
    accessToken: z.string().meta({ description: 'A JWT for `Authorization: Bearer`.' }),
    refreshToken: z.string().meta({ description: 'Spent on use; presented again, it revokes its whole login.' }),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().meta({ description: 'Seconds the access token lives.' }),
  })
  .meta({ id: 'TokenPair' });

const pair: TokenPair = {
  accessToken: 'eyJhbGciOiJFZERTQSIsImtpZCI6Ii4uLiJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl',
  refreshToken: 'Qm9vdHN0cmFwcGVkLXJlZnJlc2gtdG9rZW4',
  tokenType: 'Bearer',
  expiresIn: 900,
};
const refreshBody = json(RefreshBody, { refreshToken: pair.refreshToken });
const tags = ['sessions'];

/** Login, refresh and logout (docs/contract.md, auth): all public, the refresh token is the credential. */
export const sessionsApi: readonly ApiRoute[] = [
  {
    method: 'post',
    path: '/login',
    operation: {
      tags,
      summary: 'Log in',
      description:
        'Every attempt is counted per (email, address), per address and per email; past a limit, 429 with `Retry-After` for the lockout.',
      security: PUBLIC,
      requestBody: {
        required: true,
        content: json(LoginBody, { email: 'ada@example.com', password: 'correct horse battery' }),
      },
      responses: {
        '200': { description: 'An access token and a refresh token.', content: json(TokenPairSchema, pair) },
        ...problemResponses([401, 'Wrong email or password (one message for either).'], 429, ...INPUT_PROBLEMS),
      },
    },
  },
  {
    method: 'post',
    path: '/refresh',
    operation: {
      tags,
      summary: 'Trade a refresh token for a new pair',
      description:
        'A token presented twice revokes its whole login and publishes `session.ended` (REFRESH_TOKEN_REUSED).',
      security: PUBLIC,
      requestBody: { required: true, content: refreshBody },
      responses: {
        '200': { description: 'A new pair.', content: json(TokenPairSchema, pair) },
        ...problemResponses([401, 'An unknown, expired or reused refresh token.'], ...INPUT_PROBLEMS),
      },
    },
  },
  {
    method: 'post',
    path: '/logout',
    operation: {
      tags,
      summary: 'End a login',
      description:
        "Revokes the refresh token's family and publishes `session.ended` (LOGGED_OUT); an unknown or revoked token changes nothing.",
      security: PUBLIC,
      requestBody: { required: true, content: refreshBody },
      responses: { '204': { description: 'Logged out (or nothing to do).' }, ...problemResponses(...INPUT_PROBLEMS) },
    },
  },
];
