import { runApp } from '@commerce/platform';
import { paymentApp } from './app.ts';

await runApp(paymentApp);
