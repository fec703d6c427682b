import { problem } from '@commerce/platform';
import { NotFoundException } from '@nestjs/common';

/** A product as the REST API shows it (docs/contract.md, inventory); the supply columns stay inside. */
export interface ProductView {
  sku: string;
  name: string;
  priceCents: number;
  currency: string;
  available: number;
  reserved: number;
  sold: number;
}

/** A page of products in sku order; `nextCursor` is null on the last page. */
export interface ProductPage {
  items: ProductView[];
  nextCursor: string | null;
}

/** What the API answers for an sku the catalog does not have (404 problem+json). */
export function noSuchProduct(sku: string): NotFoundException {
  return new NotFoundException(problem(404, `There is no product with sku ${sku}.`));
}
