import { describeAppBasics } from '@commerce/testing';
import { authApp } from '../src/app.ts';

describeAppBasics('auth', authApp);
