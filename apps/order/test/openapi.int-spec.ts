import { describeOpenApi } from '@commerce/testing';
import { orderApp } from '../src/app.ts';

describeOpenApi('order', orderApp);
