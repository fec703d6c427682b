import { describeAppBasics } from '@commerce/testing';
import { orderApp } from '../src/app.ts';

describeAppBasics('order', orderApp);
