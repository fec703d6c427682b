import { describeAppBasics } from '@commerce/testing';
import { inventoryApp } from '../src/app.ts';

describeAppBasics('inventory', inventoryApp);
