import { runService } from '@packytrace/service-kit';
import { loadConfig } from './config';
import { startGateway } from './service';

await runService('gateway', (logger) => startGateway(loadConfig(), logger));
