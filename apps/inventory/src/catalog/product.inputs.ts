import { z } from 'zod';

/** What an sku may look like: safe in a URL path, a log line and a Kafka key. */
export const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const sku = z
  .string()
  .regex(SKU_PATTERN, 'letters, digits, ".", "-" or "_" (starting with a letter or digit), at most 64 characters');
const name = z.string().trim().min(1).max(200);

/** The `:sku` of a product route. */
export const SkuParam = sku;
const priceCents = z.number().int().min(0).max(100_000_000);

/** POST /products */
export const CreateProductInput = z.strictObject({
  sku,
  name,
  priceCents,
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD')
    .default('USD'),
  stock: z.number().int().min(0).max(1_000_000),
});
export type CreateProductInput = z.infer<typeof CreateProductInput>;

/** PATCH /products/:sku */
export const UpdateProductInput = z
  .strictObject({ name: name.optional(), priceCents: priceCents.optional() })
  .refine((input) => input.name !== undefined || input.priceCents !== undefined, 'give name, priceCents or both');
export type UpdateProductInput = z.infer<typeof UpdateProductInput>;

/** POST /products/:sku/restock */
export const RestockInput = z.strictObject({ quantity: z.number().int().min(1).max(1_000_000) });
export type RestockInput = z.infer<typeof RestockInput>;

/** GET /products: a page of `limit` products after the sku `cursor`. */
export const ListProductsParams = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: sku.optional(),
});
export type ListProductsParams = z.infer<typeof ListProductsParams>;
