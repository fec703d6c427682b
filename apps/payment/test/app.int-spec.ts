import { describeAppBasics } from '@commerce/testing';
import { paymentApp } from '../src/app.ts';

describeAppBasics('payment', paymentApp);
