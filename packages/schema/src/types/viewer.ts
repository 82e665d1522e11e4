import { builder } from '../builder.ts';

interface Viewer {
  organizationId: string;
  organizationName: string;
}

const OrganizationRef = builder.objectRef<Viewer>('Organization').implement({
  fields: (t) => ({
    id: t.exposeID('organizationId'),
    name: t.exposeString('organizationName'),
  }),
});

const ViewerRef = builder.objectRef<Viewer>('Viewer').implement({
  description: 'The organization the API key belongs to; every read and write is scoped to it.',
  fields: (t) => ({
    organization: t.field({ type: OrganizationRef, resolve: (v) => v }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({ type: ViewerRef, resolve: (_root, _args, ctx) => ctx.principal }),
);
