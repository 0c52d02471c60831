import { applyInfraEnv } from './infra-env';

applyInfraEnv();
