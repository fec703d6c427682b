import { describeOpenApi } from '@commerce/testing';
import { notificationApp } from '../src/app.ts';

describeOpenApi('notification', notificationApp);
