import { runService } from '@packytrace/service-kit';
import { loadConfig } from './config';
import { startIdentityService } from './service';

await runService('identity', (logger) => startIdentityService(loadConfig(), logger));
