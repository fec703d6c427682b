import { describeAppBasics } from '@commerce/testing';
import { notificationApp } from '../src/app.ts';

describeAppBasics('notification', notificationApp);
