/** Demo Brands of the dev stack (docs/development.md, "Demo data"; dev only). Passport's catalog uses the same ids. */
export const DEMO_BRANDS = [
  {
    id: '8a1f2c3d-0000-4000-8000-000000000001',
    name: 'Nordhavn Foods',
    gs1CompanyPrefixes: ['5701234'],
    user: { email: 'brand@nordhavn.example', password: 'Nordhavn-dev-2026!' },
  },
  {
    id: '8a1f2c3d-0000-4000-8000-000000000002',
    name: 'Alpenmilch',
    gs1CompanyPrefixes: ['4012345'],
    user: { email: 'brand@alpenmilch.example', password: 'Alpenmilch-dev-2026!' },
  },
  {
    id: '8a1f2c3d-0000-4000-8000-000000000003',
    name: 'Verde Valle',
    gs1CompanyPrefixes: ['8437001'],
    user: { email: 'brand@verdevalle.example', password: 'VerdeValle-dev-2026!' },
  },
] as const;
