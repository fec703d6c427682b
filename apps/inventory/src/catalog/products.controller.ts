import { Authenticated, ZodPipe } from '@commerce/platform';
import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { CreateProductCommand } from './create-product.command.ts';
import { GetProductQuery } from './get-product.query.ts';
import { ListProductsQuery } from './list-products.query.ts';
import {
  CreateProductInput,
  ListProductsParams,
  RestockInput,
  SkuParam,
  UpdateProductInput,
} from './product.inputs.ts';
import type { ProductPage, ProductView } from './product.view.ts';
import { RestockProductCommand } from './restock-product.command.ts';
import { UpdateProductCommand } from './update-product.command.ts';

const admin = { roles: ['admin'] };

/** The catalog over HTTP: anyone reads it, admins change it (docs/contract.md, inventory). */
@Controller('products')
export class ProductsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @Authenticated(admin)
  create(@Body(new ZodPipe(CreateProductInput)) input: CreateProductInput): Promise<ProductView> {
    return this.commands.execute(new CreateProductCommand(input));
  }

  @Patch(':sku')
  @Authenticated(admin)
  update(
    @Param('sku', new ZodPipe(SkuParam)) sku: string,
    @Body(new ZodPipe(UpdateProductInput)) input: UpdateProductInput,
  ): Promise<ProductView> {
    return this.commands.execute(new UpdateProductCommand(sku, input));
  }

  @Post(':sku/restock')
  @HttpCode(200)
  @Authenticated(admin)
  restock(
    @Param('sku', new ZodPipe(SkuParam)) sku: string,
    @Body(new ZodPipe(RestockInput)) input: RestockInput,
  ): Promise<ProductView> {
    return this.commands.execute(new RestockProductCommand(sku, input.quantity));
  }

  @Get()
  list(@Query(new ZodPipe(ListProductsParams)) params: ListProductsParams): Promise<ProductPage> {
    return this.queries.execute(new ListProductsQuery(params.limit, params.cursor));
  }

  @Get(':sku')
  get(@Param('sku', new ZodPipe(SkuParam)) sku: string): Promise<ProductView> {
    return this.queries.execute(new GetProductQuery(sku));
  }
}
