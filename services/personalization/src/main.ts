import { runService } from '@packytrace/service-kit';
import { loadConfig } from './config';
import { startPersonalizationService } from './service';

await runService('personalization', (logger) => startPersonalizationService(loadConfig(), logger));
