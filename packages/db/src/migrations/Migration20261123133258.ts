import { Migration } from '@mikro-orm/migrations';

export class Migration20261123133258 extends Migration {

  override name = 'Migration20261123133258';

  override up(): void | Promise<void> {
    this.addSql(`create table "organization" ("id" uuid not null, "name" varchar(255) not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "organization" add constraint "organization_name_unique" unique ("name");`);

    this.addSql(`create table "api_key" ("id" uuid not null, "organization_id" uuid not null, "name" varchar(255) not null, "prefix" varchar(255) not null, "secret_hash" varchar(255) not null, "created_at" timestamptz not null, "revoked_at" timestamptz null, "last_used_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "api_key" add constraint "api_key_prefix_unique" unique ("prefix");`);

    this.addSql(`create table "project" ("id" uuid not null, "organization_id" uuid not null, "name" varchar(255) not null, "width" int not null, "height" int not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "project_organization_id_created_at_index" on "project" ("organization_id", "created_at");`);

    this.addSql(`create table "region" ("id" uuid not null, "project_id" uuid not null, "points" jsonb not null, "prompt" text not null, "negative_prompt" text null, "model" varchar(255) not null default 'procedural', "seed" bigint null, "z_order" int not null default 0, "feather" int not null default 8, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "region_project_id_z_order_index" on "region" ("project_id", "z_order");`);

    this.addSql(`create table "reference" ("id" uuid not null, "project_id" uuid not null, "region_id" uuid null, "blob_key" varchar(255) not null, "content_type" varchar(255) not null, "byte_size" int not null, "width" int not null, "height" int not null, "description" text null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "reference_blob_key_index" on "reference" ("blob_key");`);

    this.addSql(`create table "run" ("id" uuid not null, "organization_id" uuid not null, "project_id" uuid not null, "kind" text not null, "status" text not null default 'QUEUED', "seed" bigint not null, "parameters" jsonb not null, "progress" double precision not null default 0, "result_image_key" varchar(255) null, "result_width" int null, "result_height" int null, "error" jsonb null, "idempotency_key" varchar(255) null, "last_event_seq" int not null default 0, "attempts" int not null default 0, "created_at" timestamptz not null, "started_at" timestamptz null, "finished_at" timestamptz null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "run_result_image_key_index" on "run" ("result_image_key");`);
    this.addSql(`create index "run_project_id_created_at_index" on "run" ("project_id", "created_at");`);
    this.addSql(`create index "run_status_created_at_index" on "run" ("status", "created_at");`);
    this.addSql(`alter table "run" add constraint "run_organization_id_idempotency_key_unique" unique ("organization_id", "idempotency_key");`);
    this.addSql(`alter table "run" add constraint "run_kind_check" check ("kind" in ('GENERATE'));`);
    this.addSql(`alter table "run" add constraint "run_status_check" check ("status" in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'));`);

    this.addSql(`create table "run_event" ("run_id" uuid not null, "seq" int not null, "type" text not null, "payload" jsonb not null, "created_at" timestamptz not null, primary key ("run_id", "seq"));`);
    this.addSql(`alter table "run_event" add constraint "run_event_type_check" check ("type" in ('QUEUED', 'STARTED', 'PROGRESS', 'COMPLETED', 'FAILED', 'CANCELLED'));`);

    this.addSql(`alter table "api_key" add constraint "api_key_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on delete cascade;`);

    this.addSql(`alter table "project" add constraint "project_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on delete cascade;`);

    this.addSql(`alter table "region" add constraint "region_project_id_foreign" foreign key ("project_id") references "project" ("id") on delete cascade;`);

    this.addSql(`alter table "reference" add constraint "reference_project_id_foreign" foreign key ("project_id") references "project" ("id") on delete cascade;`);
    this.addSql(`alter table "reference" add constraint "reference_region_id_foreign" foreign key ("region_id") references "region" ("id") on delete set null;`);

    this.addSql(`alter table "run" add constraint "run_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on delete cascade;`);
    this.addSql(`alter table "run" add constraint "run_project_id_foreign" foreign key ("project_id") references "project" ("id") on delete cascade;`);

    this.addSql(`alter table "run_event" add constraint "run_event_run_id_foreign" foreign key ("run_id") references "run" ("id") on delete cascade;`);
  }

}
