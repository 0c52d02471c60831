import type { ServiceApp } from '@packytrace/service-kit';
import Type from 'typebox';
import type { MeasurementRepository } from '../db/measurement-repository';

const PipelineStatus = Type.Object({
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
export function pipelineStatusRoutes(repository: MeasurementRepository) {
  return async (app: ServiceApp) => {
    app.get(
      '/internal/measurement/status',
      { schema: { tags: ['measurement'], response: { 200: PipelineStatus } } },
      async () => repository.status(),
    );
  };
}
