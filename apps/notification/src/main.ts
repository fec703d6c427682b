import { runApp } from '@commerce/platform';
import { notificationApp } from './app.ts';

await runApp(notificationApp);
