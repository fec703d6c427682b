import { describeOpenApi } from '@commerce/testing';
import { inventoryApp } from '../src/app.ts';

describeOpenApi('inventory', inventoryApp);
