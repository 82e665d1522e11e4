import { builder } from './builder.ts';
import './types/scalars.ts';
import './types/viewer.ts';
import './types/model.ts';
import './types/rule-set.ts';
import './types/region.ts';
import './types/reference.ts';
import './types/run.ts';
import './types/run-event.ts';
import './types/project.ts';

export const schema = builder.toSchema({ sortSchema: true });
