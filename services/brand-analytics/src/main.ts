import { runService } from '@packytrace/service-kit';
import { loadConfig } from './config';
import { startBrandAnalyticsService } from './service';

await runService('brand-analytics', (logger) => startBrandAnalyticsService(loadConfig(), logger));
