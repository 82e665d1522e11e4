import { Migration } from '@mikro-orm/migrations';

export class Migration20261123191320 extends Migration {

  override name = 'Migration20261123191320';

  override up(): void | Promise<void> {
    this.addSql(`create table "member" ("id" uuid not null, "organization_id" uuid not null, "email" varchar(255) not null, "name" varchar(255) not null, "role" text not null, "created_at" timestamptz not null, "removed_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "member" add constraint "member_organization_id_email_unique" unique ("organization_id", "email");`);

    this.addSql(`create table "audit_entry" ("id" uuid not null, "organization_id" uuid not null, "member_id" uuid null, "api_key_id" uuid null, "actor" varchar(255) not null, "operation" varchar(255) not null, "input" jsonb null, "outcome" varchar(255) not null, "error_code" varchar(255) null, "ip" varchar(255) null, "user_agent" varchar(255) null, "request_id" varchar(255) null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "audit_entry_organization_id_created_at_index" on "audit_entry" ("organization_id", "created_at");`);

    this.addSql(`alter table "api_key" add "member_id" uuid null, add "scopes" text[] not null default '{read,write,admin}', add "expires_at" timestamptz null;`);
    // Keys made before members existed belong to one OWNER member per organization, so nothing loses access.
    this.addSql(`insert into "member" ("id", "organization_id", "email", "name", "role", "created_at") select gen_random_uuid(), o."id", 'owner@' || o."id" || '.invalid', 'Owner', 'OWNER', now() from "organization" o where exists (select 1 from "api_key" k where k."organization_id" = o."id");`);
    this.addSql(`update "api_key" k set "member_id" = m."id" from "member" m where m."organization_id" = k."organization_id" and m."role" = 'OWNER';`);
    this.addSql(`alter table "api_key" alter column "member_id" set not null;`);
    this.addSql(`alter table "api_key" add constraint "api_key_member_id_foreign" foreign key ("member_id") references "member" ("id") on delete cascade;`);

    this.addSql(`alter table "member" add constraint "member_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on delete cascade;`);
    this.addSql(`alter table "member" add constraint "member_role_check" check ("role" in ('VIEWER', 'MEMBER', 'ADMIN', 'OWNER'));`);

    this.addSql(`alter table "audit_entry" add constraint "audit_entry_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "api_key" drop constraint "api_key_member_id_foreign";`);

    this.addSql(`drop table if exists "member" cascade;`);
    this.addSql(`drop table if exists "audit_entry" cascade;`);

    this.addSql(`alter table "api_key" drop column "member_id", drop column "scopes", drop column "expires_at";`);
  }

}
