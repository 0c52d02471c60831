import { runService } from '@packytrace/service-kit';
import { loadConfig } from './config';
import { startMeasurementService } from './service';

await runService('measurement', (logger) => startMeasurementService(loadConfig(), logger));
