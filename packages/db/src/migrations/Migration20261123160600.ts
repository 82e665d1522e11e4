import { Migration } from '@mikro-orm/migrations';

export class Migration20261123160600 extends Migration {

  override name = 'Migration20261123160600';

  override up(): void | Promise<void> {
    this.addSql(`create table "refinement_iteration" ("id" uuid not null, "run_id" uuid not null, "index" int not null, "status" text not null, "base_image_key" varchar(255) not null, "image_key" varchar(255) null, "score" double precision null, "best_score" double precision null, "rejection" varchar(255) null, "strategy" jsonb not null, "plans" jsonb not null, "regions" jsonb not null, "state" jsonb null, "analysis" uuid null, "duration_ms" int null, "created_at" timestamptz not null, "decided_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "refinement_iteration" add constraint "refinement_iteration_run_id_index_unique" unique ("run_id", "index");`);

    this.addSql(`create table "analysis_record" ("id" uuid not null, "run_id" uuid not null, "iteration" int not null, "image_key" varchar(255) not null, "image_hash" varchar(255) not null, "kernel" varchar(255) not null, "cache_hit" boolean not null, "references" jsonb not null, "regions" jsonb not null, "semantic" jsonb not null, "duration_ms" int not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "analysis_record" add constraint "analysis_record_run_id_iteration_unique" unique ("run_id", "iteration");`);

    this.addSql(`create table "refinement_evidence" ("id" uuid not null, "iteration_id" uuid not null, "analysis_id" uuid not null, "region_id" uuid not null, "output" varchar(255) not null, "value" double precision not null, "fired" jsonb not null, "inputs" jsonb not null, "reference_ids" jsonb not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "refinement_evidence_iteration_id_index" on "refinement_evidence" ("iteration_id");`);
    this.addSql(`create index "refinement_evidence_analysis_id_index" on "refinement_evidence" ("analysis_id");`);

    this.addSql(`alter table "run" drop constraint "run_kind_check";`);
    this.addSql(`alter table "run" add constraint "run_kind_check" check ("kind" in ('GENERATE', 'UNDERSTAND', 'REFINE'));`);

    this.addSql(`alter table "run_event" drop constraint "run_event_type_check";`);
    this.addSql(`alter table "run_event" add constraint "run_event_type_check" check ("type" in ('QUEUED', 'STARTED', 'PROGRESS', 'STEP', 'ITERATION', 'COMPLETED', 'FAILED', 'CANCELLED'));`);

    this.addSql(`alter table "refinement_iteration" add constraint "refinement_iteration_run_id_foreign" foreign key ("run_id") references "run" ("id") on delete cascade;`);
    this.addSql(`alter table "refinement_iteration" add constraint "refinement_iteration_status_check" check ("status" in ('PLANNED', 'ACCEPTED', 'REJECTED'));`);

    this.addSql(`alter table "analysis_record" add constraint "analysis_record_run_id_foreign" foreign key ("run_id") references "run" ("id") on delete cascade;`);

    this.addSql(`alter table "refinement_evidence" add constraint "refinement_evidence_iteration_id_foreign" foreign key ("iteration_id") references "refinement_iteration" ("id") on delete cascade;`);
    this.addSql(`alter table "refinement_evidence" add constraint "refinement_evidence_analysis_id_foreign" foreign key ("analysis_id") references "analysis_record" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "refinement_evidence" drop constraint "refinement_evidence_iteration_id_foreign";`);
    this.addSql(`alter table "refinement_evidence" drop constraint "refinement_evidence_analysis_id_foreign";`);

    this.addSql(`drop table if exists "refinement_iteration" cascade;`);
    this.addSql(`drop table if exists "analysis_record" cascade;`);
    this.addSql(`drop table if exists "refinement_evidence" cascade;`);

    this.addSql(`alter table "run" drop constraint "run_kind_check";`);
    this.addSql(`alter table "run" add constraint "run_kind_check" check ("kind" in ('GENERATE', 'UNDERSTAND'));`);

    this.addSql(`alter table "run_event" drop constraint "run_event_type_check";`);
    this.addSql(`alter table "run_event" add constraint "run_event_type_check" check ("type" in ('QUEUED', 'STARTED', 'PROGRESS', 'STEP', 'COMPLETED', 'FAILED', 'CANCELLED'));`);
  }

}
