import { runService } from '@packytrace/service-kit';
import { loadConfig } from './config';
import { startFridgeService } from './service';

await runService('fridge', (logger) => startFridgeService(loadConfig(), logger));
