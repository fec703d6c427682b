import {
  type ApiRoute,
  AUTHENTICATED_PROBLEMS,
  BEARER,
  INPUT_PROBLEMS,
  json,
  problemResponses,
  PUBLIC,
} from '@commerce/platform';
import { z } from 'zod';
import {
  CreateProductInput,
  ListProductsParams,
  RestockInput,
  SkuParam,
  UpdateProductInput,
} from './product.inputs.ts';
import type { ProductPage, ProductView } from './product.view.ts';

// What the API shows (product.view.ts), typed against the views.
const ProductViewSchema: z.ZodType<ProductView> = z
  .object({
    sku: z.string(),
    name: z.string(),
    priceCents: z.number().int(),
    currency: z.string(),
    available: z.number().int(),
    reserved: z.number().int(),
    sold: z.number().int(),
  })
  .meta({ id: 'Product' });
const ProductPageSchema: z.ZodType<ProductPage> = z
  .object({
    items: z.array(ProductViewSchema),
    nextCursor: z.string().nullable().meta({ description: 'The last sku of this page; null on the last page.' }),
  })
  .meta({ id: 'ProductPage' });

const product: ProductView = {
  sku: 'TSHIRT-M',
  name: 'T-shirt, medium',
  priceCents: 1999,
  currency: 'USD',
  available: 98,
  reserved: 2,
  sold: 0,
};
const skuPath = { path: z.object({ sku: SkuParam.meta({ description: "The product's sku.", example: 'TSHIRT-M' }) }) };
// Changing the catalog: an admin's token.
const ADMIN_PROBLEMS = [...AUTHENTICATED_PROBLEMS, [403, 'The token lacks the admin role.'] as [number, string]];
const tags = ['products'];

/** The catalog (docs/contract.md, inventory): anyone reads it, admins change it. */
export const productsApi: readonly ApiRoute[] = [
  {
    method: 'post',
    path: '/products',
    operation: {
      tags,
      summary: 'Create a product (admin)',
      description: 'Publishes `product.upserted`.',
      security: BEARER,
      requestBody: {
        required: true,
        content: json(CreateProductInput, {
          sku: 'TSHIRT-M',
          name: 'T-shirt, medium',
          priceCents: 1999,
          currency: 'USD',
          stock: 100,
        }),
      },
      responses: {
        '201': {
          description: 'The product.',
          content: json(ProductViewSchema, { ...product, available: 100, reserved: 0 }),
        },
        ...problemResponses(...ADMIN_PROBLEMS, [409, 'The sku exists.'], ...INPUT_PROBLEMS),
      },
    },
  },
  {
    method: 'patch',
    path: '/products/{sku}',
    operation: {
      tags,
      summary: 'Rename or reprice a product (admin)',
      description: 'Publishes `product.upserted`.',
      security: BEARER,
      requestParams: skuPath,
      requestBody: { required: true, content: json(UpdateProductInput, { priceCents: 1799 }) },
      responses: {
        '200': { description: 'The product.', content: json(ProductViewSchema, { ...product, priceCents: 1799 }) },
        ...problemResponses(...ADMIN_PROBLEMS, 404, ...INPUT_PROBLEMS),
      },
    },
  },
  {
    method: 'post',
    path: '/products/{sku}/restock',
    operation: {
      tags,
      summary: 'Add stock (admin)',
      description: 'Publishes nothing.',
      security: BEARER,
      requestParams: skuPath,
      requestBody: { required: true, content: json(RestockInput, { quantity: 50 }) },
      responses: {
        '200': { description: 'The product.', content: json(ProductViewSchema, { ...product, available: 148 }) },
        ...problemResponses(...ADMIN_PROBLEMS, 404, [409, 'The stock would pass 2^31 - 1.'], ...INPUT_PROBLEMS),
      },
    },
  },
  {
    method: 'get',
    path: '/products',
    operation: {
      tags,
      summary: 'List products in sku order',
      security: PUBLIC,
      requestParams: { query: ListProductsParams },
      responses: {
        '200': {
          description: 'A page of products.',
          content: json(ProductPageSchema, { items: [product], nextCursor: null }),
        },
        ...problemResponses(422, 503),
      },
    },
  },
  {
    method: 'get',
    path: '/products/{sku}',
    operation: {
      tags,
      summary: 'Get a product',
      security: PUBLIC,
      requestParams: skuPath,
      responses: {
        '200': { description: 'The product.', content: json(ProductViewSchema, product) },
        ...problemResponses(404, 422, 503),
      },
    },
  },
];
