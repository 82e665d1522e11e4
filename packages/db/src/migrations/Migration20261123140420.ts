import { Migration } from '@mikro-orm/migrations';

export class Migration20261123140420 extends Migration {

  override name = 'Migration20261123140420';

  override up(): void | Promise<void> {
    this.addSql(`create table "generation_step" ("id" uuid not null, "run_id" uuid not null, "project_id" uuid not null, "region_id" uuid null, "pass" int not null default 0, "operation" text not null, "backend" varchar(255) not null, "model" varchar(255) not null, "model_version" varchar(255) not null, "seed" bigint not null, "prompt" text not null, "enhanced_prompt" text null, "negative_prompt" text null, "parameters" jsonb not null, "failovers" jsonb not null, "duration_ms" int not null, "image_key" varchar(255) not null, "width" int not null, "height" int not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "generation_step_region_id_index" on "generation_step" ("region_id");`);
    this.addSql(`create index "generation_step_project_id_created_at_index" on "generation_step" ("project_id", "created_at");`);
    this.addSql(`create index "generation_step_run_id_region_id_index" on "generation_step" ("run_id", "region_id");`);

    this.addSql(`alter table "region" alter column "model" drop default;`);
    this.addSql(`alter table "region" alter column "model" drop not null;`);

    this.addSql(`alter table "run_event" drop constraint "run_event_type_check";`);
    this.addSql(`alter table "run_event" add constraint "run_event_type_check" check ("type" in ('QUEUED', 'STARTED', 'PROGRESS', 'STEP', 'COMPLETED', 'FAILED', 'CANCELLED'));`);

    this.addSql(`alter table "generation_step" add constraint "generation_step_run_id_foreign" foreign key ("run_id") references "run" ("id") on delete cascade;`);
    this.addSql(`alter table "generation_step" add constraint "generation_step_project_id_foreign" foreign key ("project_id") references "project" ("id") on delete cascade;`);
    this.addSql(`alter table "generation_step" add constraint "generation_step_operation_check" check ("operation" in ('generate', 'img2img', 'inpaint', 'compose'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "generation_step" cascade;`);

    this.addSql(`alter table "region" alter column "model" set default 'procedural';`);
    this.addSql(`alter table "region" alter column "model" set not null;`);

    this.addSql(`alter table "run_event" drop constraint "run_event_type_check";`);
    this.addSql(`alter table "run_event" add constraint "run_event_type_check" check ("type" in ('QUEUED', 'STARTED', 'PROGRESS', 'COMPLETED', 'FAILED', 'CANCELLED'));`);
  }

}
