import { Migration } from '@mikro-orm/migrations';

export class Migration20261123164825 extends Migration {

  override name = 'Migration20261123164825';

  override up(): void | Promise<void> {
    this.addSql(`create table "webhook_endpoint" ("id" uuid not null, "organization_id" uuid not null, "url" text not null, "description" varchar(255) null, "event_types" jsonb not null, "secrets" jsonb not null, "disabled" boolean not null default false, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "webhook_endpoint_organization_id_created_at_index" on "webhook_endpoint" ("organization_id", "created_at");`);

    this.addSql(`create table "workflow" ("id" uuid not null, "organization_id" uuid not null, "project_id" uuid not null, "name" varchar(255) not null, "definition" jsonb not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "workflow_organization_id_created_at_index" on "workflow" ("organization_id", "created_at");`);
    this.addSql(`alter table "workflow" add constraint "workflow_project_id_name_unique" unique ("project_id", "name");`);

    this.addSql(`create table "webhook_delivery" ("id" uuid not null, "organization_id" uuid not null, "endpoint_id" uuid not null, "run_id" uuid null, "event_type" varchar(255) not null, "event_seq" int null, "payload" jsonb not null, "status" text not null default 'PENDING', "attempts" int not null default 0, "last_status_code" int null, "last_error" text null, "next_attempt_at" timestamptz null, "delivered_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "webhook_delivery_endpoint_id_created_at_index" on "webhook_delivery" ("endpoint_id", "created_at");`);
    this.addSql(`create index "webhook_delivery_status_next_attempt_at_index" on "webhook_delivery" ("status", "next_attempt_at");`);
    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_endpoint_id_run_id_event_seq_unique" unique ("endpoint_id", "run_id", "event_seq");`);

    this.addSql(`create table "webhook_attempt" ("id" uuid not null, "delivery_id" uuid not null, "attempt" int not null, "status_code" int null, "error" text null, "response_body" text null, "duration_ms" int not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "webhook_attempt_delivery_id_created_at_index" on "webhook_attempt" ("delivery_id", "created_at");`);

    this.addSql(`create table "run_failure" ("id" uuid not null, "run_id" uuid not null, "job_id" varchar(255) not null, "job_name" varchar(255) not null, "attempt" int not null, "code" varchar(255) not null, "message" text not null, "will_retry" boolean not null, "worker" varchar(255) null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "run_failure_run_id_created_at_index" on "run_failure" ("run_id", "created_at");`);

    this.addSql(`alter table "organization" add "tier" text not null default 'STARTER';`);
    this.addSql(`alter table "organization" add constraint "organization_tier_check" check ("tier" in ('STARTER', 'PROFESSIONAL', 'ENTERPRISE'));`);

    this.addSql(`alter table "run" drop constraint "run_kind_check";`);
    this.addSql(`alter table "run" add "priority" int not null default 0, add "batch_id" uuid null, add "workflow_id" uuid null;`);
    this.addSql(`alter table "run" add constraint "run_workflow_id_foreign" foreign key ("workflow_id") references "workflow" ("id") on delete set null;`);
    this.addSql(`create index "run_batch_id_index" on "run" ("batch_id");`);
    this.addSql(`create index "run_organization_id_updated_at_index" on "run" ("organization_id", "updated_at");`);
    this.addSql(`alter table "run" add constraint "run_kind_check" check ("kind" in ('GENERATE', 'UNDERSTAND', 'REFINE', 'WORKFLOW'));`);

    this.addSql(`alter table "run_event" drop constraint "run_event_type_check";`);
    this.addSql(`alter table "run_event" add constraint "run_event_type_check" check ("type" in ('QUEUED', 'STARTED', 'PROGRESS', 'STEP', 'RETRY', 'ITERATION', 'COMPLETED', 'FAILED', 'CANCELLED'));`);

    this.addSql(`alter table "webhook_endpoint" add constraint "webhook_endpoint_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on delete cascade;`);

    this.addSql(`alter table "workflow" add constraint "workflow_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on delete cascade;`);
    this.addSql(`alter table "workflow" add constraint "workflow_project_id_foreign" foreign key ("project_id") references "project" ("id") on delete cascade;`);

    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on delete cascade;`);
    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_endpoint_id_foreign" foreign key ("endpoint_id") references "webhook_endpoint" ("id") on delete cascade;`);
    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_run_id_foreign" foreign key ("run_id") references "run" ("id") on delete set null;`);
    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_status_check" check ("status" in ('PENDING', 'SUCCEEDED', 'FAILED'));`);

    this.addSql(`alter table "webhook_attempt" add constraint "webhook_attempt_delivery_id_foreign" foreign key ("delivery_id") references "webhook_delivery" ("id") on delete cascade;`);

    this.addSql(`alter table "run_failure" add constraint "run_failure_run_id_foreign" foreign key ("run_id") references "run" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "webhook_delivery" drop constraint "webhook_delivery_endpoint_id_foreign";`);
    this.addSql(`alter table "run" drop constraint "run_workflow_id_foreign";`);
    this.addSql(`alter table "webhook_attempt" drop constraint "webhook_attempt_delivery_id_foreign";`);

    this.addSql(`drop table if exists "webhook_endpoint" cascade;`);
    this.addSql(`drop table if exists "workflow" cascade;`);
    this.addSql(`drop table if exists "webhook_delivery" cascade;`);
    this.addSql(`drop table if exists "webhook_attempt" cascade;`);
    this.addSql(`drop table if exists "run_failure" cascade;`);

    this.addSql(`alter table "organization" drop constraint "organization_tier_check";`);
    this.addSql(`alter table "organization" drop column "tier";`);

    this.addSql(`drop index "run_batch_id_index";`);
    this.addSql(`drop index "run_organization_id_updated_at_index";`);
    this.addSql(`alter table "run" drop constraint "run_kind_check";`);
    this.addSql(`alter table "run" drop column "priority", drop column "batch_id", drop column "workflow_id";`);
    this.addSql(`alter table "run" add constraint "run_kind_check" check ("kind" in ('GENERATE', 'UNDERSTAND', 'REFINE'));`);

    this.addSql(`alter table "run_event" drop constraint "run_event_type_check";`);
    this.addSql(`alter table "run_event" add constraint "run_event_type_check" check ("type" in ('QUEUED', 'STARTED', 'PROGRESS', 'STEP', 'ITERATION', 'COMPLETED', 'FAILED', 'CANCELLED'));`);
  }

}
