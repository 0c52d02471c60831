/** Service boundaries (docs/development.md): services never import each other; shared code lives in packages/. */
module.exports = {
  forbidden: [
    {
      name: 'no-cross-service-imports',
      comment: 'A service may not import another service; share through packages/ or talk over HTTP/Kafka.',
      severity: 'error',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/([^/]+)/', pathNot: '^services/$1/' },
    },
    {
      name: 'packages-do-not-import-services',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^services/' },
    },
    {
      name: 'web-talks-http-only',
      severity: 'error',
      from: { path: '^apps/web/' },
      to: { path: '^(services|infra)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] },
  },
};
