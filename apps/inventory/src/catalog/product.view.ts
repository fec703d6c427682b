/** A product as the REST API shows it (CONTRACT.md, inventory). */
export interface ProductView {
  sku: string;
  name: string;
  priceCents: number;
  currency: string;
  available: number;
  reserved: number;
  sold: number;
}

/** Picks the public fields of a product row (the supply columns stay inside). */
export function toProductView(product: ProductView): ProductView {
  const { sku, name, priceCents, currency, available, reserved, sold } = product;
  return { sku, name, priceCents, currency, available, reserved, sold };
}
