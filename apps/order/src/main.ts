import { runApp } from '@commerce/platform';
import { orderApp } from './app.ts';

await runApp(orderApp);
