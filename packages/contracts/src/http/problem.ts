import Type, { type Static } from 'typebox';

/** RFC 9457 problem details, with the stable snake_case `code` every PackyTrace error carries. */
export const ProblemDetails = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    code: Type.String({ pattern: '^[a-z][a-z0-9_]*$' }),
    instance: Type.Optional(Type.String()),
  },
  { $id: 'ProblemDetails' },
);
export type ProblemDetails = Static<typeof ProblemDetails>;
