import { type ApiRoute, AUTHENTICATED_PROBLEMS, BEARER, json, problemResponses } from '@commerce/platform';
import { z } from 'zod';
import type { PaymentView } from './payment.view.ts';
import { PaymentQuery } from './payments.controller.ts';

// What the API shows (payment.view.ts), typed against the view.
const PaymentViewSchema: z.ZodType<PaymentView> = z
  .object({
    id: z.uuid(),
    orderId: z.string(),
    status: z.enum(['AUTHORIZED', 'CAPTURED', 'VOIDED', 'FAILED']),
    amountCents: z.number().int(),
    currency: z.string(),
    failureReason: z
      .enum(['DECLINED', 'INSUFFICIENT_FUNDS', 'LIMIT_EXCEEDED'])
      .optional()
      .meta({ description: 'Only when FAILED.' }),
  })
  .meta({ id: 'Payment' });

/** The payment of an order (docs/contract.md, payment): its customer's or, for an admin, anyone's. */
export const paymentsApi: readonly ApiRoute[] = [
  {
    method: 'get',
    path: '',
    operation: {
      tags: ['payments'],
      summary: 'The payment of an order',
      security: BEARER,
      requestParams: { query: PaymentQuery },
      responses: {
        '200': {
          description: "The order's one payment.",
          content: json(PaymentViewSchema, {
            id: '9a7e4c1d-3b2f-4e8a-9c6d-5f1e2a3b4c5d',
            orderId: '0b6f3c2e-7d1a-4c55-9a3e-2f4b8f0e6a11',
            status: 'CAPTURED',
            amountCents: 3998,
            currency: 'USD',
          }),
        },
        ...problemResponses(
          ...AUTHENTICATED_PROBLEMS,
          [404, "The order has no payment, or it is another customer's."],
          [422, 'No `orderId`, or one that is not valid.'],
        ),
      },
    },
  },
];
