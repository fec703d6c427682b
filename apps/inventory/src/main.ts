import { runApp } from '@commerce/platform';
import { inventoryApp } from './app.ts';

await runApp(inventoryApp);
