import type { ServiceApp } from '@packytrace/service-kit';
import Type from 'typebox';
import type { MeasurementRepository } from '../db/measurement-repository';

const PipelineStatus = Type.Object({
  role: Type.Union([Type.Literal('active'), Type.Literal('standby')], {
    description: 'one instance applies events; the others stand by to take over',
  }),
  offsets: Type.Array(
    Type.Object({ topic: Type.String(), partition: Type.Integer(), nextOffset: Type.String() }),
  ),
  eventsCounted: Type.Integer(),
  lateDropped: Type.Integer({ description: 'events for already closed windows, not counted' }),
  malformed: Type.Integer({ description: 'messages parked on dead-letter topics' }),
  closedBefore: Type.Union([Type.String(), Type.Null()]),
  openCells: Type.Integer(),
});

/** The pipeline's progress for operators and tests: offsets applied, drops, open cells (no subjects). */
export function pipelineStatusRoutes(repository: MeasurementRepository, role: () => 'active' | 'standby') {
  return async (app: ServiceApp) => {
    app.get(
      '/internal/measurement/status',
      { schema: { tags: ['measurement'], response: { 200: PipelineStatus } } },
      async () => ({ role: role(), ...(await repository.status()) }),
    );
  };
}
