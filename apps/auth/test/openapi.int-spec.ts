import { describeOpenApi } from '@commerce/testing';
import { authApp } from '../src/app.ts';

describeOpenApi('auth', authApp);
