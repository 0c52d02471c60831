import { runService } from '@packytrace/service-kit';
import { loadConfig } from './config';
import { startPassportService } from './service';

await runService('passport', (logger) => startPassportService(loadConfig(), logger));
