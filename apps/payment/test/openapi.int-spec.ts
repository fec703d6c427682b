import { describeOpenApi } from '@commerce/testing';
import { paymentApp } from '../src/app.ts';

describeOpenApi('payment', paymentApp);
