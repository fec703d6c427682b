import { runApp } from '@commerce/platform';
import { authApp } from './app.ts';

await runApp(authApp);
