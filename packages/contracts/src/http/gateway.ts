import Type, { type Static } from 'typebox';

/** GET /health/ready on the gateway: its own state and each upstream service's readiness. */
export const GatewayReadiness = Type.Object(
  {
    status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
    checks: Type.Record(Type.String(), Type.Union([Type.Literal('ok'), Type.Literal('down')])),
  },
  { $id: 'GatewayReadiness' },
);
export type GatewayReadiness = Static<typeof GatewayReadiness>;
