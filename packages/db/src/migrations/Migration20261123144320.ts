import { Migration } from '@mikro-orm/migrations';

export class Migration20261123144320 extends Migration {

  override name = 'Migration20261123144320';

  override up(): void | Promise<void> {
    this.addSql(`create table "rule_set" ("id" uuid not null, "organization_id" uuid not null, "project_id" uuid null, "text" text not null, "version" int not null default 1, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    // NULLS NOT DISTINCT: one organization-wide set (project null) per organization, not one per insert.
    this.addSql(`alter table "rule_set" add constraint "rule_set_organization_id_project_id_unique" unique nulls not distinct ("organization_id", "project_id");`);

    this.addSql(`alter table "rule_set" add constraint "rule_set_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on delete cascade;`);
    this.addSql(`alter table "rule_set" add constraint "rule_set_project_id_foreign" foreign key ("project_id") references "project" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "rule_set" cascade;`);
  }

}
