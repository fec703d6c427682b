import { type ApiRoute, AUTHENTICATED_PROBLEMS, BEARER, json, problemResponses, PUBLIC } from '@commerce/platform';
import { z } from 'zod';

const JwksSchema = z
  .object({ keys: z.array(z.looseObject({ kty: z.string(), kid: z.string(), alg: z.string() })) })
  .meta({
    id: 'JsonWebKeySet',
    description: 'The current key (which signs), then the previous one during a rotation.',
  });

const tags = ['keys'];

/** The token keys and the forward-auth target (docs/contract.md, auth). */
export const keysApi: readonly ApiRoute[] = [
  {
    method: 'get',
    path: '/.well-known/jwks.json',
    operation: {
      tags,
      summary: 'The public keys that verify access tokens',
      description: "A `kid` is the key's RFC 7638 thumbprint. Cached for 5 minutes.",
      security: PUBLIC,
      responses: {
        '200': {
          description: 'The key set.',
          headers: z.object({ 'Cache-Control': z.string().meta({ example: 'public, max-age=300' }) }),
          content: json(JwksSchema, {
            keys: [
              {
                kty: 'OKP',
                crv: 'Ed25519',
                x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
                kid: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
                alg: 'EdDSA',
                use: 'sig',
              },
            ],
          }),
        },
      },
    },
  },
  {
    method: 'get',
    path: '/verify',
    operation: {
      tags,
      summary: 'Forward-auth target for a gateway',
      description: '200 with the caller in `X-User-Id` and `X-User-Roles`, or 401.',
      security: BEARER,
      responses: {
        '200': {
          description: 'The token is valid.',
          headers: z.object({
            'X-User-Id': z.uuid(),
            'X-User-Roles': z.string().meta({ description: 'Comma-separated.', example: 'customer,admin' }),
          }),
          content: json(z.object({ id: z.uuid() }), { id: '5d2c9a8e-1b47-4f0a-8c3d-6e7f9a0b1c2d' }),
        },
        ...problemResponses(...AUTHENTICATED_PROBLEMS),
      },
    },
  },
];
